import { Client as PgClient } from 'pg';
import { ADMINISTRATOR, ORGANIZATION, type Api, type Harness } from './harness';

/**
 * With CREATE_CONCURRENCY=1: `blocked`'s create holds the bulk lane's one place (its account's row lock,
 * which it takes first, is held here) while `during` runs; then the lock goes, that create answers (201, or
 * 503 if the lock outlasted its deadline), and what `during` returned checks the rest.
 */
export async function withLaneHeld(harness: Harness, blocked: Api, during: () => Promise<() => Promise<void>>): Promise<number> {
  const lock = new PgClient({ connectionString: harness.databaseUrl });
  await lock.connect();
  try {
    await lock.query('begin');
    await lock.query('select id from accounts where id = $1 for update', [blocked.id]);
    const first = blocked.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
    await new Promise((r) => setTimeout(r, 200));
    const afterwards = await during();
    await lock.query('commit');
    const { status } = await first;
    await afterwards();
    return status;
  } finally {
    await lock.end();
  }
}
