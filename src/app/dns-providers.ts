import { randomUUID } from 'node:crypto';
import { createIdempotently } from '../db/idempotent-create';
import { creationPage, type PageCursor } from '../db/keyset';
import type { DnsProviderRow } from '../db/schema';
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

/** Deletes a provider no domain uses (409 naming the domains that do). */
export async function removeDnsProvider(ctx: Pick<AppContext, 'db'>, accountId: string, id: string): Promise<void> {
  await loadDnsProvider(ctx, accountId, id);
  const using = await ctx.db.selectFrom('domains').select('name').where('dns_provider_id', '=', id).execute();
  if (using.length) throw conflict(`the provider is used by ${using.map((d) => d.name).join(', ')}: delete those domains or move them to another method first`);
  await ctx.db.deleteFrom('dns_providers').where('id', '=', id).execute();
}
