import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { EventType, ObjectKind } from './event-types';

/** One public event, written by the change that causes it. */
export interface OutboxEvent {
  accountId: string;
  type: EventType;
  object: { kind: ObjectKind; id: string };
  /** The change's moment; the transaction's clock when unset. */
  at?: Date;
  /** The audit event of the change (one public event per change, also when an activity is retried). */
  auditEventId?: string;
  /** For notices that are no status change: the same notice is written once (e.g. `expiring:7d:<validUntil>`). */
  noticeKey?: string;
  /** The object as it is now; read from its table in this transaction when not given. */
  snapshot?: unknown;
}

/**
 * Writes a public event into the account's feed (the webhook and email outbox) in the caller's
 * transaction, so it commits or rolls back with the change (docs/architecture.md rule 1), with a
 * snapshot of the object taken in that same transaction. A notice already written (same `noticeKey`)
 * writes nothing and returns false.
 */
export async function recordOutboxEvent(trx: Transaction<Database>, event: OutboxEvent): Promise<boolean> {
  const snapshot = event.snapshot ?? (await snapshotOf(trx, event.object.kind, event.object.id));
  const inserted = await trx
    .insertInto('account_events')
    .values({
      account_id: event.accountId,
      type: event.type,
      object_kind: event.object.kind,
      object_id: event.object.id,
      snapshot: JSON.stringify(snapshot ?? null),
      audit_event_id: event.auditEventId ?? null,
      notice_key: event.noticeKey ?? null,
      ...(event.at ? { at: event.at } : {}),
    })
    .onConflict((oc) => oc.column('notice_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * The object's row as this transaction sees it (an organization with its administrators), or null when
 * it is gone. The feed renders it with the API's public views (src/notify/feed.ts).
 */
export async function snapshotOf(trx: Transaction<Database>, kind: ObjectKind, id: string): Promise<unknown> {
  switch (kind) {
    case 'organization': {
      const row = await trx.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      const administrators = await trx.selectFrom('administrators').selectAll().where('organization_id', '=', id).orderBy('created_at').orderBy('id').execute();
      return { ...row, administrators };
    }
    case 'administrator':
      return (await trx.selectFrom('administrators').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
    case 'domain':
      return (await trx.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
    case 'webhook':
      return null;
  }
}
