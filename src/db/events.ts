import type { Transaction } from 'kysely';
import type { Actor } from '../../workflows/messages';
import type { Database } from './schema';

export interface AuditEvent {
  accountId: string;
  entityKind: 'organization' | 'administrator' | 'domain';
  entityId: string;
  actor: Actor;
  action: string;
  before?: unknown;
  after?: unknown;
  note?: string | null;
}

/** Written in the same transaction as the change it describes, so the trail never misses or invents a change. */
export async function recordEvent(trx: Transaction<Database>, event: AuditEvent): Promise<void> {
  await trx
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
    })
    .execute();
}
