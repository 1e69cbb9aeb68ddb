import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { conflict, Problem } from '../problem';
import type { DcvConfig } from '../config';
import { delegationLabel, type DcvMethod, dnsRecordName } from '../dcv/instructions';
import { generateRandomValue } from '../dcv/random-value';
import { isInZone } from '../dcv/rfc2136';
import { addDuration } from '../domain/duration';
import { isUsable } from '../domain/status';
import type { Actor } from '../../workflows/messages';
import type { Db } from './connect';
import { recordEvent } from './events';
import { creationPage, type PageCursor } from './keyset';
import type { Database, DomainRow, DomainStatus } from './schema';

/**
 * Adds a domain under an approved administrator (in the caller's transaction, which holds the account lock:
 * createIdempotently); names are unique within an account (409 `duplicate` naming the existing domain).
 */
export async function createDomain(
  trx: Transaction<Database>,
  params: { accountId: string; administratorId: string; name: string; method: DcvMethod; dnsProviderId: string | null; actor: Actor; dcv: DcvConfig },
): Promise<DomainRow> {
  const administrator = await trx
    .selectFrom('administrators')
    .select(['status'])
    .where('id', '=', params.administratorId)
    .where('account_id', '=', params.accountId)
    .forShare()
    .executeTakeFirst();
  if (!administrator) throw administratorNotFound(params.administratorId);
  if (!isUsable(administrator.status)) {
    throw conflict(`the administrator is ${administrator.status}: domains can be added only under an approved administrator`);
  }
  if (params.method === 'dns_cname' && !params.dcv.delegationServer && !params.dcv.dnsListen) {
    throw new Problem(
      422,
      'Method not available',
      'automatic DNS validation is not available here: the delegation zone has no DNS server (set DCV_DELEGATION_SERVER, or DCV_DNS_LISTEN to serve it from this service); use autoValidation false',
      {
        errors: [{ field: 'method', message: 'automatic DNS validation is not configured on this service', rule: 'method-unavailable' }],
      },
    );
  }
  if (params.dnsProviderId) {
    const provider = await trx
      .selectFrom('dns_providers')
      .select(['id', 'kind', 'settings'])
      .where('id', '=', params.dnsProviderId)
      .where('account_id', '=', params.accountId)
      // Held to the commit: a concurrent delete of the provider (src/app/dns-providers.ts) waits, then sees this domain.
      .forShare()
      .executeTakeFirst();
    if (!provider) throw noSuchProvider();
    // An RFC 2136 server updates its own zone only: a record outside it could never be written (NOTZONE).
    const zone = provider.kind === 'rfc2136' ? String((provider.settings as { zone?: unknown }).zone) : undefined;
    const record = dnsRecordName(params.name);
    if (zone !== undefined && !isInZone(record, zone)) {
      const message = `the validation record ${record} is not inside the zone ${zone} of DNS provider ${provider.id}, so the provider cannot write it`;
      throw new Problem(422, 'Unprocessable Content', `domain: ${message}`, { errors: [{ field: 'domain', message, rule: 'outside-provider-zone' }] });
    }
  }
  const existing = await existingDomain(trx, params.accountId, params.name);
  if (existing) throw duplicateDomain(params.name, existing);
  if (params.method === 'dns_cname') await ensureCnameFree(trx, params.accountId, params.name);
  const id = randomUUID();
  const at = new Date();
  const value = generateRandomValue(addDuration(at, params.dcv.randomValueLifetime).getTime() - at.getTime(), at);
  const row = await trx
    .insertInto('domains')
    .values({
      id,
      account_id: params.accountId,
      administrator_id: params.administratorId,
      name: params.name,
      method: params.method,
      dns_provider_id: params.dnsProviderId,
      delegation_label: delegationLabel(id),
      status: 'pending',
      random_value: value.value,
      random_value_expires_at: value.expiresAt,
      updated_at: at,
    })
    // A concurrent request added the same name first (creates hold the account lock, so only a writer without it).
    .onConflict((oc) => oc.constraint('domains_account_name').doNothing())
    .returningAll()
    .executeTakeFirst()
    .catch((error: { code?: string; constraint?: string }) => {
      // Backstop: the locks above keep the referenced rows, so a foreign key refused here means one went meanwhile.
      if (error.code === '23503' && error.constraint === 'domains_dns_provider_id_fkey') throw noSuchProvider();
      if (error.code === '23503' && error.constraint === 'domains_administrator_id_fkey') throw administratorNotFound(params.administratorId);
      throw error;
    });
  if (!row) {
    const first = await existingDomain(trx, params.accountId, params.name);
    throw first ? duplicateDomain(params.name, first) : conflict(`${params.name} is already in this account`);
  }
  await recordEvent(trx, {
    accountId: params.accountId,
    entityKind: 'domain',
    entityId: id,
    actor: params.actor,
    action: 'added',
    after: { status: 'pending', name: params.name, method: params.method },
  });
  return row;
}

const administratorNotFound = (id: string) => new Problem(404, 'Not Found', `administrator ${id} was not found`);

/** The answer for a `dnsProviderId` naming no provider of the account (also when the provider was deleted meanwhile). */
const noSuchProvider = () =>
  new Problem(400, 'Invalid request', 'dnsProviderId: no such DNS provider in this account', {
    errors: [{ field: 'dnsProviderId', message: 'no such DNS provider in this account', rule: 'not-in-account' }],
  });

/** The id of the account's domain named `name`, if any. */
async function existingDomain(trx: Transaction<Database>, accountId: string, name: string): Promise<string | undefined> {
  const row = await trx.selectFrom('domains').select('id').where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
  return row?.id;
}

/** 409: the name is already in the account; shaped as the duplicate organizations and administrators (src/problem.ts `duplicateProblem`). */
function duplicateDomain(name: string, id: string): Problem {
  return new Problem(409, 'Duplicate', `${name} is already in this account as domain ${id}`, {
    type: 'https://certificate-profiles.dev/problems/duplicate',
    errors: [{ field: 'domain', message: `the same as domain ${id}`, rule: 'duplicate' }],
    members: { existing: { kind: 'domain', id, href: `/v1/domains/${id}` } },
  });
}

/**
 * `example.com` and `*.example.com` share `_dnsauth.example.com`, and a CNAME there can point to one
 * delegation target only: two automatic DNS validations of one base name could never both pass.
 */
async function ensureCnameFree(trx: Transaction<Database>, accountId: string, name: string): Promise<void> {
  const base = name.replace(/^\*\./, '');
  const sibling = await trx
    .selectFrom('domains')
    .select(['id', 'name'])
    .where('account_id', '=', accountId)
    .where('method', '=', 'dns_cname')
    .where('name', 'in', [base, `*.${base}`])
    .executeTakeFirst();
  if (sibling) {
    throw conflict(
      `${sibling.name} (domain ${sibling.id}) already validates automatically through the CNAME at ${dnsRecordName(base)}, which can point to one target only; add ${name} with autoValidation false (method dns or dns_provider)`,
    );
  }
}

export async function getDomain(db: Db, accountId: string, id: string): Promise<DomainRow | undefined> {
  return db.selectFrom('domains').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

export async function listDomains(
  db: Db,
  filter: { accountId: string; administratorId?: string; status?: DomainStatus; expiringBefore?: Date },
  limit: number,
  cursor?: PageCursor,
): Promise<DomainRow[]> {
  let query = db.selectFrom('domains').selectAll().where('account_id', '=', filter.accountId);
  if (filter.administratorId) query = query.where('administrator_id', '=', filter.administratorId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.expiringBefore) query = query.where('status', '=', 'validated').where('valid_until', '<=', filter.expiringBefore);
  return creationPage(query, limit, cursor);
}

/** A pre-check's claim (`claimPrecheck`): the seconds to wait when refused, or how to give it back. */
export type PrecheckClaim = { wait: number } | { wait: 0; release: () => Promise<void> };

/**
 * Claims the right to run a pre-check now; at most one per interval per domain, decided atomically.
 * A claim whose pre-check did not run (the workflow service unreachable: 503) is released, so the
 * client's retry after Retry-After is not refused with 429 for a check that never happened.
 */
export async function claimPrecheck(db: Db, id: string, intervalMs: number): Promise<PrecheckClaim> {
  const now = new Date();
  const claimed = await db
    .updateTable('domains as d')
    .from(db.selectFrom('domains').select(['id', 'last_precheck_at as previous']).where('id', '=', id).as('before'))
    .set({ last_precheck_at: now })
    .whereRef('d.id', '=', 'before.id')
    .where((eb) => eb.or([eb('d.last_precheck_at', 'is', null), eb('d.last_precheck_at', '<=', new Date(now.getTime() - intervalMs))]))
    .returning('before.previous')
    .executeTakeFirst();
  if (claimed) {
    const release = async () => {
      await db.updateTable('domains').set({ last_precheck_at: claimed.previous }).where('id', '=', id).where('last_precheck_at', '=', now).execute();
    };
    return { wait: 0, release };
  }
  const row = await db.selectFrom('domains').select('last_precheck_at').where('id', '=', id).executeTakeFirst();
  const last = row?.last_precheck_at ? new Date(row.last_precheck_at).getTime() : now.getTime();
  return { wait: Math.max(1, Math.ceil((last + intervalMs - now.getTime()) / 1000)) };
}

/** The current random value of the domain with this delegation label and automatic method; the row is the published record. */
async function valueBehindLabel(db: Db, label: string, method: 'file_proxy' | 'dns_cname'): Promise<string | undefined> {
  const row = await db.selectFrom('domains').select('random_value').where('delegation_label', '=', label).where('method', '=', method).executeTakeFirst();
  return row?.random_value;
}

/** The value a reverse-proxied CA fetch must see for `/dcv/<label>/fileauth.txt`. */
export const proxiedFileValue = (db: Db, label: string) => valueBehindLabel(db, label, 'file_proxy');

/** The TXT value at `<label>.<delegation zone>` when the service serves that zone itself (BR §3.2.2.4.7 via CNAME). */
export const delegatedTxtValue = (db: Db, label: string) => valueBehindLabel(db, label, 'dns_cname');
