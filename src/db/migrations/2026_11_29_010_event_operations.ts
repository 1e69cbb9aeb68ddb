import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.

/**
 * The activity execution that wrote each audit event. An activity retried after its transaction
 * committed (a worker killed at the commit) finds its own events by this id and returns the recorded
 * outcome instead of applying the change twice or refusing it as a conflict.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('operation_id', 'text').execute();
  await db.schema
    .createIndex('events_operation')
    .on('events')
    .columns(['operation_id', 'entity_id'])
    .unique()
    .where(sql.ref('operation_id'), 'is not', null)
    .execute();
  // The same for the evidence rows a check records.
  await db.schema.alterTable('dcv_checks').addColumn('operation_id', 'text').execute();
  await db.schema.createIndex('dcv_checks_operation').on('dcv_checks').column('operation_id').unique().where(sql.ref('operation_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('dcv_checks_operation').execute();
  await db.schema.alterTable('dcv_checks').dropColumn('operation_id').execute();
  await db.schema.dropIndex('events_operation').execute();
  await db.schema.alterTable('events').dropColumn('operation_id').execute();
}
