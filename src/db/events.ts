import { type Kysely, sql, type Transaction } from 'kysely';
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
  const audit = trx
    .insertInto('events')
    .values({
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
    })
    .returning('id');
  const type = feedTypeOf(event.entityKind, event.action, event.after);
  if (!type) return (await audit.executeTakeFirstOrThrow()).id;
  // The public event in the audit event's statement: one round trip for both (issue 9).
  const snapshot = JSON.stringify(event.snapshot ?? (await snapshotOf(trx, event.entityKind, event.entityId)) ?? null);
  const { id } = await trx
    .with('audit', () => audit)
    .with('feed', (db) =>
      db
        .insertInto('account_events')
        .columns(['account_id', 'type', 'object_kind', 'object_id', 'snapshot', 'audit_event_id', 'at'])
        .expression(
          db
            .selectFrom('audit')
            .select([
              sql<string>`${event.accountId}::uuid`.as('account_id'),
              sql<string>`${type}::text`.as('type'),
              sql<string>`${event.entityKind}::text`.as('object_kind'),
              sql<string>`${event.entityId}::uuid`.as('object_id'),
              sql<string>`${snapshot}::jsonb`.as('snapshot'),
              'audit.id as audit_event_id',
              (event.at ? sql<Date>`${event.at}::timestamptz` : sql<Date>`now()`).as('at'),
            ]),
        ),
    )
    .selectFrom('audit')
    .select('id')
    .executeTakeFirstOrThrow();
  return id;
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
