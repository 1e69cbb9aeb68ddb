import type { Response } from 'express';
import { describeError, isTemporalUnavailable } from '../temporal/update-errors';
import { deadlineOf, within } from './deadline';
import { log } from '../log';

/** Time kept to write the 201 once the starts give up, so the request deadline never answers 503 for committed rows. */
const ANSWER_MARGIN_MS = 300;

/**
 * Starts the workflows of rows a create has committed, within what is left of the request deadline.
 * The rows exist whatever happens here, so a failed start (Temporal unreachable or slow) is not the
 * client's failure: the create still answers 201, a warning is logged, and the reconciler starts the
 * workflows later (rows stay `workflow_started = false` until a start succeeded). Answering 5xx instead
 * would invite a retry without Idempotency-Key that creates the same object twice.
 */
export async function startAfterCommit(res: Response, what: string, start: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const budget = deadlineOf(res).remaining(ANSWER_MARGIN_MS);
  const signal = AbortSignal.timeout(budget);
  // Raced against the budget as well: a call that does not notice the abort (a channel still
  // connecting) must not hold the answer back.
  const outcome = await within(
    start(signal).then(
      () => ({ started: true as const }),
      (error: unknown) => ({ started: false as const, error }),
    ),
    budget,
    { started: false as const, error: new DOMException(`no answer within ${budget} ms`, 'TimeoutError') as unknown },
  );
  if (!outcome.started) {
    const { error } = outcome;
    const reason = isTemporalUnavailable(error) || signal.aborted ? 'the workflow service is unavailable' : 'the workflow start failed';
    log.warn(`${what} committed but ${reason} (${describeError(error)}); answered 201, the reconciler will start its workflow`);
    return;
  }
}
