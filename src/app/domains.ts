import { createDomain, claimPrecheck, getDomain, listDomains } from '../db/domain-store';
import { createIdempotently } from '../db/idempotent-create';
import type { PageCursor } from '../db/keyset';
import type { DcvCheckRow, DomainRow } from '../db/schema';
import { createDomainBody } from '../domain/domain-input';
import { addDuration } from '../domain/duration';
import { notFound, parse, Problem } from '../problem';
import { type CheckOutcome, precheckUpdate, removeDomainUpdate, revalidateUpdate } from '../../workflows/domain-messages';
import type { AppContext, ClaimKey, CreateRequest, Customer, Submitted } from './context';
import { startAfterCommit } from './start-after-commit';

// Use cases of domains (domain control validation ahead of time), shared by the API and the console.

export async function loadDomain(ctx: Pick<AppContext, 'db'>, accountId: string, id: string): Promise<DomainRow> {
  const row = await getDomain(ctx.db, accountId, id);
  if (!row) throw notFound(`domain ${id}`);
  return row;
}

/**
 * Adds a domain under an approved administrator of the account (`body`: `{ domain, autoValidation, method,
 * dnsProviderId? }`, src/domain/domain-input.ts) and starts its validation workflow (answer first, then await `workflowsStarted`). `respond` builds the
 * answer kept with the Idempotency-Key. 404 for another account's administrator, 409 when not approved or
 * the name is already in the account, 422 for a name no rule allows or a method not configured.
 */
export async function addDomain<T extends { id: string }>(
  ctx: AppContext,
  customer: Customer,
  administratorId: string,
  body: unknown,
  request: CreateRequest & { respond: (row: DomainRow) => T },
): Promise<Submitted<T>> {
  const input = parse(createDomainBody, body);
  const created = await createIdempotently(
    ctx.db,
    customer.accountId,
    request.idempotency,
    async (trx) => {
      const row = await createDomain(trx, { accountId: customer.accountId, administratorId, ...input, actor: customer.actor, dcv: ctx.dcv });
      return { status: 201, body: request.respond(row), started: row as DomainRow | undefined };
    },
    request.deadline.signal,
  );
  return {
    status: created.status,
    body: created.body,
    workflowsStarted: startAfterCommit(ctx, request.deadline, created.started && { domains: [created.started] }),
  };
}

/** One page of an administrator's domains (rows fetched with `limit + 1`); 404 for another account's administrator. */
export async function administratorDomains(
  ctx: Pick<AppContext, 'db'>,
  accountId: string,
  administratorId: string,
  limit: number,
  after?: PageCursor,
): Promise<DomainRow[]> {
  const administrator = await ctx.db
    .selectFrom('administrators')
    .select('id')
    .where('id', '=', administratorId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!administrator) throw notFound(`administrator ${administratorId}`);
  return listDomains(ctx.db, { accountId, administratorId }, limit, after);
}

/**
 * The customer's pre-check ("Validate"): looks at the record now, from every perspective, and says what
 * each saw against what it expected (recorded as a `precheck` check). At most one per domain per
 * DCV_PRECHECK_INTERVAL: 429 with Retry-After otherwise.
 */
export async function precheckDomain(ctx: AppContext, customer: Customer, id: string): Promise<CheckOutcome> {
  const row = await loadDomain(ctx, customer.accountId, id);
  const intervalMs = addDuration(new Date(0), ctx.dcv.precheckInterval).getTime();
  const claim = await claimPrecheck(ctx.db, row.id, intervalMs);
  if (!('release' in claim)) {
    throw new Problem(429, 'Too Many Requests', `pre-checks of one domain are limited to one every ${intervalMs / 1000}s; retry in ${claim.wait}s`, {
      headers: { 'Retry-After': String(claim.wait) },
    });
  }
  try {
    return await ctx.domains.update(row, precheckUpdate, { actor: customer.actor });
  } catch (error) {
    // Not run (the workflow service did not take it): the next attempt is not this one's repeat.
    if (error instanceof Problem && error.status === 503) await claim.release().catch(() => undefined);
    throw error;
  }
}

/** Starts a new validation of the domain (a fresh random value for the manual methods). Returns the row after. */
export async function revalidateDomain(ctx: AppContext, customer: Customer, id: string, claim: ClaimKey): Promise<DomainRow> {
  const row = await loadDomain(ctx, customer.accountId, id);
  await ctx.domains.update(row, revalidateUpdate, { actor: customer.actor }, await claim());
  return loadDomain(ctx, customer.accountId, row.id);
}

/** Deletes a loaded domain through its workflow (which takes down what the service published for it). */
export async function removeDomain(ctx: AppContext, customer: Customer, row: DomainRow, updateId?: string): Promise<void> {
  await ctx.domains.update(row, removeDomainUpdate, { actor: customer.actor }, updateId);
}

/** The evidence, newest first: pre-checks, rechecks and CA scans (rows fetched with `limit + 1`); 404 for an unknown domain. */
export async function domainChecks(ctx: Pick<AppContext, 'db'>, accountId: string, id: string, limit: number, beforeId?: string): Promise<DcvCheckRow[]> {
  let query = ctx.db.selectFrom('dcv_checks').selectAll().where('domain_id', '=', id).where('account_id', '=', accountId);
  if (beforeId) query = query.where('id', '<', beforeId);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  if (rows.length === 0 && !(await getDomain(ctx.db, accountId, id))) throw notFound(`domain ${id}`);
  return rows;
}
