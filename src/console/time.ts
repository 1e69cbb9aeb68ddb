/**
 * Dates in the viewer's time zone: the zone the browser reports (a cookie set by /console/static/console.js,
 * an IANA name), else UTC. Pure, on `Intl` only.
 */
export const TIME_ZONE_COOKIE = 'cps_tz';

/** An IANA time zone name this runtime knows, or undefined. */
export function validTimeZone(name: string | undefined): string | undefined {
  if (!name || name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** `2026年11月30日 10:15` / `Nov 30, 2026, 10:15 AM` in the zone; '' for no value. */
export function formatInstant(value: Date | string | null | undefined, locale: string, timeZone: string): string {
  if (value === null || value === undefined || value === '') return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(value));
}

function partsIn(at: number, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(at: number, timeZone: string): number {
  const p = partsIn(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

/** The value of an `<input type="datetime-local" step="1">` showing the instant in the zone: `2026-11-30T10:15:00`. */
export function toLocalInput(at: Date, timeZone: string): string {
  const p = partsIn(at.getTime(), timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/**
 * The instant a `datetime-local` value means in the zone (`2026-11-30T10:15` or with seconds), or undefined
 * when it is not one. A wall time skipped by a daylight-saving change reads as the instant after the gap.
 */
export function fromLocalInput(value: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (Number.isNaN(wall)) return undefined;
  let at = wall - offsetAt(wall, timeZone);
  const second = offsetAt(at, timeZone);
  if (wall - second !== at) at = wall - second;
  return new Date(at);
}
