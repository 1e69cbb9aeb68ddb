import { randomUUID } from 'node:crypto';
import type { ConsoleSettings } from '../console/settings';
import { type Db, inTransaction } from '../db/connect';
import { countLoginAttempt, forgiveLoginAttempt } from '../db/login-failures';
import { createReviewer } from '../db/principals';
import type { UserRow } from '../db/schema';
import { findUserByEmailKey, insertUser, invitedUser, issueInvitation, redeemInvitation } from '../db/users';
import { addDuration, type Duration } from '../domain/duration';
import { mailboxKey } from '../domain/identity';
import { normalizeEmailAddress } from '../domain/email';
import { invitationInput, newPasswordFor, passwordText, userEmail } from '../domain/user-schemas';
import { parse, Problem } from '../problem';
import { hashPassword, passwordMatches } from './passwords';

/** An invitation as shown once to whoever created it: the user, and the link's path under the console. */
export interface Invitation {
  user: UserRow;
  /** The secret part of the link `/console/invitations/<token>`. */
  token: string;
  expiresAt: Date;
}

/** Where an invitation is opened, under the console's public address. */
export const invitationPath = (token: string) => `/console/invitations/${token}`;

const msOf = (duration: Duration, now: Date) => addDuration(now, duration).getTime() - now.getTime();

async function invite(db: Db, user: UserRow, lifetime: Duration): Promise<Invitation> {
  const expiresAt = addDuration(new Date(), lifetime);
  return { user, token: await issueInvitation(db, user.id, expiresAt), expiresAt };
}

/**
 * A console user for a customer account, invited by an owner (or the CLI): `body` is `{ email, name, role }`
 * (role `owner` or `member`, default member). 400 naming the field at fault; 409 when the address has a user.
 */
export async function inviteAccountUser(db: Db, accountId: string, body: unknown, lifetime: Duration): Promise<Invitation> {
  const input = parse(invitationInput, body);
  // The user and its invitation together: a user is never left without a way to set a password.
  return inTransaction(db, async (trx) => invite(trx, await insertUser(trx, { ...input.email, name: input.name, role: input.role, accountId }), lifetime));
}

/** A CA reviewer who signs in to the review desk: the reviewer (with an API key, as `reviewer create` always made) and its console user. */
export async function createReviewerUser(
  db: Db,
  input: { name: string; email: string },
  lifetime: Duration,
): Promise<{ reviewerId: string; apiKey: string; invitation: Invitation }> {
  const email = parse(userEmail, input.email, ['email']);
  if (await findUserByEmailKey(db, email.emailKey)) throw new Problem(409, 'Conflict', 'a user with this email address already exists');
  // One transaction: a user refused at its insert (an address taken meanwhile) leaves no reviewer behind.
  return inTransaction(db, async (trx) => {
    const { reviewerId, apiKey } = await createReviewer(trx, input.name);
    const user = await insertUser(trx, { ...email, name: input.name, role: 'reviewer', reviewerId });
    return { reviewerId, apiKey, invitation: await invite(trx, user, lifetime) };
  });
}

/** A new invitation for an existing user (a forgotten password; the CLI's `user invite`): earlier links stop working. */
export async function reinviteUser(db: Db, email: string, lifetime: Duration): Promise<Invitation> {
  const { emailKey } = parse(userEmail, email, ['email']);
  const user = await findUserByEmailKey(db, emailKey);
  if (!user) throw new Problem(404, 'Not Found', 'no user has this email address');
  return invite(db, user, lifetime);
}

/** The user an invitation link is for, while it can be used; 404 otherwise. */
export async function openInvitation(db: Db, token: string): Promise<UserRow> {
  const user = await invitedUser(db, token, new Date());
  if (!user) throw invitationGone();
  return user;
}

/**
 * Sets the invited user's password (`{ password, confirmation }`, 400 naming the field; a password made of
 * their own name or address is too guessable) and uses up the link.
 */
export async function acceptInvitation(db: Db, token: string, body: unknown): Promise<UserRow> {
  const invited = await openInvitation(db, token);
  const password = parse(newPasswordFor([invited.email, invited.name]), body);
  const user = await redeemInvitation(db, token, await hashPassword(password), new Date());
  if (!user) throw invitationGone();
  return user;
}

const invitationGone = () => new Problem(404, 'Not Found', 'this invitation link has expired or was already used; ask for a new one');

/**
 * The login rate limit's keys for one attempt: the mailbox, when the text is an email address some user
 * could have (one that does not normalize names nobody, and may hold what PostgreSQL's text refuses, NUL),
 * and the client address.
 */
function failureKeys(email: string, address: string) {
  const normalized = normalizeEmailAddress(email);
  const emailKey = normalized.ok ? mailboxKey(normalized.value) : undefined;
  return { emailKey, email: emailKey && `email:${emailKey}`, address: `address:${address}` };
}

/**
 * Checks a sign-in: 429 with Retry-After once the email address or the client address has had too many
 * attempts in the window (counted before the password is checked, so guessing stops, parallel guesses
 * included); 401 for a wrong address or password alike (which of the two is not said). A success clears
 * its email's count and does not count against the client address.
 */
export async function signIn(
  db: Db,
  attempt: { email: string; password: string; address: string },
  settings: Pick<ConsoleSettings, 'loginMaxFailures' | 'loginFailureWindow'>,
): Promise<UserRow> {
  const now = new Date();
  const windowMs = msOf(settings.loginFailureWindow, now);
  const keys = failureKeys(attempt.email, attempt.address);
  const max = settings.loginMaxFailures;
  const limits = [...(keys.email ? [{ key: keys.email, max }] : []), { key: keys.address, max: max * 4 }];
  const wait = await countLoginAttempt(db, limits, windowMs, now);
  if (wait > 0) {
    throw new Problem(429, 'Too Many Requests', `too many failed sign-ins; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } });
  }
  const user = keys.emailKey ? await findUserByEmailKey(db, keys.emailKey) : undefined;
  if (!(await passwordMatches(user?.password_hash, passwordText(attempt.password))) || !user) {
    throw new Problem(401, 'Unauthorized', 'the email address or the password is wrong');
  }
  await forgiveLoginAttempt(db, keys.email, keys.address);
  return user;
}

/** A new account with its first owner (the CLI's `user create --account-name`). */
export async function createAccountWithOwner(
  db: Db,
  input: { accountName: string; email: string; name: string },
  lifetime: Duration,
): Promise<{ accountId: string; invitation: Invitation }> {
  const accountId = randomUUID();
  const owner = { email: input.email, name: input.name, role: 'owner' };
  // Judged before anything is written: a refused owner (a bad name, an address in use) leaves no account behind.
  const { email } = parse(invitationInput, owner);
  if (await findUserByEmailKey(db, email.emailKey)) throw new Problem(409, 'Conflict', 'a user with this email address already exists');
  // One transaction: an owner refused at its insert (an address taken meanwhile) leaves no account behind.
  return inTransaction(db, async (trx) => {
    await trx.insertInto('accounts').values({ id: accountId, name: input.accountName }).execute();
    return { accountId, invitation: await inviteAccountUser(trx, accountId, owner, lifetime) };
  });
}
