import { Semaphore, withTimeout } from 'async-mutex';
import type { RequestHandler } from 'express';
import { serviceUnavailable } from '../temporal/update-errors';
import { deadlineOf } from './deadline';
import type { InteractivePresence } from '../db/interactive-presence';

const TIMED_OUT = new Error('bulk lane: no room before the request deadline');

/**
 * The bulk lane (issue 6: interactive work is never starved). Creates start new workflows and are what
 * a client sends by the thousand; at most `limit` of them are in progress at once in this process, the
 * rest wait in arrival order. Everything else (decisions, edits, deletes, pre-checks, reads) never waits
 * here, so a burst of creates takes a bounded share of this process's CPU and database connections
 * instead of all of it. A create still waiting when its deadline is near answers 503 with Retry-After,
 * before anything was written, so the client's retry is safe.
 *
 * A create that has its place then waits while an interactive request is in progress in any API process
 * (`presence`), for at most `yieldMaxMs` and never past its own deadline's margin, so a decision does not
 * share the machine with new creates; a steady stream of decisions slows creates, never stops them.
 */
export function bulkLane(limit: number, presence: InteractivePresence, yieldMaxMs: number): RequestHandler {
  const slots = new Semaphore(limit);
  return async (_req, res, next) => {
    const marginMs = 100;
    let release: () => void;
    try {
      [, release] = await withTimeout(slots, deadlineOf(res).remaining(marginMs), TIMED_OUT).acquire();
    } catch (error) {
      if (error !== TIMED_OUT) throw error;
      throw serviceUnavailable(`${limit} creates are in progress here and none finished before this one's deadline; retry the request`);
    }
    let released = false;
    const done = () => (released ? undefined : ((released = true), release()));
    res.once('finish', done);
    res.once('close', done);
    await presence.quiet(Math.min(yieldMaxMs, deadlineOf(res).remaining(marginMs)));
    next();
  };
}

/** The route's place in the bulk lane createApp set up (`ctx.bulkLane`). */
export function inBulkLane(lane: RequestHandler | undefined): RequestHandler {
  if (!lane) throw new Error('create routes need the bulk lane: build the app with createApp');
  return lane;
}
