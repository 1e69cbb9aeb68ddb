import { sql } from 'kysely';
import type { Db } from './connect';

/** A limit on sign-in attempts for one key (`email:…`, `address:…`) in a fixed window. */
export interface AttemptLimit {
  key: string;
  max: number;
}

/**
 * Counts one sign-in attempt against each key before its password is checked (OWASP Authentication Cheat
 * Sheet, "login throttling"), starting a new window where the last one has ended, and returns the seconds
 * until sign-in is allowed again for the first key whose window now holds more than `max` attempts; 0 when
 * the attempt may go on. Each count is one statement under the row's lock, so attempts sent at the same
 * moment get distinct counts: checking first and counting after the password was judged let a burst of
 * parallel guesses all pass the check. Counts live in PostgreSQL, so every API replica sees the same.
 */
export async function countLoginAttempt(db: Db, limits: AttemptLimit[], windowMs: number, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - windowMs);
  let wait = 0;
  for (const limit of limits) {
    const row = await db
      .insertInto('login_failures')
      .values({ key: limit.key, window_started_at: now, failures: 1 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`case when login_failures.window_started_at <= ${windowStart} then 1 else login_failures.failures + 1 end`,
          window_started_at: sql`case when login_failures.window_started_at <= ${windowStart} then ${now} else login_failures.window_started_at end`,
        }),
      )
      .returning(['failures', 'window_started_at'])
      .executeTakeFirstOrThrow();
    const endsAt = new Date(row.window_started_at).getTime() + windowMs;
    if (row.failures > limit.max) wait = Math.max(wait, Math.ceil((endsAt - now.getTime()) / 1000));
  }
  return wait;
}

/**
 * A sign-in that succeeded: its email's count is cleared, and its attempt no longer counts against the
 * client address (which keeps the failures it had).
 */
export async function forgiveLoginAttempt(db: Db, emailKey: string | undefined, addressKey: string): Promise<void> {
  if (emailKey) await db.deleteFrom('login_failures').where('key', '=', emailKey).execute();
  await db
    .updateTable('login_failures')
    .set({ failures: sql`login_failures.failures - 1` })
    .where('key', '=', addressKey)
    .where('failures', '>', 0)
    .execute();
}
