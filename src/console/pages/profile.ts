import type { Request, Response } from 'express';
import { reviewHistory } from '../../app/audit';
import { noKey } from '../../app/context';
import { administratorDomains } from '../../app/domains';
import {
  editProfile,
  loadProfile,
  organizationAllowance,
  organizationWithAdministrators,
  type ProfileRow,
  removeProfile,
  resubmitProfile,
  submitAdministrator,
  submitOrganization,
} from '../../app/profiles';
import { listOrganizations } from '../../db/profile-queries';
import { ADMINISTRATOR_REVIEWED_FIELDS, ORGANIZATION_REVIEWED_FIELDS } from '../../domain/schemas';
import { canResubmit, type ProfileKind } from '../../domain/status';
import { administratorView, domainView, organizationView, reviewHistoryView } from '../../api/views';
import { inBulkLane } from '../../api/bulk-lane';
import { deadlineOf } from '../../api/deadline';
import { decodeCursor, toPage } from '../../api/pagination';
import { domainCursor } from '../../api/routes/domains';
import { administratorsOf } from '../../db/profile-queries';
import { type ConsoleContext, customerOf } from '../context';
import { trailOf } from '../trail';
import { fieldErrors, isFormProblem, nest } from '../forms';
import { countryOptions, formIdempotency, newFormKey, phoneDisplay } from '../present';
import { render } from '../render';
import type { RouteTable } from '../routes';

/** Fields of each kind's form, in order, and which of them may be left empty. */
const FIELDS: Record<ProfileKind, { names: string[]; optional: string[]; reviewed: readonly string[] }> = {
  organization: {
    names: ['name', 'displayName', 'department', 'country', 'province', 'city', 'address', 'postalCode', 'landline'],
    optional: ['displayName', 'department', 'postalCode'],
    reviewed: ORGANIZATION_REVIEWED_FIELDS,
  },
  administrator: { names: ['firstName', 'lastName', 'position', 'phone', 'email'], optional: [], reviewed: ADMINISTRATOR_REVIEWED_FIELDS },
};

/** How a profile's stored value shows in its edit form (the same words the API returns). */
function formValues(kind: ProfileKind, row: ProfileRow<ProfileKind>): Record<string, string> {
  const view = (
    kind === 'organization' ? organizationView(row as ProfileRow<'organization'>, []) : administratorView(row as ProfileRow<'administrator'>)
  ) as Record<string, unknown>;
  return Object.fromEntries(FIELDS[kind].names.map((name) => [name, view[name] === null || view[name] === undefined ? '' : String(view[name])]));
}

/** An edit as the API's PATCH body: only the fields that changed; an emptied optional field is cleared (null). */
function changesOf(kind: ProfileKind, sent: Record<string, unknown>, current: Record<string, string>): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const name of FIELDS[kind].names) {
    const value = typeof sent[name] === 'string' ? (sent[name] as string) : '';
    if (value.trim() === current[name]) continue;
    changes[name] = value.trim() === '' && FIELDS[kind].optional.includes(name) ? null : value;
  }
  return changes;
}

const idempotencyBody = (req: Request) => nest(req.body);

/** Domains on one page of an administrator's Review Information. */
const DOMAINS_PAGE = 100;

/** My Profile: organizations, their administrators, edits, resubmissions, deletes, review history and audit trail. */
export function profilePages(table: RouteTable, ctx: ConsoleContext): void {
  const t = (res: Response) => res.locals.t;

  async function trails(req: Request, res: Response, kind: ProfileKind, id: string) {
    const { accountId } = customerOf(res);
    const history = await reviewHistory(ctx, kind, id, accountId, 100);
    return {
      ...(await trailOf(ctx, req, accountId, kind, id)),
      reviews: history.rows.slice(0, 100).map((r) => reviewHistoryView(r, history.names)),
    };
  }

  table.get('/profile', 'customer', async (_req, res) => {
    const { accountId } = customerOf(res);
    const rows = await listOrganizations(ctx.db, accountId, 100);
    const administrators = await administratorsOf(
      ctx.db,
      rows.map((r) => r.id),
    );
    const allowance = await organizationAllowance(ctx, accountId);
    const account = await ctx.db.selectFrom('accounts').select('name').where('id', '=', accountId).executeTakeFirst();
    render(res, 'profile.njk', {
      title: t(res)('profile.title'),
      account,
      allowance,
      organizations: rows.map((r) => organizationView(r, administrators.get(r.id) ?? [])),
    });
  });

  const organizationForm = async (res: Response, data: Record<string, unknown> = {}, status = 200) => {
    const allowance = await organizationAllowance(ctx, customerOf(res).accountId);
    render(
      res,
      'organization-new.njk',
      {
        title: t(res)('organizationNew.title'),
        allowance,
        countries: countryOptions(res.locals.lang),
        formKey: newFormKey(),
        values: { organization: { country: 'CN' } },
        ...data,
      },
      status,
    );
  };

  table.get('/organizations/new', 'customer', async (_req, res) => organizationForm(res));

  table.post(
    '/organizations',
    'customer',
    inBulkLane(ctx.bulkLane, async (req, res) => {
      const body = idempotencyBody(req);
      try {
        const created = await submitOrganization(ctx, customerOf(res), body, {
          deadline: deadlineOf(res),
          idempotency: formIdempotency(req, body),
          respond: (organization, administrators) => organizationView(organization, administrators),
        });
        res.redirect(303, `/console/organizations/${created.body.id}?notice=organizationSubmitted`);
        await created.workflowsStarted;
      } catch (error) {
        if (!isFormProblem(error)) throw error;
        await organizationForm(
          res,
          { values: body, errors: fieldErrors(error, res.locals.t) ?? { 'organization.name': error.detail ?? error.title }, formKey: req.body._idempotency },
          error.status,
        );
      }
    }),
  );

  table.get('/organizations/:id', 'customer', async (req, res) => {
    const row = await loadProfile(ctx, 'organization', customerOf(res).accountId, String(req.params.id));
    const { organization, administrators } = await organizationWithAdministrators(ctx, row);
    render(res, 'organization.njk', {
      title: organization.name,
      organization: organizationView(organization, administrators),
      landline: phoneDisplay(organization.landline, t(res)('phone.ext')),
      canResubmit: canResubmit(organization.status),
      ...(await trails(req, res, 'organization', organization.id)),
    });
  });

  for (const kind of ['organization', 'administrator'] as const) {
    const base = `/${kind}s/:id`;
    const editForm = (res: Response, row: ProfileRow<ProfileKind>, data: Record<string, unknown> = {}, status = 200) =>
      render(
        res,
        `${kind}-edit.njk`,
        {
          title: t(res)(`${kind}Edit.title`),
          row: kind === 'organization' ? organizationView(row as ProfileRow<'organization'>, []) : administratorView(row as ProfileRow<'administrator'>),
          values: formValues(kind, row),
          countries: countryOptions(res.locals.lang),
          sendsBack: row.status !== 'under_review',
          ...data,
        },
        status,
      );

    table.get(`${base}/edit`, 'customer', async (req, res) => {
      editForm(res, await loadProfile(ctx, kind, customerOf(res).accountId, String(req.params.id)));
    });

    table.post(`${base}/edit`, 'customer', async (req, res) => {
      const customer = customerOf(res);
      const row = await loadProfile(ctx, kind, customer.accountId, String(req.params.id));
      const changes = changesOf(kind, req.body, formValues(kind, row));
      if (Object.keys(changes).length === 0) return res.redirect(303, `/console/${kind}s/${row.id}?notice=noChanges`);
      try {
        const after = await editProfile(ctx, kind, customer, row.id, changes, noKey);
        const notice = after.status === 'under_review' && row.status !== 'under_review' ? 'editedBackToReview' : 'edited';
        res.redirect(303, `/console/${kind}s/${row.id}?notice=${notice}`);
      } catch (error) {
        if (!isFormProblem(error)) throw error;
        editForm(
          res,
          row,
          {
            values: { ...formValues(kind, row), ...req.body },
            errors: fieldErrors(error, res.locals.t),
            failure: fieldErrors(error, res.locals.t) ? undefined : error.detail,
          },
          error.status,
        );
      }
    });

    table.post(`${base}/resubmit`, 'customer', async (req, res) => {
      const row = await resubmitProfile(ctx, kind, customerOf(res), String(req.params.id), noKey);
      res.redirect(303, `/console/${kind}s/${row.id}?notice=resubmitted`);
    });

    table.get(`${base}/delete`, 'customer', async (req, res) => {
      const row = await loadProfile(ctx, kind, customerOf(res).accountId, String(req.params.id));
      const domains = kind === 'administrator' ? await administratorDomains(ctx, row.account_id, row.id, 100) : [];
      const administrators = kind === 'organization' ? ((await administratorsOf(ctx.db, [row.id])).get(row.id) ?? []) : [];
      render(res, 'delete.njk', {
        title: t(res)(`${kind}Delete.title`),
        kind,
        name:
          kind === 'organization'
            ? (row as ProfileRow<'organization'>).name
            : `${(row as ProfileRow<'administrator'>).first_name} ${(row as ProfileRow<'administrator'>).last_name}`,
        row:
          kind === 'organization' ? organizationView(row as ProfileRow<'organization'>, administrators) : administratorView(row as ProfileRow<'administrator'>),
        domains: domains.map((d) => domainView(d, ctx.dcv)),
        back: `/console/${kind}s/${row.id}`,
        action: `/console/${kind}s/${row.id}/delete`,
      });
    });

    table.post(`${base}/delete`, 'customer', async (req, res) => {
      const customer = customerOf(res);
      const row = await loadProfile(ctx, kind, customer.accountId, String(req.params.id));
      await removeProfile(ctx, kind, customer, row);
      const parent = kind === 'administrator' ? `/console/organizations/${(row as ProfileRow<'administrator'>).organization_id}` : '/console/profile';
      res.redirect(303, `${parent}?notice=deleted`);
    });
  }

  const administratorForm = async (res: Response, organizationId: string, data: Record<string, unknown> = {}, status = 200) => {
    const organization = await loadProfile(ctx, 'organization', customerOf(res).accountId, organizationId);
    render(
      res,
      'administrator-new.njk',
      { title: t(res)('administratorNew.title'), organization: organizationView(organization, []), formKey: newFormKey(), values: {}, ...data },
      status,
    );
  };

  table.get('/organizations/:id/administrators/new', 'customer', async (req, res) => administratorForm(res, String(req.params.id)));

  table.post(
    '/organizations/:id/administrators',
    'customer',
    inBulkLane(ctx.bulkLane, async (req, res) => {
      const body = idempotencyBody(req);
      try {
        const created = await submitAdministrator(ctx, customerOf(res), String(req.params.id), body, {
          deadline: deadlineOf(res),
          idempotency: formIdempotency(req, body),
          respond: administratorView,
        });
        res.redirect(303, `/console/administrators/${created.body.id}?notice=administratorSubmitted`);
        await created.workflowsStarted;
      } catch (error) {
        if (!isFormProblem(error)) throw error;
        await administratorForm(
          res,
          String(req.params.id),
          { values: body, errors: fieldErrors(error, res.locals.t) ?? { email: error.detail ?? error.title }, formKey: req.body._idempotency },
          error.status,
        );
      }
    }),
  );

  table.get('/administrators/:id', 'customer', async (req, res) => {
    const { accountId } = customerOf(res);
    const row = await loadProfile(ctx, 'administrator', accountId, String(req.params.id));
    const organization = await loadProfile(ctx, 'organization', accountId, row.organization_id);
    // A page of the administrator's domains (?domains=<cursor>), with links to the next page and back to the first.
    const asked = typeof req.query.domains === 'string' ? req.query.domains : undefined;
    const rows = await administratorDomains(ctx, accountId, row.id, DOMAINS_PAGE, decodeCursor(asked));
    const domains = toPage(rows, DOMAINS_PAGE, domainCursor, (d) => domainView(d, ctx.dcv));
    const here = `/console/administrators/${row.id}`;
    render(res, 'administrator.njk', {
      title: `${row.first_name} ${row.last_name}`,
      administrator: administratorView(row),
      organization: organizationView(organization, []),
      phone: phoneDisplay(row.phone),
      canResubmit: canResubmit(row.status),
      canAddDomains: row.status === 'approved' || row.status === 'expiring',
      domains: domains.items,
      moreDomains: domains.nextCursor && `${here}?domains=${domains.nextCursor}#domains`,
      firstDomains: asked !== undefined ? `${here}#domains` : null,
      ...(await trails(req, res, 'administrator', row.id)),
    });
  });
}
