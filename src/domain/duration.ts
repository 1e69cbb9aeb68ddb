/**
 * Durations as configuration: "30s", "15m", "2h", "2d", "1bd" (business days) or plain milliseconds.
 * Business days skip Saturdays and Sundays (UTC), matching the CA's "about one business day" review promise.
 */
export type Duration = { ms: number; businessDays?: undefined } | { businessDays: number; ms?: undefined };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): Duration {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|bd)?\s*$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration (examples: 30s, 15m, 2h, 2d, 1bd)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 'ms';
  if (unit === 'bd') {
    if (!Number.isInteger(value)) throw new Error(`"${text}": business days must be a whole number`);
    return { businessDays: value };
  }
  return { ms: Math.round(value * UNIT_MS[unit]) };
}

function isWeekend(date: Date): boolean {
  const day = date.getUTCDay();
  return day === 0 || day === 6;
}

/** `from` plus the duration; business days move to the same time on the n-th following weekday. */
export function addDuration(from: Date, duration: Duration): Date {
  if (duration.ms !== undefined) return new Date(from.getTime() + duration.ms);
  const result = new Date(from.getTime());
  let remaining = duration.businessDays;
  while (remaining > 0) {
    result.setUTCDate(result.getUTCDate() + 1);
    if (!isWeekend(result)) remaining--;
  }
  return result;
}

export function formatDuration(duration: Duration): string {
  return duration.ms !== undefined ? `${duration.ms}ms` : `${duration.businessDays}bd`;
}
