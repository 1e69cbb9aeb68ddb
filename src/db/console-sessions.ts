import type { Db } from './connect';
import type { UserRow } from './schema';
import { newToken, tokenHash } from './users';

/** A session's user as the console needs it on every request. */
export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: UserRow['role'];
  accountId: string | null;
  reviewerId: string | null;
}

/** Opens a session for the user; returns the cookie's value (the table keeps only its sha256). */
export async function openSession(db: Db, userId: string, now: Date, expiresAt: Date): Promise<string> {
  const token = newToken();
  await db
    .insertInto('console_sessions')
    .values({ id_hash: tokenHash(token), user_id: userId, last_seen_at: now, expires_at: expiresAt })
    .execute();
  return token;
}

/** The live session of a cookie value, with its user and when it was opened (undefined once expired or ended). */
export async function findSession(db: Db, token: string, now: Date): Promise<{ user: SessionUser; createdAt: Date; lastSeenAt: Date } | undefined> {
  const row = await db
    .selectFrom('console_sessions')
    .innerJoin('users', 'users.id', 'console_sessions.user_id')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'users.role',
      'users.account_id',
      'users.reviewer_id',
      'console_sessions.created_at',
      'console_sessions.last_seen_at',
    ])
    .where('console_sessions.id_hash', '=', tokenHash(token))
    .where('console_sessions.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    user: { id: row.id, name: row.name, email: row.email, role: row.role, accountId: row.account_id, reviewerId: row.reviewer_id },
    createdAt: new Date(row.created_at),
    lastSeenAt: new Date(row.last_seen_at),
  };
}

/** Pushes the idle expiry forward after use. */
export async function touchSession(db: Db, token: string, now: Date, expiresAt: Date): Promise<void> {
  await db.updateTable('console_sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id_hash', '=', tokenHash(token)).execute();
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('id_hash', '=', tokenHash(token)).execute();
}

/** Sessions past their expiry are deleted now and then (at sign-in), so the table does not grow. */
export async function deleteExpiredSessions(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('console_sessions').where('expires_at', '<=', now).execute();
}
