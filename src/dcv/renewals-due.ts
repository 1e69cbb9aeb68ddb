import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { addDuration, type Duration } from '../domain/duration';
import type { DomainWorkflows } from '../temporal/domain-client';
import { AUTOMATIC_METHODS } from './instructions';

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Signals sent at once by one pass. */
const SIGNALS_IN_FLIGHT = 16;

/**
 * The lead in seconds for a `valid_until` on each weekday (UTC, 0 = Sunday): `revalidationTime` counts
 * business days forward from `valid_until`, so the same setting is a different span on each weekday.
 */
function leadsByWeekday(revalidateBefore: Duration): number[] {
  const sunday = new Date(Date.UTC(2023, 0, 1));
  return Array.from({ length: 7 }, (_, day) => {
    const from = new Date(sunday.getTime() + day * 86_400_000);
    return (addDuration(from, revalidateBefore).getTime() - from.getTime()) / 1000;
  });
}

/**
 * The validated domains of an automatic method whose renewal is due now under `revalidateBefore` as
 * configured now, reckoned as the workflow does (src/dcv/domain-state.ts `revalidationTime`: at most a third
 * of the validity before `valid_until`, business days counted from `valid_until`, none without `validated_at`)
 * and has not started since they validated (no `renewal_started` event): those whose workflow planned a
 * later renewal under a shorter lead. Earliest `valid_until` first, at most `limit`. Returns their ids.
 */
export async function renewalsDue(db: Db, revalidateBefore: Duration, now = new Date(), limit = 500): Promise<string[]> {
  const leads = leadsByWeekday(revalidateBefore);
  const lead = sql<number>`(array[${sql.join(leads.map((seconds) => sql`${seconds}::float8`))}])[extract(dow from valid_until at time zone 'UTC')::int + 1]`;
  // In seconds, not intervals: an interval of days subtracted in the session's time zone moves by an hour across a DST change.
  const renewsAt = sql<number>`extract(epoch from valid_until) - least(${lead}, extract(epoch from valid_until - validated_at) / 3)`;
  const rows = await db
    .selectFrom('domains')
    .select('id')
    .where('status', '=', 'validated')
    .where('method', 'in', [...AUTOMATIC_METHODS])
    .where('validated_at', 'is not', null)
    .where('valid_until', '>', now)
    .where('valid_until', '<=', new Date(now.getTime() + Math.max(...leads) * 1000))
    .where(sql<boolean>`${renewsAt} <= ${now.getTime() / 1000}::float8`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('events')
            .select('events.id')
            .whereRef('events.entity_id', '=', 'domains.id')
            .where('events.action', '=', 'renewal_started')
            .whereRef('events.at', '>=', 'domains.validated_at'),
        ),
      ),
    )
    .orderBy('valid_until')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * The worker's pass (NOTICE_INTERVAL) that brings a lengthened DCV_REVALIDATE_BEFORE to domains already
 * waiting for their renewal: each domain {@link renewalsDue} finds is told to plan its renewal again, which
 * it does from the setting as its worker is configured (`renewalTime`). A shortened lead needs no pass: the
 * workflow reads the setting again when the time it planned comes. Safe in several workers at once (a
 * second signal finds the renewal planned or started). Returns how many domains were told. Throws, once every
 * domain was tried, when some signals failed (the pass logs it; the next pass tries them again).
 */
export async function replanRenewalsDue(
  db: Db,
  domains: Pick<DomainWorkflows, 'replanRenewal'>,
  revalidateBefore: Duration,
  now = new Date(),
): Promise<number> {
  const ids = await renewalsDue(db, revalidateBefore, now);
  const failed: string[] = [];
  // Every domain is tried: one whose signal fails (Temporal slow for it) does not hold up the others.
  for (let i = 0; i < ids.length; i += SIGNALS_IN_FLIGHT) {
    const batch = ids.slice(i, i + SIGNALS_IN_FLIGHT);
    const outcomes = await Promise.allSettled(batch.map((id) => domains.replanRenewal(id)));
    outcomes.forEach((outcome, j) => outcome.status === 'rejected' && failed.push(`${batch[j]} (${errorMessage(outcome.reason)})`));
  }
  if (failed.length)
    throw new Error(`${failed.length} of ${ids.length} domains could not be told to plan their renewal again: ${failed.slice(0, 5).join('; ')}`);
  return ids.length;
}
