import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { conflict, Problem } from '../problem';
import { type Db, inTransaction } from './connect';
import type { UserRow } from './schema';

/** 256 random bits, base64url: the secret part of an invitation link or a session cookie. */
export const newToken = () => randomBytes(32).toString('base64url');

/** What is stored of a token: its sha256 (the token has 256 bits, so no slow hash is needed). */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface NewUser {
  email: string;
  /** `mailboxKey(email)`. */
  emailKey: string;
  name: string;
  role: UserRow['role'];
  accountId?: string;
  reviewerId?: string;
}

/** A user without a password yet (they set it through an invitation); 409 naming `email` when the mailbox already has a user. */
export async function insertUser(db: Db, user: NewUser): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      id: randomUUID(),
      email: user.email,
      email_key: user.emailKey,
      name: user.name,
      password_hash: null,
      role: user.role,
      account_id: user.accountId ?? null,
      reviewer_id: user.reviewerId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error) => {
      if ((error as { code?: string }).code === '23505') {
        throw new Problem(409, 'Conflict', 'a user with this email address already exists', {
          errors: [{ field: 'email', message: 'already used by another user', rule: 'duplicate' }],
        });
      }
      throw error;
    });
}

export async function findUserByEmailKey(db: Db, emailKey: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email_key', '=', emailKey).executeTakeFirst();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A new single-use invitation for the user; earlier ones stop working. Returns the token (only the link holds it). `db` may be a caller's transaction. */
export async function issueInvitation(db: Db, userId: string, expiresAt: Date): Promise<string> {
  const token = newToken();
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom('user_invitations').where('user_id', '=', userId).execute();
    await trx
      .insertInto('user_invitations')
      .values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt })
      .execute();
  });
  return token;
}

/** The user an unexpired invitation is for. */
export async function invitedUser(db: Db, token: string, now: Date): Promise<UserRow | undefined> {
  return db
    .selectFrom('user_invitations')
    .innerJoin('users', 'users.id', 'user_invitations.user_id')
    .selectAll('users')
    .where('user_invitations.token_hash', '=', tokenHash(token))
    .where('user_invitations.expires_at', '>', now)
    .executeTakeFirst();
}

/**
 * Uses an invitation: sets the user's password (an argon2id PHC string) and ends the user's sessions, in
 * one transaction; the invitation is consumed, so a second use finds nothing (undefined).
 */
export async function redeemInvitation(db: Db, token: string, passwordHash: string, now: Date): Promise<UserRow | undefined> {
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .deleteFrom('user_invitations')
      .where('token_hash', '=', tokenHash(token))
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    if (!used) return undefined;
    await trx.deleteFrom('console_sessions').where('user_id', '=', used.user_id).execute();
    return trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', used.user_id).returningAll().executeTakeFirstOrThrow();
  });
}

/** An account's users (not those removed), owners first, then by name. */
export async function accountUsers(db: Db, accountId: string): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('removed_at', 'is', null)
    .orderBy('role', 'desc')
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/**
 * Removes one of the account's users: their sessions and invitations end, their password and sign-in
 * address go (the address is free for a new invitation), the API keys they made are revoked (a key
 * acts for whoever made it, as at DigiCert, whose keys stop with their user), and the row stays,
 * marked removed, so the audit trail and those keys still name them. The last owner stays: an account
 * without an owner could invite nobody (409). Returns how many keys were revoked; false when the
 * account has no such user.
 */
export async function removeAccountUser(db: Db, accountId: string, userId: string): Promise<{ revokedKeys: number } | false> {
  return db.transaction().execute(async (trx) => {
    const users = await trx
      .selectFrom('users')
      .select(['id', 'role'])
      .where('account_id', '=', accountId)
      .where('removed_at', 'is', null)
      .forUpdate()
      .execute();
    const user = users.find((u) => u.id === userId);
    if (!user) return false;
    if (user.role === 'owner' && users.filter((u) => u.role === 'owner').length === 1)
      throw conflict('the account needs at least one owner: make another user owner first');
    // Every mailbox key holds an "@": the freed key never matches one.
    await trx
      .updateTable('users')
      .set({ removed_at: new Date(), password_hash: null, email_key: `removed:${userId}` })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('console_sessions').where('user_id', '=', userId).execute();
    await trx.deleteFrom('user_invitations').where('user_id', '=', userId).execute();
    const revoked = await trx
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('account_id', '=', accountId)
      .where('created_by', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return { revokedKeys: Number(revoked.numUpdatedRows) };
  });
}
