/**
 * CA/Browser Forum Baseline Requirements §4.2.1 reuse periods, by the date of use.
 * Identity (organization and administrator) data: 825 days, then 398 days from 2026-03-15.
 */
const DAY_MS = 86_400_000;

const IDENTITY_SCHEDULE: ReadonlyArray<{ from: string; days: number }> = [
  { from: '2026-03-15', days: 398 },
];

export function identityReusePeriodDays(on: Date): number {
  let days = 825;
  for (const step of IDENTITY_SCHEDULE) if (on.getTime() >= Date.parse(`${step.from}T00:00:00Z`)) days = step.days;
  return days;
}

/** validUntil of identity data approved at `approvedAt`; `overrideMs` replaces the schedule (tests, stricter policies). */
export function identityValidUntil(approvedAt: Date, overrideMs?: number): Date {
  const period = overrideMs ?? identityReusePeriodDays(approvedAt) * DAY_MS;
  return new Date(approvedAt.getTime() + period);
}
