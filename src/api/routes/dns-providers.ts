import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { dnsProviderInputFor, splitSecret } from '../../domain/dns-provider-schemas';
import { seal } from '../../domain/secret-box';
import { customerOf } from '../auth';
import { createIdempotently } from '../../db/idempotent-create';
import { afterCursor } from '../../db/keyset';
import { type ApiContext, bodyOf, idempotencyOf, pathId } from '../context';
import { readPage, toPage } from '../pagination';
import { conflict, notFound, parse } from '../problem';
import { dnsProviderView } from '../views';

/** Connections to the customer's DNS (RFC 2136 + TSIG, DNSPod). Secrets are sealed at rest and never returned. */
export function dnsProvidersRouter(ctx: ApiContext): Router {
  const router = Router();
  const providerInput = dnsProviderInputFor(ctx.dcv.addressAllowance);

  router.post('/', async (req, res) => {
    const { accountId } = customerOf(res);
    const input = parse(providerInput, bodyOf(req));
    const { settings, secret } = splitSecret(input);
    const created = await createIdempotently(ctx.db, accountId, idempotencyOf(req), async (trx) => {
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
      return { status: 201, body: dnsProviderView(row) };
    });
    res.status(created.status).location(`/v1/dns-providers/${created.body.id}`).json(created.body);
  });

  router.get('/', async (req, res) => {
    const { limit, after } = readPage(req.query);
    const query = ctx.db.selectFrom('dns_providers').selectAll().where('account_id', '=', customerOf(res).accountId);
    const rows = await afterCursor(query, 'created_at', after)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }), dnsProviderView));
  });

  router.get('/:id', async (req, res) => {
    const id = pathId(req, 'id', 'DNS provider');
    const row = await ctx.db
      .selectFrom('dns_providers')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', customerOf(res).accountId)
      .executeTakeFirst();
    if (!row) throw notFound(`DNS provider ${id}`);
    res.json(dnsProviderView(row));
  });

  router.delete('/:id', async (req, res) => {
    const { accountId } = customerOf(res);
    const id = pathId(req, 'id', 'DNS provider');
    const row = await ctx.db.selectFrom('dns_providers').select('id').where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
    if (!row) throw notFound(`DNS provider ${id}`);
    const using = await ctx.db.selectFrom('domains').select('name').where('dns_provider_id', '=', id).execute();
    if (using.length)
      throw conflict(`the provider is used by ${using.map((d) => d.name).join(', ')}: delete those domains or move them to another method first`);
    await ctx.db.deleteFrom('dns_providers').where('id', '=', id).execute();
    res.status(204).end();
  });

  return router;
}
