import { Router } from 'express';
import { proxiedFileValue } from '../../db/domain-store';
import type { ApiContext } from '../context';
import { notFound } from '../problem';

/**
 * The service's public DCV address: customers reverse-proxy `/.well-known/pki-validation/` to
 * `<DCV_PUBLIC_URL>/dcv/<label>/`, and the CA's fetch of `fileauth.txt` is answered here with the
 * domain's current random value (so renewals need nothing from the customer).
 */
export function dcvFilesRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/:label/fileauth.txt', async (req, res) => {
    const label = String(req.params.label);
    const value = /^[a-z2-7]{32}$/.test(label) ? await proxiedFileValue(ctx.db, label) : undefined;
    res.setHeader('Cache-Control', 'no-store');
    if (!value) throw notFound(`validation file ${label}`);
    res.type('text/plain').send(value);
  });
  return router;
}
