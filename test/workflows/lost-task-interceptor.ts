// Workflow-side test interceptor: a local activity whose result carries `loseWorkflowTask` fails the
// workflow task that ran it (a plain Error), as when the worker dies after the activity's transaction
// committed and before the task that would record its marker completed. The retried task runs it again.
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleLocalActivity(input, next) {
        const result = (await next(input)) as { loseWorkflowTask?: boolean } | undefined;
        if (result?.loseWorkflowTask) throw new Error('the worker died before this workflow task completed');
        return result;
      },
    },
  ],
});
