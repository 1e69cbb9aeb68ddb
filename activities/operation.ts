import { Context } from '@temporalio/activity';

/**
 * The identity of the running activity execution, `<workflow run id>/<activity id>`: the same on every
 * retry of one scheduled activity, different for every other. Status-changing activities store it on
 * the audit events they write, so a retry after its transaction committed finds its own change.
 * Null when called outside an activity (a script or a unit test calling the function directly).
 */
export function operationOf(): string | null {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return null;
  }
  return info.workflowExecution ? `${info.workflowExecution.runId}/${info.activityId}` : null;
}
