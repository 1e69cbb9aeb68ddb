import { type Duration, parseDuration } from './domain/duration';

const DAY_MS = 86_400_000;

/** The longest wait a process's own timer takes: 24 days (Node's setTimeout holds a signed 32-bit count of ms, about 24.8 days; past it, 1 ms). */
export const MAX_TIMER_MS = 24 * DAY_MS;

/** The longest duration any setting takes: ten years (a date computed from a longer one leaves what PostgreSQL and JavaScript hold). */
const MAX_DURATION_MS = 3650 * DAY_MS;

export interface DurationBounds {
  /** 0 is taken (off, or now); otherwise a duration must be more than 0. */
  zero?: boolean;
  /** The most it may be, in ms (business days count as days). Default ten years. */
  maxMs?: number;
  /** Only clock units (ms, s, m, h, d): a wait the process keeps itself, which knows no business days. */
  clock?: boolean;
}

const spelled = (ms: number) => (ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * A duration setting (`30s`, `15m`, `2h`, `2d`, `1bd`): unset or empty is `fallback`. Refused at start,
 * naming the variable: a number without its unit (`4` read as 4 ms would be four hours meant), 0 unless
 * `bounds.zero`, more than `bounds.maxMs` (ten years by default), business days where `bounds.clock`.
 */
export function durationSetting(env: NodeJS.ProcessEnv, name: string, fallback: string, bounds: DurationBounds = {}): Duration {
  const text = env[name]?.trim() || fallback;
  const fail = (why: string): never => {
    throw new Error(`${name}: "${env[name]}" ${why}`);
  };
  if (/^\d+(\.\d+)?$/.test(text) && Number(text) !== 0) fail(`needs a unit: ${text}ms, ${text}s, ${text}m, ${text}h or ${text}d`);
  let value: Duration;
  try {
    value = parseDuration(text);
  } catch (error) {
    return fail((error as Error).message.replace(/^"[^"]*" /, ''));
  }
  const ms = value.ms ?? value.businessDays * DAY_MS;
  const maxMs = bounds.maxMs ?? MAX_DURATION_MS;
  if (bounds.clock && value.ms === undefined) fail('must be in clock units (ms, s, m, h, d), not business days');
  if (ms === 0 && !bounds.zero) fail('must be more than 0');
  if (ms > maxMs) fail(`must be at most ${spelled(maxMs)}`);
  return value;
}

/** A comma-separated list of `durationSetting`s (`5s,5m,30m`), each held to `bounds`. */
export function durationListSetting(env: NodeJS.ProcessEnv, name: string, fallback: string, bounds: DurationBounds = {}): Duration[] {
  const text = env[name]?.trim() || fallback;
  return text.split(',').map((item) => durationSetting({ [name]: item.trim() }, name, '', bounds));
}

/** A `durationSetting` in clock units only (ms, s, m, h, d), so its `ms` is always there. */
export function clockDurationSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string,
  bounds: Omit<DurationBounds, 'clock'> = {},
): Duration & { ms: number } {
  return durationSetting(env, name, fallback, { ...bounds, clock: true }) as Duration & { ms: number };
}

/** A wait the process keeps itself with a timer: clock units, more than 0, at most `maxMs` (and what a timer holds, about 24 days). */
export function clockTimeSetting(env: NodeJS.ProcessEnv, name: string, fallback: string, maxMs = MAX_TIMER_MS): Duration & { ms: number } {
  return clockDurationSetting(env, name, fallback, { maxMs: Math.min(maxMs, MAX_TIMER_MS) });
}

/** A whole-number setting in decimal digits (no `0x10`, `1e3`), from `min` to `max`; unset or empty is `fallback`. */
export function wholeNumberSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number, min = 1): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new Error(`${name}: "${env[name]}" is not a whole number from ${min} to ${max}`);
  return value;
}
