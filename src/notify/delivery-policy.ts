// Pure rules of webhook delivery (Standard Webhooks, "Retry schedule" and "Disabling failing endpoints").
import { addDuration, type Duration } from '../domain/duration';

export type AttemptVerdict = 'delivered' | 'gone' | 'failed';

/** 2xx is delivered; 410 Gone asks the sender to stop (the endpoint is disabled); anything else, 3xx included, failed. */
export function verdictOf(status: number | null): AttemptVerdict {
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'failed';
}

/** At most this much jitter is added to each wait, so endpoints that failed together do not all retry together. */
export const JITTER = 0.2;
/** A `Retry-After` longer than this is not honoured beyond it. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/**
 * When a failed message is tried next, after `attempts` attempts (the one just made included): the
 * schedule's `attempts`-th wait, up to 20 % longer (`random` in [0, 1)), or the endpoint's `Retry-After`
 * when longer (at most a day). Null once the schedule is used up: the message failed for good.
 */
export function nextAttemptAt(attempts: number, schedule: readonly Duration[], retryAfterSeconds: number | null, now: Date, random: number): Date | null {
  const wait = schedule[attempts - 1];
  if (wait === undefined) return null;
  const base = addDuration(now, wait).getTime() - now.getTime();
  const jittered = base * (1 + JITTER * random);
  const asked = retryAfterSeconds === null ? 0 : Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1000;
  return new Date(now.getTime() + Math.max(jittered, asked));
}
