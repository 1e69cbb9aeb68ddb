import type { z } from 'zod';
import { createAdministrator, createOrganization, MAX_ORGANIZATIONS_PER_ACCOUNT } from '../db/profile-create';
import { administratorsOf, getAdministrator, getOrganization, hasOrganizations } from '../db/profile-queries';
import type { AdministratorRow, OrganizationRow } from '../db/schema';
import { administratorInput, administratorPatch, createOrganizationBodyFor, organizationPatch } from '../domain/schemas';
import type { ProfileKind } from '../domain/status';
import { notFound, parse } from '../problem';
import { editUpdate, removeUpdate, resubmitUpdate } from '../../workflows/messages';
import type { AppContext, ClaimKey, CreateRequest, Customer, Submitted } from './context';
import { startAfterCommit } from './start-after-commit';

// Use cases of organizations and administrators, shared by the API's handlers and the console's pages
// (docs/architecture.md: "no second path to the data"). Each takes what the client sent as it was sent
// (`body: unknown`) and judges it here, so both edges answer the same fields and rules.

export type ProfileRow<K extends ProfileKind> = K extends 'organization' ? OrganizationRow : AdministratorRow;

/** The account's organization or administrator, or a 404 problem (another account's id is unknown here). */
export async function loadProfile<K extends ProfileKind>(ctx: Pick<AppContext, 'db'>, kind: K, accountId: string, id: string): Promise<ProfileRow<K>> {
  const row = kind === 'organization' ? await getOrganization(ctx.db, accountId, id) : await getAdministrator(ctx.db, accountId, id);
  if (!row) throw notFound(`${kind} ${id}`);
  return row as ProfileRow<K>;
}

/** An organization with its administrators, oldest first. */
export async function organizationWithAdministrators(ctx: Pick<AppContext, 'db'>, row: OrganizationRow) {
  const administrators = await administratorsOf(ctx.db, [row.id]);
  return { organization: row, administrators: administrators.get(row.id) ?? [] };
}

/** How many organizations the account holds, of how many it may (the "N of 10 used" of My Profile). */
export async function organizationAllowance(
  ctx: Pick<AppContext, 'db'>,
  accountId: string,
): Promise<{ used: number; max: number; needsAdministrator: boolean }> {
  const { count } = await ctx.db
    .selectFrom('organizations')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  const used = Number(count);
  return { used, max: MAX_ORGANIZATIONS_PER_ACCOUNT, needsAdministrator: used === 0 };
}

/** What every profile create passes through: who, the durations, the request's key, answer and deadline. */
const createParams = <T>(ctx: AppContext, customer: Customer, request: CreateRequest & { respond: T }) => ({
  accountId: customer.accountId,
  actor: customer.actor,
  timings: ctx.timings,
  idempotency: request.idempotency,
  respond: request.respond,
  signal: request.deadline.signal,
});

/**
 * Submits an organization (`body`: `{ organization, administrator? }`, the administrator required with the
 * account's first) and starts the workflows of what was created (answer first, then await `workflowsStarted`). `respond` builds the answer kept with
 * the Idempotency-Key. 400/422 naming each field at fault, 409 for a duplicate or the 10-organization limit.
 */
export async function submitOrganization<T>(
  ctx: AppContext,
  customer: Customer,
  body: unknown,
  request: CreateRequest & { respond: (organization: OrganizationRow, administrators: AdministratorRow[]) => T },
): Promise<Submitted<T>> {
  // Judged with the rest of the body so every fault is in one answer; the create re-checks it under the account's lock.
  const administratorMissing = typeof body === 'object' && body !== null && (body as { administrator?: unknown }).administrator === undefined;
  const input = parse(createOrganizationBodyFor(administratorMissing && !(await hasOrganizations(ctx.db, customer.accountId))), body);
  const created = await createOrganization(ctx.db, {
    ...createParams(ctx, customer, request),
    organization: input.organization,
    administrator: input.administrator,
  });
  return { status: created.status, body: created.body, workflowsStarted: startAfterCommit(ctx, request.deadline, created.started) };
}

/** Submits an administrator of the account's organization (`body`: the administrator's fields; the mobile read in the organization's country). */
export async function submitAdministrator<T>(
  ctx: AppContext,
  customer: Customer,
  organizationId: string,
  body: unknown,
  request: CreateRequest & { respond: (administrator: AdministratorRow) => T },
): Promise<Submitted<T>> {
  const organization = await loadProfile(ctx, 'organization', customer.accountId, organizationId);
  const input = parse(administratorInput(organization.country), body);
  const created = await createAdministrator(ctx.db, { ...createParams(ctx, customer, request), organizationId: organization.id, administrator: input });
  return { status: created.status, body: created.body, workflowsStarted: startAfterCommit(ctx, request.deadline, created.started) };
}

/** The schema of an edit of this row: phone numbers are read in the organization's country, a province judged in it. */
async function patchSchema(ctx: Pick<AppContext, 'db'>, kind: ProfileKind, row: OrganizationRow | AdministratorRow) {
  if (kind === 'organization') {
    const organization = row as OrganizationRow;
    return organizationPatch(organization.country, organization.province) as z.ZodType<Record<string, string | null>>;
  }
  const administrator = row as AdministratorRow;
  return administratorPatch((await getOrganization(ctx.db, administrator.account_id, administrator.organization_id))?.country);
}

/**
 * Edits a profile (`body`: the fields to change, null clears an optional one). A change to a reviewed field
 * sends an approved, rejected or expired profile back to review (src/domain/profile-transitions.ts `edit`).
 * Returns the row as it is after the edit.
 */
export async function editProfile<K extends ProfileKind>(
  ctx: AppContext,
  kind: K,
  customer: Customer,
  id: string,
  body: unknown,
  claim: ClaimKey,
): Promise<ProfileRow<K>> {
  const row = await loadProfile(ctx, kind, customer.accountId, id);
  const changes = parse(await patchSchema(ctx, kind, row), body);
  await ctx.workflows.update(kind, row, editUpdate, { changes, actor: customer.actor }, await claim());
  return loadProfile(ctx, kind, customer.accountId, id);
}

/** Sends a rejected, expiring or expired profile to a new review (409 otherwise). Returns the row after. */
export async function resubmitProfile<K extends ProfileKind>(
  ctx: AppContext,
  kind: K,
  customer: Customer,
  id: string,
  claim: ClaimKey,
): Promise<ProfileRow<K>> {
  const row = await loadProfile(ctx, kind, customer.accountId, id);
  await ctx.workflows.update(kind, row, resubmitUpdate, { actor: customer.actor }, await claim());
  return loadProfile(ctx, kind, customer.accountId, id);
}

/** Deletes a loaded profile through its workflow (an organization takes its administrators and their domains with it). */
export async function removeProfile(
  ctx: AppContext,
  kind: ProfileKind,
  customer: Customer,
  row: OrganizationRow | AdministratorRow,
  updateId?: string,
): Promise<void> {
  await ctx.workflows.update(kind, row, removeUpdate, { actor: customer.actor }, updateId);
}
