import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { duplicateProblem, Problem } from '../problem';
import type { Timings } from '../config';
import { addDuration } from '../domain/duration';
import type { AdministratorInput, OrganizationInput } from '../domain/schemas';
import type { Actor } from '../../workflows/messages';
import type { Db } from './connect';
import { duplicateAdministrator, duplicateOrganizationIn, organizationIdentities } from './duplicates';
import { type AuditEvent, recordEvent, recordEvents } from './events';
import { createIdempotently, type Idempotency } from './idempotent-create';
import type { AdministratorRow, Database, OrganizationRow } from './schema';

export const MAX_ORGANIZATIONS_PER_ACCOUNT = 10;

export interface Created<T> {
  status: number;
  body: T;
  /** Rows whose workflows the caller must start; undefined when an earlier identical request already created them. */
  started?: { organizations: OrganizationRow[]; administrators: AdministratorRow[] };
}

function reviewColumns(accountId: string, at: Date, timings: Timings) {
  return { account_id: accountId, status: 'under_review' as const, submitted_at: at, due_at: addDuration(at, timings.reviewSla), updated_at: at };
}

/** Inserts an administrator; `recorded` false leaves its audit event to the caller (`recordSubmitted`). */
async function insertAdministrator(
  trx: Transaction<Database>,
  accountId: string,
  organizationId: string,
  input: AdministratorInput,
  actor: Actor,
  timings: Timings,
  recorded = true,
): Promise<AdministratorRow> {
  const row = await trx
    .insertInto('administrators')
    .values({
      id: randomUUID(),
      organization_id: organizationId,
      first_name: input.firstName,
      last_name: input.lastName,
      position: input.position,
      phone: input.phone,
      email: input.email,
      ...reviewColumns(accountId, new Date(), timings),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (recorded) await recordEvent(trx, submitted(accountId, 'administrator', row, input, actor, row));
  return row;
}

/** The audit event of a profile's submission. */
function submitted(
  accountId: string,
  kind: 'organization' | 'administrator',
  row: { id: string; status: string },
  input: object,
  actor: Actor,
  /** The object as just written (an organization with its administrators): spares reading it back for the public event. */
  snapshot: unknown,
): AuditEvent {
  return { accountId, entityKind: kind, entityId: row.id, actor, action: 'submitted', after: { status: row.status, ...input }, snapshot };
}

export async function createOrganization<T>(
  db: Db,
  params: {
    accountId: string;
    organization: OrganizationInput;
    administrator?: AdministratorInput;
    actor: Actor;
    timings: Timings;
    idempotency?: Idempotency;
    respond: (organization: OrganizationRow, administrators: AdministratorRow[]) => T;
    /** The request deadline: past it the transaction rolls back (see createIdempotently). */
    signal?: AbortSignal;
  },
): Promise<Created<T>> {
  const { accountId, organization: input, actor, timings } = params;
  return createIdempotently(
    db,
    accountId,
    params.idempotency,
    async (trx) => {
      // Under the account's row lock (createIdempotently): a concurrent create of the same organization waits and then finds this one.
      const existing = await organizationIdentities(trx, accountId);
      const duplicate = duplicateOrganizationIn(existing, input);
      if (duplicate) throw duplicateProblem(duplicate, 'organization.name');
      const count = existing.length;
      if (count >= MAX_ORGANIZATIONS_PER_ACCOUNT) {
        throw new Problem(
          409,
          'Organization limit reached',
          `an account holds at most ${MAX_ORGANIZATIONS_PER_ACCOUNT} organizations; delete one to free a slot`,
          {
            type: 'https://certificate-profiles.dev/problems/organization-limit',
          },
        );
      }
      if (count === 0 && !params.administrator) {
        throw new Problem(400, 'Invalid request', "administrator: required with the account's first organization", {
          errors: [{ field: 'administrator', message: "required with the account's first organization", rule: 'administrator-required' }],
        });
      }
      const organization = await trx
        .insertInto('organizations')
        .values({
          id: randomUUID(),
          name: input.name,
          display_name: input.displayName ?? null,
          department: input.department ?? null,
          country: input.country,
          province: input.province,
          city: input.city,
          address: input.address,
          postal_code: input.postalCode ?? null,
          landline: input.landline,
          ...reviewColumns(accountId, new Date(), timings),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      // Both rows first, then their events: the organization's public event shows its first administrator.
      const administrators = params.administrator
        ? [await insertAdministrator(trx, accountId, organization.id, params.administrator, actor, timings, false)]
        : [];
      await recordEvents(trx, [
        submitted(accountId, 'organization', organization, input, actor, { ...organization, administrators }),
        ...(params.administrator ? [submitted(accountId, 'administrator', administrators[0], params.administrator, actor, administrators[0])] : []),
      ]);
      return { status: 201, body: params.respond(organization, administrators), started: { organizations: [organization], administrators } };
    },
    params.signal,
  );
}

export async function createAdministrator<T>(
  db: Db,
  params: {
    accountId: string;
    organizationId: string;
    administrator: AdministratorInput;
    actor: Actor;
    timings: Timings;
    idempotency?: Idempotency;
    respond: (administrator: AdministratorRow) => T;
    /** The request deadline: past it the transaction rolls back (see createIdempotently). */
    signal?: AbortSignal;
  },
): Promise<Created<T>> {
  return createIdempotently(
    db,
    params.accountId,
    params.idempotency,
    async (trx) => {
      // Shared lock: a concurrent delete of the organization waits for this insert (and cascades it), or wins and this answers 404.
      const organization = await trx
        .selectFrom('organizations')
        .select('id')
        .where('id', '=', params.organizationId)
        .where('account_id', '=', params.accountId)
        .forShare()
        .executeTakeFirst();
      if (!organization) throw new Problem(404, 'Not Found', `organization ${params.organizationId} was not found`);
      const duplicate = await duplicateAdministrator(trx, params.organizationId, params.administrator);
      if (duplicate) throw duplicateProblem(duplicate, 'email');
      const row = await insertAdministrator(trx, params.accountId, params.organizationId, params.administrator, params.actor, params.timings);
      return { status: 201, body: params.respond(row), started: { organizations: [], administrators: [row] } };
    },
    params.signal,
  );
}

/** Rows are marked only once their workflow start succeeded; the reconciler starts the rest. */
