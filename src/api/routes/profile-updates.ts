import type { Router } from 'express';
import { editProfile, loadProfile, type ProfileRow, removeProfile, resubmitProfile } from '../../app/profiles';
import type { ProfileKind } from '../../domain/status';
import { customerCaller } from '../auth';
import { type ApiContext, bodyOf, deleteOnce, idempotentUpdate, pathId } from '../context';

/** How one kind of reviewed profile is shown by its router. */
export interface ProfileRoutes<K extends ProfileKind> {
  kind: K;
  view(row: ProfileRow<K>): Promise<unknown> | unknown;
}

/**
 * PATCH `/:id`, POST `/:id/resubmit` and DELETE `/:id` of organizations and administrators: the use
 * cases of src/app/profiles.ts under the request's Idempotency-Key.
 */
export function addProfileUpdateRoutes<K extends ProfileKind>(router: Router, ctx: ApiContext, profile: ProfileRoutes<K>): void {
  const { kind } = profile;
  router.patch(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const row = await editProfile(ctx, kind, customerCaller(res), pathId(req, 'id', kind), bodyOf(req), () => key.claim());
      return { status: 200, body: await profile.view(row) };
    }),
  );

  router.post(
    '/:id/resubmit',
    idempotentUpdate(ctx, async (req, res, key) => {
      const row = await resubmitProfile(ctx, kind, customerCaller(res), pathId(req, 'id', kind), () => key.claim());
      return { status: 200, body: await profile.view(row) };
    }),
  );

  router.delete(
    '/:id',
    idempotentUpdate(ctx, async (req, res, key) => {
      const customer = customerCaller(res);
      const id = pathId(req, 'id', kind);
      return deleteOnce(
        ctx.db,
        key,
        customer.accountId,
        id,
        () => loadProfile(ctx, kind, customer.accountId, id),
        (row, updateId) => removeProfile(ctx, kind, customer, row, updateId),
      );
    }),
  );
}
