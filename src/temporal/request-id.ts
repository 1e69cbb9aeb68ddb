import type { WorkflowClientInterceptor } from '@temporalio/client';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { isFailureType } from '../domain/vocabulary';
import { currentRequestId, log, requestContext } from '../log';
import { requestIdOf, withRequestId } from './request-header';

/** DNS_WRITE_REFUSED of activities/domains.ts: the customer's DNS provider refused; the domain fails with the reason. */
const CUSTOMER_SIDE_REFUSALS = new Set(['DnsWriteRefused']);

/**
 * The API's side: every workflow start, update and signal carries the request id of the HTTP request
 * being served (src/log.ts `requestContext`) in a Temporal header.
 */
export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers, currentRequestId()) }),
  startUpdate: (input, next) => next({ ...input, headers: withRequestId(input.headers, currentRequestId()) }),
  startUpdateWithStart: (input, next) =>
    next({
      ...input,
      workflowStartHeaders: withRequestId(input.workflowStartHeaders, currentRequestId()),
      updateHeaders: withRequestId(input.updateHeaders, currentRequestId()),
    }),
  signal: (input, next) => next({ ...input, headers: withRequestId(input.headers, currentRequestId()) }),
  signalWithStart: (input, next) => next({ ...input, headers: withRequestId(input.headers, currentRequestId()) }),
};

/** A business refusal (a 4xx for the caller, or a customer-side fact): an expected outcome, not a fault of the service. */
function isRefusal(error: unknown): error is ApplicationFailure {
  return error instanceof ApplicationFailure && (isFailureType(error.type ?? undefined) || CUSTOMER_SIDE_REFUSALS.has(error.type ?? ''));
}

/** The same failure marked benign: the SDK then logs it at debug, without its stack, and counts no failure metric. */
function benign(failure: ApplicationFailure): ApplicationFailure {
  if (failure.category === ApplicationFailureCategory.BENIGN) return failure;
  return ApplicationFailure.create({
    type: failure.type ?? undefined,
    message: failure.message,
    nonRetryable: failure.nonRetryable ?? undefined,
    details: failure.details ? [...failure.details] : undefined,
    cause: failure.cause,
    category: ApplicationFailureCategory.BENIGN,
  });
}

/**
 * The worker's side, for every activity: runs it inside the request's context (its log lines carry the
 * request id, and so do the SDK's own lines about it), and writes one line when it ends:
 * `activity completed` at info for an activity that serves a request (debug for the workflows' own timer
 * work), and a business refusal as one `activity refused` line at info, never a warning with a stack.
 */
export const requestIdActivityInterceptors: ActivityInterceptorsFactory = (ctx) => {
  let requestId: string | undefined;
  const fields = () => ({ activityType: ctx.info.activityType, workflowId: ctx.info.workflowExecution?.workflowId, attempt: ctx.info.attempt });
  return {
    inbound: {
      async execute(input, next) {
        requestId = requestIdOf(input.headers);
        const run = async () => {
          const started = performance.now();
          const durationMs = () => Math.round(performance.now() - started);
          try {
            const result = await next(input);
            log[requestId ? 'info' : 'debug']({ ...fields(), durationMs: durationMs() }, 'activity completed');
            return result;
          } catch (error) {
            if (!isRefusal(error)) throw error;
            log.info({ ...fields(), durationMs: durationMs(), refusal: error.type, reason: error.message }, 'activity refused');
            throw benign(error);
          }
        };
        return requestId ? requestContext.run({ requestId }, run) : run();
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next(requestId ? { ...attributes, requestId } : attributes),
    },
  };
};
