import type { Transaction } from 'kysely';
import { administratorIdentity, organizationIdentity } from '../domain/identity';
import type { ExistingProfile } from '../problem';
import type { Database } from './schema';

/**
 * The account's organization that `candidate` would duplicate (the same legal name in the same country,
 * src/domain/identity.ts), other than `exceptId` (the one being edited); the oldest if several. Call it
 * under the account's row lock (createIdempotently, the edit activity) so two writers cannot both pass.
 */
export async function duplicateOrganization(
  trx: Transaction<Database>,
  accountId: string,
  candidate: { name: string; country: string },
  exceptId?: string,
): Promise<ExistingProfile | undefined> {
  return duplicateOrganizationIn(await organizationIdentities(trx, accountId), candidate, exceptId);
}

/** The account's organizations, oldest first, with what their identity is made of (at most 10 rows: the account limit). */
export function organizationIdentities(trx: Transaction<Database>, accountId: string) {
  return trx.selectFrom('organizations').select(['id', 'name', 'country']).where('account_id', '=', accountId).orderBy('created_at').execute();
}

/** `duplicateOrganization` over rows already read with `organizationIdentities`. */
export function duplicateOrganizationIn(
  rows: ReadonlyArray<{ id: string; name: string; country: string }>,
  candidate: { name: string; country: string },
  exceptId?: string,
): ExistingProfile | undefined {
  const identity = organizationIdentity(candidate);
  const found = rows.find((row) => row.id !== exceptId && organizationIdentity(row) === identity);
  return found && { kind: 'organization', id: found.id };
}

/**
 * The organization's administrator that `candidate` would duplicate (the same given name, surname and
 * mailbox), other than `exceptId`; the oldest if several. Call it under the account's row lock.
 */
export async function duplicateAdministrator(
  trx: Transaction<Database>,
  organizationId: string,
  candidate: { firstName: string; lastName: string; email: string },
  exceptId?: string,
): Promise<ExistingProfile | undefined> {
  const identity = administratorIdentity(candidate);
  const rows = await trx
    .selectFrom('administrators')
    .select(['id', 'first_name', 'last_name', 'email'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .execute();
  const found = rows.find(
    (row) => row.id !== exceptId && administratorIdentity({ firstName: row.first_name, lastName: row.last_name, email: row.email }) === identity,
  );
  return found && { kind: 'administrator', id: found.id };
}
