import { Router } from 'express';
import { addDnsProvider, listDnsProviders, loadDnsProvider, removeDnsProvider } from '../../app/dns-providers';
import { customerOf } from '../auth';
import { type ApiContext, bodyOf, deleteOnce, idempotencyOf, idempotentUpdate, pathId } from '../context';
import { readPage, toPage } from '../pagination';
import { dnsProviderView } from '../views';

/** Connections to the customer's DNS (RFC 2136 + TSIG, DNSPod). Secrets are sealed at rest and never returned. */
export function dnsProvidersRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const created = await addDnsProvider(ctx, customerOf(res).accountId, bodyOf(req), { idempotency: idempotencyOf(req), respond: dnsProviderView });
    res.status(created.status).location(`/v1/dns-providers/${created.body.id}`).json(created.body);
  });

  router.get('/', async (req, res) => {
    const { limit, after } = readPage(req.query);
    const rows = await listDnsProviders(ctx, customerOf(res).accountId, limit, after);
    res.json(toPage(rows, limit, (r) => ({ at: new Date(r.created_at).toISOString(), id: r.id }), dnsProviderView));
  });

  router.get('/:id', async (req, res) => {
    res.json(dnsProviderView(await loadDnsProvider(ctx, customerOf(res).accountId, pathId(req, 'id', 'DNS provider'))));
  });

  router.delete(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const accountId = customerOf(res).accountId;
      const id = pathId(req, 'id', 'DNS provider');
      return deleteOnce(
        ctx.db,
        key,
        accountId,
        id,
        () => loadDnsProvider(ctx, accountId, id),
        () => removeDnsProvider(ctx, accountId, id),
        false,
      );
    }),
  );

  return router;
}
