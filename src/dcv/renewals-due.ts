import { sql } from 'kysely';
import type { Db } from '../db/connect';
import { addDuration, type Duration } from '../domain/duration';
import type { DomainWorkflows } from '../temporal/domain-client';
import { AUTOMATIC_METHODS } from './instructions';

/** Signals sent at once by one pass. */
const SIGNALS_IN_FLIGHT = 16;

/**
 * The validated domains of an automatic method whose renewal is due now under `revalidateBefore` as
 * configured now (at most a third of the validity before `valid_until`: src/dcv/domain-state.ts
 * `revalidationTime`) and has not started since they validated (no `renewal_started` event): those whose
 * workflow planned a later renewal under a shorter lead. Earliest `valid_until` first, at most `limit`.
 * Returns their ids.
 */
export async function renewalsDue(db: Db, revalidateBefore: Duration, now = new Date(), limit = 500): Promise<string[]> {
  const leadSeconds = (addDuration(now, revalidateBefore).getTime() - now.getTime()) / 1000;
  const lead = sql<string>`make_interval(secs => ${leadSeconds})`;
  const rows = await db
    .selectFrom('domains')
    .select('id')
    .where('status', '=', 'validated')
    .where('method', 'in', [...AUTOMATIC_METHODS])
    .where('valid_until', '>', now)
    .where('valid_until', '<=', addDuration(now, revalidateBefore))
    .where(sql<boolean>`valid_until - least(${lead}, (valid_until - validated_at) / 3) <= ${now}`)
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
 * second signal finds the renewal planned or started). Returns how many domains were told.
 */
export async function replanRenewalsDue(
  db: Db,
  domains: Pick<DomainWorkflows, 'replanRenewal'>,
  revalidateBefore: Duration,
  now = new Date(),
): Promise<number> {
  const ids = await renewalsDue(db, revalidateBefore, now);
  for (let i = 0; i < ids.length; i += SIGNALS_IN_FLIGHT) await Promise.all(ids.slice(i, i + SIGNALS_IN_FLIGHT).map((id) => domains.replanRenewal(id)));
  return ids.length;
}
