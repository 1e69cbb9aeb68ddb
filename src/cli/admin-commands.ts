import type { ConsoleSettings } from '../console/settings';
import type { Db } from '../db/connect';
import { createAccount, createReviewer } from '../db/principals';
import { createAccountWithOwner, createReviewerUser, type Invitation, invitationPath, inviteAccountUser, reinviteUser } from '../app/users';

/** What the CLI writes into the service's database, run directly or through the running service's admin socket. */
export const ADMIN_ROUTES = ['/accounts', '/reviewers', '/users', '/invitations'] as const;
export type AdminRoute = (typeof ADMIN_ROUTES)[number];

const str = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** An invitation as the CLI prints it: the link to open, once. */
function shown(invitation: Invitation, settings: Pick<ConsoleSettings, 'publicUrl'>) {
  return {
    userId: invitation.user.id,
    email: invitation.user.email,
    role: invitation.user.role,
    invitationUrl: `${settings.publicUrl}${invitationPath(invitation.token)}`,
    invitationExpiresAt: invitation.expiresAt.toISOString(),
  };
}

/**
 * Runs one CLI command against the database:
 * - `/accounts` `{ name, keyName? }`: an account with its first API key;
 * - `/reviewers` `{ name, email? }`: a reviewer with an API key, and with `email` a console user invited to the review desk;
 * - `/users` `{ email, name, accountName? | accountId?, role? }`: a console user of a new account (its owner) or of an existing one;
 * - `/invitations` `{ email }`: a new invitation link for an existing user (a forgotten password).
 */
export async function runAdminCommand(
  db: Db,
  settings: Pick<ConsoleSettings, 'publicUrl' | 'invitationLifetime'>,
  route: string,
  body: Record<string, unknown>,
) {
  const name = str(body.name);
  const email = str(body.email);
  switch (route as AdminRoute) {
    case '/accounts':
      if (!name) throw new Error('--name is required');
      return createAccount(db, name, str(body.keyName));
    case '/reviewers': {
      if (!name) throw new Error('--name is required');
      if (!email) return createReviewer(db, name);
      const created = await createReviewerUser(db, { name, email }, settings.invitationLifetime);
      return { reviewerId: created.reviewerId, apiKey: created.apiKey, ...shown(created.invitation, settings) };
    }
    case '/users': {
      if (!name || !email) throw new Error('--email and --name are required');
      const accountName = str(body.accountName);
      const accountId = str(body.accountId);
      if (!accountName === !accountId) throw new Error('give either --account-name (a new account) or --account (an existing account id)');
      if (accountName) {
        const created = await createAccountWithOwner(db, { accountName, email, name }, settings.invitationLifetime);
        return { accountId: created.accountId, ...shown(created.invitation, settings) };
      }
      const exists = await db
        .selectFrom('accounts')
        .select('id')
        .where('id', '=', accountId!)
        .executeTakeFirst()
        .catch(() => undefined);
      if (!exists) throw new Error(`no account ${accountId}`);
      const invitation = await inviteAccountUser(db, accountId!, { email, name, role: str(body.role) ?? 'owner' }, settings.invitationLifetime);
      return { accountId, ...shown(invitation, settings) };
    }
    case '/invitations':
      if (!email) throw new Error('--email is required');
      return shown(await reinviteUser(db, email, settings.invitationLifetime), settings);
    default:
      throw new Error(`unknown admin path ${route}`);
  }
}
