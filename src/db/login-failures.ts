import { sql } from 'kysely';
import type { Db } from './connect';

/** A limit on failed sign-ins for one key (`email:…`, `address:…`) in a fixed window. */
export interface FailureLimit {
  key: string;
  max: number;
}

/**
 * Seconds until sign-in is allowed again for the first of `limits` whose window holds `max` failures or
 * more; 0 when none does. Counts live in PostgreSQL, so every API replica sees the same.
 */
export async function loginWait(db: Db, limits: FailureLimit[], windowMs: number, now: Date): Promise<number> {
  const rows = await db
    .selectFrom('login_failures')
    .selectAll()
    .where(
      'key',
      'in',
      limits.map((l) => l.key),
    )
    .execute();
  let wait = 0;
  for (const row of rows) {
    const limit = limits.find((l) => l.key === row.key)!;
    const endsAt = new Date(row.window_started_at).getTime() + windowMs;
    if (row.failures >= limit.max && endsAt > now.getTime()) wait = Math.max(wait, Math.ceil((endsAt - now.getTime()) / 1000));
  }
  return wait;
}

/** Counts one failed sign-in against each key, starting a new window where the last one has ended. */
export async function recordLoginFailure(db: Db, keys: string[], windowMs: number, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - windowMs);
  for (const key of keys) {
    await db
      .insertInto('login_failures')
      .values({ key, window_started_at: now, failures: 1 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`case when login_failures.window_started_at <= ${windowStart} then 1 else login_failures.failures + 1 end`,
          window_started_at: sql`case when login_failures.window_started_at <= ${windowStart} then ${now} else login_failures.window_started_at end`,
        }),
      )
      .execute();
  }
}

/** A successful sign-in clears its email's count (the client address keeps its own). */
export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_failures').where('key', '=', key).execute();
}
