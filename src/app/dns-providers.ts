import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { lockAccount } from '../db/account-lock';
import type { Db } from '../db/connect';
import { createIdempotently } from '../db/idempotent-create';
import { creationPage, type PageCursor } from '../db/keyset';
import type { Database, DnsProviderRow } from '../db/schema';
import { dnsProviderInputFor, splitSecret } from '../domain/dns-provider-schemas';
import { seal } from '../domain/secret-box';
import { conflict, notFound, parse } from '../problem';
import type { AppContext, CreateRequest } from './context';

// Connections to a customer's DNS (RFC 2136 + TSIG, DNSPod), shared by the API and the console. Secrets are
// sealed at rest (AES-256-GCM under SECRET_KEY) and never read back out to anyone: write-only.

/**
 * Adds a provider (`body`: src/domain/dns-provider-schemas.ts; a literal server address is judged by the
 * address guard now). `respond` builds the answer kept with the Idempotency-Key.
 */
export async function addDnsProvider<T>(
  ctx: Pick<AppContext, 'db' | 'dcv' | 'secretKey'>,
  accountId: string,
  body: unknown,
  request: Pick<CreateRequest, 'idempotency'> & { respond: (row: DnsProviderRow) => T },
): Promise<{ status: number; body: T }> {
  const input = parse(dnsProviderInputFor(ctx.dcv.addressAllowance), body);
  const { settings, secret } = splitSecret(input);
  return createIdempotently(ctx.db, accountId, request.idempotency, async (trx) => {
    const id = randomUUID();
    const row = await trx
      .insertInto('dns_providers')
      .values({
        id,
        account_id: accountId,
        kind: input.kind,
        name: input.name,
        settings: JSON.stringify(settings),
        secret_ciphertext: seal(ctx.secretKey, secret, id),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { status: 201, body: request.respond(row) };
  });
}

/** One page of the account's providers, oldest first (rows fetched with `limit + 1`). */
export async function listDnsProviders(ctx: Pick<AppContext, 'db'>, accountId: string, limit: number, after?: PageCursor): Promise<DnsProviderRow[]> {
  return creationPage(ctx.db.selectFrom('dns_providers').selectAll().where('account_id', '=', accountId), limit, after);
}

export async function loadDnsProvider(ctx: Pick<AppContext, 'db'>, accountId: string, id: string): Promise<DnsProviderRow> {
  const row = await ctx.db.selectFrom('dns_providers').selectAll().where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
  if (!row) throw notFound(`DNS provider ${id}`);
  return row;
}

/**
 * Deletes a provider no domain uses (409 naming the domains that do; 404 when it is not, or no longer, there).
 * Under the account lock, as domain creates are (createIdempotently): a domain added with the provider at the
 * same time either commits first (then this answers 409) or finds the provider gone (its 400 `not-in-account`).
 */
export async function removeDnsProvider(ctx: Pick<AppContext, 'db'>, accountId: string, id: string): Promise<void> {
  await ctx.db
    .transaction()
    .execute(async (trx) => {
      await lockAccount(trx, accountId);
      const row = await trx.selectFrom('dns_providers').select('id').where('id', '=', id).where('account_id', '=', accountId).forUpdate().executeTakeFirst();
      if (!row) throw notFound(`DNS provider ${id}`);
      const using = await domainsUsing(trx, id);
      if (using.length) throw inUse(using);
      await trx.deleteFrom('dns_providers').where('id', '=', id).execute();
    })
    .catch(async (error: { code?: string }) => {
      // Backstop: a domain that referenced the provider without the lock (a foreign key refused the delete).
      if (error.code === '23503') throw inUse(await domainsUsing(ctx.db, id));
      throw error;
    });
}

const domainsUsing = (db: Db | Transaction<Database>, id: string) =>
  db.selectFrom('domains').select(['id', 'name']).where('dns_provider_id', '=', id).orderBy('created_at').orderBy('id').execute();

const inUse = (using: ReadonlyArray<{ id: string; name: string }>) =>
  conflict(
    using.length
      ? `the provider is used by ${using.map((d) => `${d.name} (domain ${d.id})`).join(', ')}: delete those domains first`
      : 'the provider is used by a domain: delete that domain first',
  );
