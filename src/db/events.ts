import { type Kysely, type OperationNodeSource, sql, type Transaction } from 'kysely';
import type { Actor } from '../domain/vocabulary';
import { feedTypeOf } from '../notify/event-types';
import { snapshotOf } from '../notify/outbox';
import type { Database, EventRow } from './schema';

export interface AuditEvent {
  accountId: string;
  entityKind: 'organization' | 'administrator' | 'domain';
  entityId: string;
  actor: Actor;
  action: string;
  before?: unknown;
  after?: unknown;
  note?: string | null;
  /** When the change happened; the transaction's clock when unset. */
  at?: Date;
  /** The activity execution that made the change (see `operationOf`); null outside activities. */
  operationId?: string | null;
  /** The object as the change left it, for its public event; read in the transaction when unset (src/notify/outbox.ts). */
  snapshot?: unknown;
}

/**
 * Written in the same transaction as the change it describes, so the trail never misses or invents a
 * change. A change customers are told about (src/notify/event-types.ts) also writes its public event
 * into the account's feed, the outbox of webhooks and emails, in the same transaction: call this while
 * the object's row still holds its new state (a delete records before it deletes). Returns the audit
 * event's id.
 */
export async function recordEvent(trx: Transaction<Database>, event: AuditEvent): Promise<string> {
  const [id] = await recordEvents(trx, [event]);
  return id;
}

/**
 * `recordEvent` for several changes of one transaction, in one statement (a create's organization and
 * its administrator: one round trip instead of two, issue 9). Returns the audit events' ids in the order
 * given; the ids, and their public events' ids, ascend in that order (one multi-row insert numbers its
 * rows as it reads them, and the public events are inserted ordered by their audit event's position).
 *
 * `writes` are the change's own statements (inserts, updates; their results are not read), sent in the
 * same statement ahead of the events: a create's rows, events and stored answer in one round trip. They
 * run as data-modifying WITH queries (PostgreSQL docs, "WITH Queries"): each exactly once, all on one
 * snapshot, so none may depend on another's rows except through foreign keys, which PostgreSQL checks
 * when the statement ends. An event whose `snapshot` is unset is read before the writes run: give the
 * snapshot of a row the writes create. With no events the writes still go, in one statement.
 */
export async function recordEvents(trx: Transaction<Database>, events: AuditEvent[], writes: readonly OperationNodeSource[] = []): Promise<string[]> {
  if (events.length === 0 && writes.length === 0) return [];
  // One after another: a transaction is one connection, and pg only queues what is sent while a query runs (deprecated).
  const publicEvents = [];
  for (const [n, event] of events.entries()) {
    const row = await publicEventOf(trx, event, n);
    if (row) publicEvents.push(row);
  }
  const ctes = writes.map((write, i) => sql`${sql.id(`write${i}`)} as (${write})`);
  if (events.length > 0) {
    ctes.push(
      sql`audit as (${trx.insertInto('events').values(events.map(auditRow)).returning('id')})`,
      sql`numbered as (select id, row_number() over (order by id) - 1 as n from audit)`,
    );
  }
  if (publicEvents.length > 0) {
    ctes.push(sql`feed as (
        insert into account_events (account_id, type, object_kind, object_id, snapshot, audit_event_id, at)
        select f.account_id, f.type, f.object_kind, f.object_id, f.snapshot, numbered.id, coalesce(f.at, now())
        from (values ${sql.join(publicEvents)}) as f (n, account_id, type, object_kind, object_id, snapshot, at)
        join numbered using (n)
        order by n)`);
  }
  const result = events.length > 0 ? sql`select id from numbered order by n` : sql`select null as id`;
  const { rows } = await sql<{ id: string }>`with ${sql.join(ctes)} ${result}`.execute(trx);
  return events.length > 0 ? rows.map((row) => row.id) : [];
}

function auditRow(event: AuditEvent) {
  return {
    account_id: event.accountId,
    entity_kind: event.entityKind,
    entity_id: event.entityId,
    actor_kind: event.actor.kind,
    actor_id: event.actor.id,
    action: event.action,
    before: event.before === undefined ? null : JSON.stringify(event.before),
    after: event.after === undefined ? null : JSON.stringify(event.after),
    note: event.note ?? null,
    operation_id: event.operationId ?? null,
    ...(event.at ? { at: event.at } : {}),
  };
}

/** The public event of the `n`th audit event as a row of `recordEvents`' values list, or undefined when customers are not told of it. */
async function publicEventOf(trx: Transaction<Database>, event: AuditEvent, n: number) {
  const type = feedTypeOf(event.entityKind, event.action, event.after);
  if (!type) return undefined;
  const snapshot = JSON.stringify(event.snapshot ?? (await snapshotOf(trx, event.entityKind, event.entityId)) ?? null);
  return sql`(${n}::bigint, ${event.accountId}::uuid, ${type}::text, ${event.entityKind}::text, ${event.entityId}::uuid, ${snapshot}::jsonb, ${event.at ?? null}::timestamptz)`;
}

/**
 * The events an operation already wrote, oldest first: empty unless this is a retry of an activity whose
 * transaction committed. Read inside the retry's own transaction, after it locked the row.
 */
export async function eventsOfOperation(trx: Transaction<Database>, operationId: string | null): Promise<EventRow[]> {
  if (!operationId) return [];
  return trx.selectFrom('events').selectAll().where('operation_id', '=', operationId).orderBy('id').execute();
}

/** Whether the account's entity was deleted, by itself or with its organization or administrator. */
export async function wasDeleted(db: Kysely<Database>, accountId: string, entityId: string): Promise<boolean> {
  const event = await db
    .selectFrom('events')
    .select('id')
    .where('account_id', '=', accountId)
    .where('entity_id', '=', entityId)
    .where((eb) => eb.or([eb('action', '=', 'deleted'), eb('action', 'like', 'deleted_with_%')]))
    .executeTakeFirst();
  return event !== undefined;
}
