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
 * A create that has its place then holds back while a reviewer's decision is in progress in any API
 * process (`presence`, issue 9), for at most `yieldMaxMs` and never more than half of what is left of its
 * deadline, so the create itself keeps time to finish. A client that goes away while its create waits
 * gives its place up as soon as it gets it (or at once, while holding back), and no create runs for it.
 */
export function bulkLane(limit: number, presence: Pick<InteractivePresence, 'quiet'>, yieldMaxMs: number): RequestHandler {
  const slots = new Semaphore(limit);
  return async (_req, res, next) => {
    const marginMs = 100;
    // Attached before any wait: 'close' comes after the answer, or as soon as the client has gone.
    let gone = false;
    let free: (() => void) | undefined;
    const leave = () => {
      gone = true;
      free?.();
      free = undefined;
    };
    res.once('close', leave);
    res.once('finish', () => (free?.(), (free = undefined)));
    try {
      [, free] = await withTimeout(slots, deadlineOf(res).remaining(marginMs), TIMED_OUT).acquire();
    } catch (error) {
      if (error !== TIMED_OUT) throw error;
      throw serviceUnavailable(`${limit} creates are in progress here and none finished before this one's deadline; retry the request`);
    }
    if (gone) return leave();
    await presence.quiet(Math.min(yieldMaxMs, deadlineOf(res).remaining(marginMs) / 2));
    if (!gone) next();
  };
}

/** The route's place in the bulk lane createApp set up (`ctx.bulkLane`). */
export function inBulkLane(lane: RequestHandler | undefined): RequestHandler {
  if (!lane) throw new Error('create routes need the bulk lane: build the app with createApp');
  return lane;
}
