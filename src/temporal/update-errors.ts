import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Problem } from '../problem';
import { CONFLICT, NOT_FOUND } from '../../workflows/messages';

/** How long an HTTP request waits for a workflow to answer an update. */
export const UPDATE_TIMEOUT_MS = 20_000;

/** Business failures raised in the workflow become 4xx; anything else means Temporal is unreachable or slow. */
export function updateProblem(error: unknown): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const cause = error.cause;
    if (cause.type === CONFLICT) return new Problem(409, 'Conflict', cause.message);
    if (cause.type === NOT_FOUND) return new Problem(404, 'Not Found', cause.message);
    if (cause.type === 'BadRequest') return new Problem(400, 'Invalid request', cause.message);
  }
  if (error instanceof Problem) return error;
  console.error('workflow update failed:', error);
  return new Problem(503, 'Service Unavailable', 'the workflow service did not answer in time; retry the request', { headers: { 'Retry-After': '5' } });
}
