import { Semaphore, withTimeout } from 'async-mutex';
import type { RequestHandler } from 'express';
import { serviceUnavailable } from '../temporal/update-errors';
import { deadlineOf } from './deadline';
import { within } from '../app/within';
import type { InteractivePresence } from '../db/interactive-presence';

const TIMED_OUT = new Error('bulk lane: no room before the request deadline');

/** A create route's handler wrapped in the bulk lane: it runs once it has its place, which it keeps until it has finished or given up (see `bulkLane`). */
export type BulkLane = (handler: RequestHandler) => RequestHandler;

/**
 * The bulk lane (issue 6: interactive work is never starved). Creates start new workflows and are what
 * a client sends by the thousand; at most `limit` of them are in progress at once in this process, the
 * rest wait in arrival order. Everything else (decisions, edits, deletes, pre-checks, reads) never waits
 * here, so a burst of creates takes a bounded share of this process's CPU and database connections
 * instead of all of it. A create still waiting when its deadline is near answers 503 with Retry-After,
 * before anything was written, so the client's retry is safe.
 *
 * A create that has its place then holds back while a reviewer's decision is in progress in any API
 * process (`presence`, issue 9), for at most `yieldMaxMs` and never more than half of what is left of its
 * deadline, so the create itself keeps time to finish. A client that goes away while its create waits
 * (or went away before it got here) gives its place up as soon as it gets it, or at once while holding
 * back, and no create runs for it. A create that runs keeps its place until its handler has settled, or
 * its request deadline has passed without an answer (the client then has its 503), whether or not its
 * client is still there: a client that sends creates and hangs up cannot have more than `limit` running,
 * and a create stuck on a dependency past its deadline does not keep its place from the next. A create that
 * answered (or whose client hung up) keeps its place while its handler goes on, starting its workflows, for
 * one more request deadline (`ms`) at most.
 */
export function bulkLane(limit: number, presence: Pick<InteractivePresence, 'quiet'>, yieldMaxMs: number): BulkLane {
  const slots = new Semaphore(limit);
  const marginMs = 100;
  return (handler) => async (req, res, next) => {
    const deadline = deadlineOf(res);
    // 'close' comes after the answer, or as soon as the client has gone; it may have come already.
    const gone = new Promise<true>((resolve) => (res.closed ? resolve(true) : res.once('close', () => resolve(true))));
    let release: () => void;
    try {
      [, release] = await withTimeout(slots, deadline.remaining(marginMs), TIMED_OUT).acquire();
    } catch (error) {
      if (error !== TIMED_OUT) throw error;
      throw serviceUnavailable(`${limit} creates are in progress here and none finished before this one's deadline; retry the request`);
    }
    let running: Promise<unknown> | undefined;
    try {
      if (res.closed) return;
      const wait = Math.min(yieldMaxMs, deadline.remaining(marginMs) / 2);
      if (await Promise.race([presence.quiet(wait).then(() => false), gone])) return;
      const settled = (async () => handler(req, res, next))();
      running = settled;
      // The deadline's signal aborts only for a request not answered in time (its client has its 503). One
      // answered in time goes on starting its workflows (src/app/start-after-commit.ts) and keeps its place
      // meanwhile, for one more request deadline at most: the lane bounds the starts in flight too.
      const placeEndsAt = deadline.at + deadline.ms;
      await within(Promise.race([settled.catch(() => undefined), passed(deadline.signal)]), Math.max(1, placeEndsAt - Date.now()), undefined);
    } finally {
      release();
    }
    // Express forwards the handler's failure, even one that comes after its place was given up.
    return running;
  };
}

/** Resolves when `signal` aborts (at once if it has). */
const passed = (signal: AbortSignal) =>
  new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

/** A create route's handler in the bulk lane createApp set up (`ctx.bulkLane`). */
export function inBulkLane(lane: BulkLane | undefined, handler: RequestHandler): RequestHandler {
  if (!lane) throw new Error('create routes need the bulk lane: build the app with createApp');
  return lane(handler);
}
