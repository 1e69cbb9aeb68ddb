import { sql } from 'kysely';
import type { DcvConfig } from '../config';
import type { Db } from '../db/connect';
import type { AccountEventRow, AdministratorRow, DomainRow, OrganizationRow } from '../db/schema';
import { administratorView, domainView, organizationView } from '../api/views';
import { log } from '../log';
import type { ObjectKind } from './event-types';

/** Where a reader of the feed stands: the last event it saw, in feed order. */
export interface FeedPosition {
  txid: string;
  id: string;
}

const EVENT_ID = /^evt_([1-9][0-9]{0,17})$/;

/** `evt_<n>`: the public id of a feed event, and its `webhook-id` (Standard Webhooks: no `.` in it). */
export const eventIdOf = (id: string | number) => `evt_${id}`;

/** The row id of a public event id, or undefined when it is not one. */
export function rowIdOf(eventId: string): string | undefined {
  return EVENT_ID.exec(eventId)?.[1];
}

/**
 * Transactions of other databases on the same server: their ids are in every snapshot (transaction ids
 * are the server's), but they can never write this database's rows. Named by the 32 low bits pg_stat_activity
 * shows of each backend's top-level transaction id; a backend that shows none (another role's, without
 * pg_read_all_stats) or no database is not excluded, so an unknown transaction only ever holds the feed back.
 */
const OTHER_DATABASES = sql`select backend_xid::text::bigint from pg_stat_activity
  where backend_xid is not null and datid <> (select oid from pg_database where datname = current_database())`;

/**
 * Only what no running transaction of this database can still precede: rows whose transaction is older
 * than every one in progress here (the reading statement's snapshot: its running transactions, else its
 * `xmax`). A row committed late has a smaller id but a txid at least that horizon, so it sorts after
 * everything a reader has already been shown and no cursor skips it. A transaction that ended between the
 * snapshot and the read of pg_stat_activity is not found there, and counts as running: safe.
 */
export const settled = sql<boolean>`txid < coalesce(
  (select min(running) from pg_snapshot_xip(pg_current_snapshot()) as running
    where running::text::bigint % 4294967296 not in (${OTHER_DATABASES})),
  pg_snapshot_xmax(pg_current_snapshot()))`;

/** The feed position of one of the account's events, or undefined when the account has no such event. */
export async function positionOf(db: Db, accountId: string, rowId: string): Promise<FeedPosition | undefined> {
  const row = await db
    .selectFrom('account_events')
    .select(['id', sql<string>`txid::text`.as('txid')])
    .where('account_id', '=', accountId)
    .where('id', '=', rowId)
    .executeTakeFirst();
  return row && { txid: row.txid, id: row.id };
}

/**
 * The account's events in feed order (commit order, oldest first) after `after`, `limit + 1` of them
 * (to tell whether more follow). `types` keeps only those types.
 */
export async function readFeed(
  db: Db,
  accountId: string,
  options: { after?: FeedPosition; types?: readonly string[]; limit: number },
): Promise<(AccountEventRow & { txid: string })[]> {
  let query = db
    .selectFrom('account_events')
    .select(['id', 'account_id', 'type', 'object_kind', 'object_id', 'at', 'snapshot', 'audit_event_id', 'notice_key', sql<string>`txid::text`.as('txid')])
    .where('account_id', '=', accountId)
    .where(settled);
  if (options.types?.length) query = query.where('type', 'in', [...options.types]);
  if (options.after) query = query.where(sql`(txid, id)`, '>', sql`(${options.after.txid}::xid8, ${options.after.id}::bigint)`);
  return query
    .orderBy('txid')
    .orderBy('id')
    .limit(options.limit + 1)
    .execute();
}

/** The public view of an event's object as the snapshot holds it (src/api/views.ts), as of `at`; null when it was gone. */
export function objectView(kind: ObjectKind | string, snapshot: unknown, dcv: DcvConfig, at: Date): unknown {
  if (snapshot === null || snapshot === undefined) return null;
  switch (kind) {
    case 'organization': {
      const { administrators, ...organization } = snapshot as OrganizationRow & { administrators: AdministratorRow[] };
      return organizationView(organization as OrganizationRow, administrators ?? []);
    }
    case 'administrator':
      return administratorView(snapshot as AdministratorRow);
    case 'domain':
      return domainView(snapshot as DomainRow, dcv, at);
    default:
      // Written as its view already (a webhook endpoint).
      return snapshot;
  }
}

/**
 * An event as the feed lists it and webhooks send it (the Standard Webhooks payload shape: `type`,
 * `timestamp`, `data`): its id, type, time, the object's id and its public view at that moment.
 */
export function feedEventView(row: Pick<AccountEventRow, 'id' | 'type' | 'at' | 'object_kind' | 'object_id' | 'snapshot'>, dcv: DcvConfig) {
  return {
    id: eventIdOf(row.id),
    type: row.type,
    timestamp: new Date(row.at).toISOString(),
    objectKind: row.object_kind,
    objectId: row.object_id,
    data: renderedObject(row, dcv),
  };
}

/**
 * The event's object view; null, with an error log naming the event, when its snapshot cannot be
 * rendered: one such event must not fail the feed's page, its webhooks or every later email.
 */
function renderedObject(row: Pick<AccountEventRow, 'id' | 'type' | 'at' | 'object_kind' | 'snapshot'>, dcv: DcvConfig): unknown {
  try {
    return objectView(row.object_kind, row.snapshot, dcv, new Date(row.at));
  } catch (error) {
    log.error({ err: error, eventId: eventIdOf(row.id), type: row.type }, 'event snapshot cannot be rendered: its data is null');
    return null;
  }
}

export type FeedEvent = ReturnType<typeof feedEventView>;
