import { randomUUID } from 'node:crypto';
import { duplicateProblem, Problem } from '../problem';
import type { Timings } from '../config';
import { addDuration } from '../domain/duration';
import type { AdministratorInput, OrganizationInput } from '../domain/schemas';
import type { Actor } from '../../workflows/messages';
import type { Db } from './connect';
import { duplicateAdministrator, duplicateOrganizationIn, organizationIdentities } from './duplicates';
import type { AuditEvent } from './events';
import { createIdempotently, type Idempotency } from './idempotent-create';
import type { AdministratorRow, OrganizationRow } from './schema';

export const MAX_ORGANIZATIONS_PER_ACCOUNT = 10;

export interface Created<T> {
  status: number;
  body: T;
  /** Rows whose workflows the caller must start; undefined when an earlier identical request already created them. */
  started?: { organizations: OrganizationRow[]; administrators: AdministratorRow[] };
}

/**
 * The columns both reviewed kinds share, as a new submission's row holds them: written whole by the
 * create (defaults included), so the create answers from the rows it built and sends them with their
 * events in one statement (createIdempotently's `pending`).
 */
function submittedColumns(accountId: string, at: Date, timings: Timings) {
  return {
    account_id: accountId,
    status: 'under_review' as const,
    submitted_at: at,
    due_at: addDuration(at, timings.reviewSla),
    approved_at: null,
    valid_until: null,
    rejection_reason: null,
    workflow_started: false,
    created_at: at,
    updated_at: at,
  };
}

/**
 * Now, or a millisecond past `earlier` if the clock has not moved on: an administrator submitted with its
 * organization is submitted after it, so the review queue (by submission time) lists the organization first.
 */
const after = (earlier: Date) => new Date(Math.max(Date.now(), earlier.getTime() + 1));

function organizationRow(accountId: string, input: OrganizationInput, at: Date, timings: Timings): OrganizationRow {
  return {
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
    ...submittedColumns(accountId, at, timings),
  };
}

function administratorRow(accountId: string, organizationId: string, input: AdministratorInput, at: Date, timings: Timings): AdministratorRow {
  return {
    id: randomUUID(),
    organization_id: organizationId,
    first_name: input.firstName,
    last_name: input.lastName,
    position: input.position,
    phone: input.phone,
    email: input.email,
    ...submittedColumns(accountId, at, timings),
  };
}

/** The audit event of a profile's submission. */
function submitted(
  accountId: string,
  kind: 'organization' | 'administrator',
  row: { id: string; status: string; submitted_at: Date },
  input: object,
  actor: Actor,
  /** The object as just written (an organization with its administrators): spares reading it back for the public event. */
  snapshot: object,
): AuditEvent & { snapshot: object } {
  // Dated at the submission, so the event's time is the row's submittedAt (not the database clock's, a few ms off).
  return { accountId, entityKind: kind, entityId: row.id, actor, action: 'submitted', after: { status: row.status, ...input }, snapshot, at: row.submitted_at };
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
      const organization = organizationRow(accountId, input, new Date(), timings);
      const administrators = params.administrator
        ? [administratorRow(accountId, organization.id, params.administrator, after(organization.submitted_at), timings)]
        : [];
      const pending = {
        writes: [trx.insertInto('organizations').values(organization), ...administrators.map((row) => trx.insertInto('administrators').values(row))],
        // The organization's public event shows its first administrator.
        events: [
          submitted(accountId, 'organization', organization, input, actor, { ...organization, administrators }),
          ...(params.administrator ? [submitted(accountId, 'administrator', administrators[0], params.administrator, actor, administrators[0])] : []),
        ],
      };
      return { status: 201, body: params.respond(organization, administrators), started: { organizations: [organization], administrators }, pending };
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
      const row = administratorRow(params.accountId, params.organizationId, params.administrator, new Date(), params.timings);
      return {
        status: 201,
        body: params.respond(row),
        started: { organizations: [], administrators: [row] },
        pending: {
          writes: [trx.insertInto('administrators').values(row)],
          events: [submitted(params.accountId, 'administrator', row, params.administrator, params.actor, row)],
        },
      };
    },
    params.signal,
  );
}

/** Rows are marked only once their workflow start succeeded; the reconciler starts the rest. */
