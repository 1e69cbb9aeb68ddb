// Workflow-safe: carries the request id of an update or signal to the activities it schedules, the
// workflows it signals and its log lines (Temporal's documented way: headers through interceptors).
// Nothing here adds or changes a command, so histories replay as they were recorded.
import type { Headers } from '@temporalio/common';
import {
  AsyncLocalStorage,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { requestIdOf, withRequestId } from '../src/temporal/request-header';

/** The request id of the handler running (kept across its awaits, as the SDK keeps cancellation scopes). */
const handling = new AsyncLocalStorage<string>();

function within<T>(headers: Headers, work: () => T): T {
  const requestId = requestIdOf(headers);
  return requestId === undefined ? work() : handling.run(requestId, work);
}

const inbound: WorkflowInboundCallsInterceptor = {
  handleUpdate: (input, next) => within(input.headers, () => next(input)),
  handleSignal: (input, next) => within(input.headers, () => next(input)),
};

/** An outgoing call's headers with the request id of the handler running. */
const carried = (headers: Headers) => withRequestId(headers, handling.getStore());

const outbound: WorkflowOutboundCallsInterceptor = {
  scheduleActivity: (input, next) => next({ ...input, headers: carried(input.headers) }),
  scheduleLocalActivity: (input, next) => next({ ...input, headers: carried(input.headers) }),
  signalWorkflow: (input, next) => next({ ...input, headers: carried(input.headers) }),
  getLogAttributes: (input, next) => {
    const requestId = handling.getStore();
    return next(requestId === undefined ? input : { ...input, requestId });
  },
};

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [inbound], outbound: [outbound] });
