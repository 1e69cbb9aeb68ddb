import type { Response } from 'express';
import { createApiKey, listApiKeys, revokeApiKey } from '../../app/api-keys';
import { addDnsProvider, listDnsProviders, removeDnsProvider } from '../../app/dns-providers';
import { invitationPath, inviteAccountUser } from '../../app/users';
import { dnsProviderView } from '../../api/views';
import { accountUsers, removeAccountUser } from '../../db/users';
import { notFound } from '../../problem';
import { type ConsoleContext, customerOf, userOf } from '../context';
import { fieldErrors, isFormProblem, nest } from '../forms';
import { formIdempotency, newFormKey } from '../present';
import { render } from '../render';
import type { RouteTable } from '../routes';

/** DNS providers, API keys and the account's members (invitations by owners). */
export function accountPages(table: RouteTable, ctx: ConsoleContext): void {
  const t = (res: Response) => res.locals.t;

  const providersPage = async (res: Response, data: Record<string, unknown> = {}, status = 200) => {
    const rows = await listDnsProviders(ctx, customerOf(res).accountId, 100);
    render(
      res,
      'dns-providers.njk',
      {
        title: t(res)('dnsProviders.title'),
        providers: rows.slice(0, 100).map(dnsProviderView),
        formKey: newFormKey(),
        values: { kind: 'rfc2136', port: '53', tsigAlgorithm: 'hmac-sha256' },
        ...data,
      },
      status,
    );
  };

  table.get('/dns-providers', 'customer', async (_req, res) => providersPage(res));

  table.post('/dns-providers', 'customer', async (req, res) => {
    const kind = String(req.body.kind);
    // Only the chosen kind's fields: the other kind's inputs stay in the form, empty.
    const fields =
      kind === 'dnspod' ? ['kind', 'name', 'tokenId', 'token'] : ['kind', 'name', 'server', 'port', 'zone', 'tsigKeyName', 'tsigAlgorithm', 'tsigSecret'];
    const sent = nest(req.body);
    const body: Record<string, unknown> = {};
    for (const name of fields) {
      const value = sent[name];
      if (value !== undefined) body[name] = name === 'port' && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    }
    try {
      await addDnsProvider(ctx, customerOf(res).accountId, body, { idempotency: formIdempotency(req, body), respond: dnsProviderView });
      res.redirect(303, '/console/dns-providers?notice=providerAdded');
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      // Secrets are never sent back to the browser, not even into the form being corrected.
      const { tsigSecret: _s, token: _t, ...values } = req.body;
      await providersPage(
        res,
        { values, errors: fieldErrors(error, res.locals.t) ?? { name: error.detail ?? error.title }, formKey: req.body._idempotency },
        error.status,
      );
    }
  });

  table.post('/dns-providers/:id/delete', 'customer', async (req, res) => {
    try {
      await removeDnsProvider(ctx, customerOf(res).accountId, String(req.params.id));
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      return providersPage(res, { failure: error.detail }, error.status);
    }
    res.redirect(303, '/console/dns-providers?notice=deleted');
  });

  const keysPage = async (res: Response, data: Record<string, unknown> = {}, status = 200) => {
    const keys = await listApiKeys(ctx.db, customerOf(res).accountId);
    const shown = keys.map((k) => ({
      id: k.id,
      name: k.name,
      createdAt: new Date(k.created_at).toISOString(),
      createdBy: k.created_by_name,
      revokedAt: k.revoked_at && new Date(k.revoked_at).toISOString(),
    }));
    render(res, 'api-keys.njk', { title: t(res)('apiKeys.title'), keys: shown, values: {}, ...data }, status);
  };

  table.get('/api-keys', 'customer', async (_req, res) => keysPage(res));

  table.post('/api-keys', 'customer', async (req, res) => {
    try {
      // As sent (a name given twice is an array): the use case's schema judges it.
      const created = await createApiKey(ctx.db, customerOf(res).accountId, { name: req.body.name ?? '' }, userOf(res).id);
      // The key is shown on this answer only: it is not stored, and the page is not cached (no-store).
      await keysPage(res, { created: { name: created.row.name, apiKey: created.apiKey } }, 201);
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await keysPage(res, { values: req.body, errors: fieldErrors(error, res.locals.t) }, error.status);
    }
  });

  table.post('/api-keys/:id/revoke', 'customer', async (req, res) => {
    await revokeApiKey(ctx.db, customerOf(res).accountId, String(req.params.id));
    res.redirect(303, '/console/api-keys?notice=keyRevoked');
  });

  const membersPage = async (res: Response, data: Record<string, unknown> = {}, status = 200) => {
    const users = await accountUsers(ctx.db, customerOf(res).accountId);
    const members = users.map((u) => ({ id: u.id, name: u.name, email: u.email, role: u.role, active: u.password_hash !== null }));
    render(res, 'members.njk', { title: t(res)('members.title'), members, isOwner: userOf(res).role === 'owner', values: { role: 'member' }, ...data }, status);
  };

  table.get('/members', 'customer', async (_req, res) => membersPage(res));

  table.post('/members', 'owner', async (req, res) => {
    try {
      const invitation = await inviteAccountUser(ctx.db, customerOf(res).accountId, nest(req.body), ctx.settings.invitationLifetime);
      await membersPage(
        res,
        {
          invited: {
            name: invitation.user.name,
            email: invitation.user.email,
            url: `${ctx.settings.publicUrl}${invitationPath(invitation.token)}`,
            expiresAt: invitation.expiresAt.toISOString(),
          },
        },
        201,
      );
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await membersPage(res, { values: req.body, errors: fieldErrors(error, res.locals.t) }, error.status);
    }
  });

  table.post('/members/:id/remove', 'owner', async (req, res) => {
    const id = String(req.params.id);
    if (id === userOf(res).id) return membersPage(res, { failure: t(res)('members.notYourself') }, 409);
    let removed: Awaited<ReturnType<typeof removeAccountUser>>;
    try {
      removed = await removeAccountUser(ctx.db, customerOf(res).accountId, id);
      if (!removed) throw notFound(`user ${id}`);
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      return membersPage(res, { failure: error.detail }, error.status);
    }
    res.redirect(303, `/console/members?notice=${removed.revokedKeys > 0 ? 'memberRemovedKeysRevoked' : 'memberRemoved'}`);
  });
}
