import type { RequestHandler, Response } from 'express';
import type { Problem } from '../problem';
import { serviceUnavailable } from '../temporal/update-errors';
import { sendProblem } from './problem';
import { log } from '../log';
import { loggablePath } from './request-observer';

/** What a request has left of its deadline (REQUEST_DEADLINE). */
export interface RequestDeadline {
  /** Epoch milliseconds by which the request must have been answered. */
  at: number;
  /** Its length, ms (REQUEST_DEADLINE). */
  ms: number;
  /** Aborts at the deadline. */
  signal: AbortSignal;
  /** Milliseconds left, keeping `marginMs` to write the answer (at least 1). */
  remaining(marginMs?: number): number;
}

/**
 * How a part of the app answers a request its deadline overtook (`res.locals.answerDeadline`; the web
 * console renders its error page); without one the answer is problem+json.
 */
export type DeadlineAnswer = (problem: Problem) => void;

/**
 * Every request is answered within `deadlineMs`: a handler still waiting on PostgreSQL or Temporal
 * then gets a 503 with Retry-After written for it (whatever it does later is not sent), as problem+json
 * or as the part of the app it reached says (`DeadlineAnswer`). The pool and the Temporal clients are
 * bounded by the same deadline, so this is the backstop for a request that waits on several of them in turn.
 */
export function requestDeadline(deadlineMs: number): RequestHandler {
  return (req, res, next) => {
    const at = Date.now() + deadlineMs;
    const controller = new AbortController();
    const deadline: RequestDeadline = { at, ms: deadlineMs, signal: controller.signal, remaining: (marginMs = 0) => Math.max(1, at - Date.now() - marginMs) };
    res.locals.deadline = deadline;
    const timer = setTimeout(() => {
      controller.abort(new DOMException('the request deadline passed', 'TimeoutError'));
      if (res.headersSent) return;
      log.warn(`${req.method} ${loggablePath(req)}: no answer within the ${deadlineMs} ms request deadline; answered 503`);
      const problem = serviceUnavailable(`the service's dependencies did not answer within ${deadlineMs / 1000} s; retry the request`);
      const answer = res.locals.answerDeadline as DeadlineAnswer | undefined;
      if (answer) answer(problem);
      else sendProblem(res, problem, req.originalUrl);
    }, deadlineMs);
    timer.unref();
    const done = () => clearTimeout(timer);
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/** The request's deadline; a generous one when the middleware did not run (an app without it). */
export function deadlineOf(res: Response): RequestDeadline {
  const deadline = res.locals.deadline as RequestDeadline | undefined;
  if (deadline) return deadline;
  const at = Date.now() + 5_000;
  return { at, ms: 5_000, signal: AbortSignal.timeout(5_000), remaining: (marginMs = 0) => Math.max(1, at - Date.now() - marginMs) };
}

export { within } from '../app/within';

/** How long one readiness probe may take: well inside the deadline, so /readyz answers in time. */
export function probeTimeoutMs(deadlineMs: number): number {
  return Math.max(50, Math.min(2_000, Math.floor(deadlineMs / 2)));
}
