import type { Request, Router } from 'express';
import type { z } from 'zod';
import type { Principal } from '../../db/principals';

type Customer = Extract<Principal, { role: 'customer' }>;
import type { AdministratorRow, OrganizationRow } from '../../db/schema';
import type { ProfileKind } from '../../domain/status';
import { editUpdate, removeUpdate, resubmitUpdate } from '../../../workflows/messages';
import { actorOf, customerOf } from '../auth';
import { type Answer, type ApiContext, bodyOf, deleteOnce, idempotentUpdate, pathId, type UpdateKey } from '../context';
import { parse } from '../problem';

/** How one kind of reviewed profile is read and shown by its router. */
export interface ProfileRoutes<Row extends OrganizationRow | AdministratorRow> {
  kind: ProfileKind;
  /** The caller's row, or a 404 problem. */
  load(accountId: string, id: string): Promise<Row>;
  view(row: Row): Promise<unknown> | unknown;
  /** The PATCH body's schema for this row (phone numbers are read in the organization's country). */
  patchSchema(row: Row): Promise<z.ZodType<Record<string, string | null>>>;
}

/**
 * PATCH `/:id`, POST `/:id/resubmit` and DELETE `/:id` of organizations and administrators: load the
 * caller's row, send the workflow its update (under the request's Idempotency-Key), answer.
 */
export function addProfileUpdateRoutes<Row extends OrganizationRow | AdministratorRow>(router: Router, ctx: ApiContext, profile: ProfileRoutes<Row>): void {
  const onRow = (run: (row: Row, principal: Customer, req: Request, key: UpdateKey) => Promise<Answer>) =>
    idempotentUpdate(ctx, async (req, res, key) => {
      const principal = customerOf(res);
      return run(await profile.load(principal.accountId, pathId(req, 'id', profile.kind)), principal, req, key);
    });
  const current = async (row: Row, principal: Customer): Promise<Answer> => ({
    status: 200,
    body: await profile.view(await profile.load(principal.accountId, row.id)),
  });

  router.patch(
    '/:id',
    onRow(async (row, principal, req, key) => {
      const changes = parse(await profile.patchSchema(row), bodyOf(req));
      await ctx.workflows.update(profile.kind, row, editUpdate, { changes, actor: actorOf(principal) }, await key.claim());
      return current(row, principal);
    }),
  );

  router.post(
    '/:id/resubmit',
    onRow(async (row, principal, _req, key) => {
      await ctx.workflows.update(profile.kind, row, resubmitUpdate, { actor: actorOf(principal) }, await key.claim());
      return current(row, principal);
    }),
  );

  router.delete(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const principal = customerOf(res);
      const id = pathId(req, 'id', profile.kind);
      return deleteOnce(
        ctx.db,
        key,
        principal.accountId,
        id,
        () => profile.load(principal.accountId, id),
        (row, updateId) => ctx.workflows.update(profile.kind, row, removeUpdate, { actor: actorOf(principal) }, updateId),
      );
    }),
  );
}
