/**
 * Reuse periods of validation data (BR §4.2.1, ballot SC-081). The period that applies is
 * chosen by the date of *issuance* (the moment of use), not by the date of validation, so a
 * validation can lose its reuse window early when a shorter period comes into force.
 * Days are 86,400-second days and any fraction counts as a whole day (BR §6.3.2).
 */

export const DAY_MS = 86_400_000;

interface ScheduleStep {
  /** First instant (UTC) the period applies. */
  from: Date;
  days: number;
}

/** Steps in increasing `from` order; the first step applies to everything earlier. */
type Schedule = readonly ScheduleStep[];

const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);

export const DOMAIN_REUSE_SCHEDULE: Schedule = [
  { from: new Date(-8.64e15), days: 398 },
  { from: utc('2026-03-15'), days: 200 },
  { from: utc('2027-03-15'), days: 100 },
  { from: utc('2029-03-15'), days: 10 },
];

export const IDENTITY_REUSE_SCHEDULE: Schedule = [
  { from: new Date(-8.64e15), days: 825 },
  { from: utc('2026-03-15'), days: 398 },
];

function periodAt(schedule: Schedule, at: Date): number {
  let days = schedule[0].days;
  for (const step of schedule) if (at.getTime() >= step.from.getTime()) days = step.days;
  return days;
}

/** Maximum age in days of domain validation data for a certificate issued at `at`. */
export function domainReusePeriodDays(at: Date): number {
  return periodAt(DOMAIN_REUSE_SCHEDULE, at);
}

/** Maximum age in days of organization / authority (Subject Identity) data used at `at`. */
export function identityReusePeriodDays(at: Date): number {
  return periodAt(IDENTITY_REUSE_SCHEDULE, at);
}

export type ReuseKind = 'domain' | 'identity';

const scheduleOf = (kind: ReuseKind): Schedule => (kind === 'domain' ? DOMAIN_REUSE_SCHEDULE : IDENTITY_REUSE_SCHEDULE);

/**
 * True when evidence obtained at `validatedAt` may still be relied on at `at`.
 * Evidence from the future (clock skew, bad data) is never usable.
 */
export function isWithinReuse(kind: ReuseKind, validatedAt: Date, at: Date): boolean {
  const age = at.getTime() - validatedAt.getTime();
  if (age < 0) return false;
  return age <= periodAt(scheduleOf(kind), at) * DAY_MS;
}

export const isDomainValidationReusable = (validatedAt: Date, at: Date) => isWithinReuse('domain', validatedAt, at);
export const isIdentityValidationReusable = (validatedAt: Date, at: Date) => isWithinReuse('identity', validatedAt, at);

/**
 * The last instant (ms precision) at which evidence from `validatedAt` is still usable, taking
 * future schedule changes into account: the moment to set an expiry timer for.
 */
export function reusableUntil(kind: ReuseKind, validatedAt: Date): Date {
  const schedule = scheduleOf(kind);
  const v = validatedAt.getTime();
  for (let i = 0; i < schedule.length; i++) {
    const start = schedule[i].from.getTime();
    const end = i + 1 < schedule.length ? schedule[i + 1].from.getTime() : Infinity;
    if (end <= v) continue;
    const deadline = v + schedule[i].days * DAY_MS;
    const segmentStart = Math.max(v, start);
    // Already too old when this (shorter) period starts: usable until just before it.
    if (deadline < segmentStart) return new Date(segmentStart - 1);
    if (deadline < end) return new Date(deadline);
  }
  /* istanbul ignore next -- the last step is open-ended, so the loop always returns */
  throw new Error('unreachable');
}
