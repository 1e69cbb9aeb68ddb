import type { Response } from 'express';
import { getDomain } from 'tldts';
import { noKey } from '../../app/context';
import { addDomain, domainChecks, loadDomain, precheckDomain, removeDomain, revalidateDomain } from '../../app/domains';
import { listDnsProviders } from '../../app/dns-providers';
import { loadProfile } from '../../app/profiles';
import { inBulkLane } from '../../api/bulk-lane';
import { deadlineOf } from '../../api/deadline';
import { administratorView, checkView, domainView } from '../../api/views';
import type { DcvInstructions } from '../../dcv/instructions';
import type { CheckResult } from '../../dcv/result-codes';
import type { DcvCheckRow } from '../../db/schema';
import { createDomainBody } from '../../domain/domain-input';
import { isUsable } from '../../domain/status';
import { Problem, validationProblem } from '../../problem';
import { type ConsoleContext, customerOf } from '../context';
import { trailOf } from '../trail';
import { fieldErrors, isFormProblem } from '../forms';
import { formIdempotency, newFormKey } from '../present';
import { render } from '../render';
import type { RouteTable } from '../routes';

/** The console's five choices, as Tencent Cloud's Add Domain shows them, and the API body each one is. */
const METHOD_CHOICES: Record<string, { autoValidation: boolean; method: 'dns' | 'file' | 'dns_provider' }> = {
  'auto:dns': { autoValidation: true, method: 'dns' },
  'auto:file': { autoValidation: true, method: 'file' },
  'manual:dns_provider': { autoValidation: false, method: 'dns_provider' },
  'manual:dns': { autoValidation: false, method: 'dns' },
  'manual:file': { autoValidation: false, method: 'file' },
};

/** A record's name as DNS consoles ask for it: the host part under the registrable domain (`_dnsauth.www`), and the full name. */
export function hostPart(fullName: string): { host: string; zone: string | null; full: string } {
  const zone = getDomain(fullName.replace(/^_[a-z0-9-]+\./i, 'x.'), { allowPrivateDomains: true });
  if (!zone || fullName === zone || !fullName.endsWith(`.${zone}`)) return { host: fullName, zone: null, full: fullName };
  return { host: fullName.slice(0, -(zone.length + 1)), zone, full: fullName };
}

/** What the instructions page shows for a method: the record (with host part) or the file, with the values to copy. */
function instructionView(instructions: DcvInstructions | null) {
  if (!instructions) return null;
  const record = 'record' in instructions ? { ...instructions.record, ...hostPart(instructions.record.name) } : undefined;
  return { ...instructions, record };
}

/** A check as the API shows it, each result marked as the method's record check or the CAA check (RFC 8659) of its perspective. */
function checkWithParts(row: DcvCheckRow, caaIssuer: string) {
  const view = checkView(row);
  const results = (view.perspectives ?? []) as CheckResult[];
  return { ...view, perspectives: results.map((r) => ({ ...r, what: r.expected === caaIssuer ? 'caa' : 'method' })) };
}

/** Add Domain (Tencent Cloud's steps), a domain's page with its evidence, Validate, revalidation and delete. */
export function domainPages(table: RouteTable, ctx: ConsoleContext): void {
  const t = (res: Response) => res.locals.t;

  async function addForm(res: Response, administratorId: string, data: Record<string, unknown>, status = 200) {
    const { accountId } = customerOf(res);
    const administrator = await loadProfile(ctx, 'administrator', accountId, administratorId);
    if (!isUsable(administrator.status)) throw new Problem(409, 'Conflict', t(res)('administrator.domainsNeedApproval'));
    const providers = await listDnsProviders(ctx, accountId, 100);
    render(
      res,
      'domain-new.njk',
      {
        title: t(res)('domainNew.title'),
        administrator: administratorView(administrator),
        providers: providers.slice(0, 100).map((p) => ({ value: p.id, label: `${p.name} (${p.kind})` })),
        formKey: newFormKey(),
        values: { method: 'auto:dns' },
        ...data,
      },
      status,
    );
  }

  /** Step 1 (the name), then step 2 (the method) once the name reads as a domain: plain GET forms, nothing is written yet. */
  table.get('/administrators/:id/domains/new', 'customer', async (req, res) => {
    const domain = typeof req.query.domain === 'string' ? req.query.domain : undefined;
    if (domain === undefined || req.query.edit === '1') return addForm(res, String(req.params.id), { step: 1, values: { domain: domain ?? '' } });
    const input = { domain, autoValidation: false, method: 'dns' };
    const judged = createDomainBody.safeParse(input);
    // Said like any field error, in the viewer's language (src/console/messages/rules.ts).
    const refused = judged.success ? undefined : fieldErrors(validationProblem(judged.error, [], input), res.locals.t)?.domain;
    if (refused) return addForm(res, String(req.params.id), { step: 1, values: { domain }, errors: { domain: refused } }, 400);
    await addForm(res, String(req.params.id), { step: 2, values: { domain: judged.success ? judged.data.name : domain, method: 'auto:dns' } });
  });

  table.post(
    '/administrators/:id/domains',
    'customer',
    inBulkLane(ctx.bulkLane, async (req, res) => {
      const choice = METHOD_CHOICES[String(req.body.method)];
      // Without JavaScript both groups of methods are shown: a method of the other group than the
      // automatic-validation setting chosen is a question to ask again, not a choice to guess.
      const stated = req.body.autoValidation;
      if (choice && (stated === 'true' || stated === 'false') && String(choice.autoValidation) !== stated) {
        const errors = { method: t(res)(stated === 'true' ? 'domainNew.chooseOn' : 'domainNew.chooseOff') };
        return addForm(res, String(req.params.id), { step: 2, values: { domain: req.body.domain, autoValidation: stated }, errors }, 400);
      }
      const body = {
        domain: String(req.body.domain ?? ''),
        ...(choice ?? { method: String(req.body.method ?? '') }),
        ...(choice?.method === 'dns_provider' && req.body.dnsProviderId ? { dnsProviderId: String(req.body.dnsProviderId) } : {}),
      };
      try {
        const created = await addDomain(ctx, customerOf(res), String(req.params.id), body, {
          deadline: deadlineOf(res),
          idempotency: formIdempotency(req, body),
          respond: (row) => domainView(row, ctx.dcv),
        });
        res.redirect(303, `/console/domains/${created.body.id}/instructions?notice=domainAdded`);
        await created.workflowsStarted;
      } catch (error) {
        if (!isFormProblem(error)) throw error;
        const errors = fieldErrors(error, res.locals.t) ?? { method: error.detail ?? error.title };
        await addForm(res, String(req.params.id), { step: 2, values: req.body, errors, formKey: req.body._idempotency }, error.status);
      }
    }),
  );

  async function domainData(res: Response, id: string) {
    const { accountId } = customerOf(res);
    const row = await loadDomain(ctx, accountId, id);
    const administrator = await loadProfile(ctx, 'administrator', accountId, row.administrator_id);
    const view = domainView(row, ctx.dcv);
    const provider = row.dns_provider_id
      ? await ctx.db.selectFrom('dns_providers').select('name').where('id', '=', row.dns_provider_id).executeTakeFirst()
      : undefined;
    return { row, view, administrator: administratorView(administrator), instructions: instructionView(view.instructions), provider };
  }

  const instructionsPage = async (res: Response, id: string, data: Record<string, unknown> = {}, status = 200) => {
    const domain = await domainData(res, id);
    const checks = await domainChecks(ctx, domain.row.account_id, id, 1);
    render(
      res,
      'domain-instructions.njk',
      {
        title: t(res)('domainInstructions.title', { domain: domain.view.domain }),
        ...domain,
        domain: domain.view,
        result: checks[0] ? checkWithParts(checks[0], ctx.dcv.caaIssuer) : null,
        ...data,
      },
      status,
    );
  };

  table.get('/domains/:id/instructions', 'customer', async (req, res) => instructionsPage(res, String(req.params.id)));

  table.get('/domains/:id', 'customer', async (req, res) => {
    const domain = await domainData(res, String(req.params.id));
    const checks = await domainChecks(ctx, domain.row.account_id, domain.row.id, 5);
    render(res, 'domain.njk', {
      title: domain.view.domain,
      ...domain,
      domain: domain.view,
      checks: checks.slice(0, 5).map((c) => checkWithParts(c, ctx.dcv.caaIssuer)),
      ...(await trailOf(ctx, req, domain.row.account_id, 'domain', domain.row.id)),
    });
  });

  table.post('/domains/:id/validate', 'customer', async (req, res) => {
    const id = String(req.params.id);
    try {
      await precheckDomain(ctx, customerOf(res), id);
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 429) throw error;
      res.setHeader('Retry-After', error.extra.headers?.['Retry-After'] ?? '10');
      return instructionsPage(res, id, { failure: t(res)('domainInstructions.wait', { seconds: error.extra.headers?.['Retry-After'] ?? '' }) }, 429);
    }
    res.redirect(303, `/console/domains/${id}/instructions?notice=checked#result`);
  });

  table.post('/domains/:id/revalidate', 'customer', async (req, res) => {
    const row = await revalidateDomain(ctx, customerOf(res), String(req.params.id), noKey);
    res.redirect(303, `/console/domains/${row.id}/instructions?notice=revalidating`);
  });

  table.get('/domains/:id/delete', 'customer', async (req, res) => {
    const domain = await domainData(res, String(req.params.id));
    render(res, 'delete.njk', {
      title: t(res)('domainDelete.title'),
      kind: 'domain',
      name: domain.view.domain,
      back: `/console/domains/${domain.row.id}`,
      action: `/console/domains/${domain.row.id}/delete`,
    });
  });

  table.post('/domains/:id/delete', 'customer', async (req, res) => {
    const customer = customerOf(res);
    const row = await loadDomain(ctx, customer.accountId, String(req.params.id));
    await removeDomain(ctx, customer, row);
    res.redirect(303, `/console/administrators/${row.administrator_id}?notice=deleted`);
  });
}
