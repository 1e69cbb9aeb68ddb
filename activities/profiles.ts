import { ApplicationFailure } from '@temporalio/common';
import type { Transaction } from 'kysely';
import type { Timings } from '../src/config';
import type { Db } from '../src/db/connect';
import { recordEvent } from '../src/db/events';
import { columnsFor, tableFor } from '../src/db/profile-columns';
import type { Database } from '../src/db/schema';
import { addDuration } from '../src/domain/duration';
import { profileStateOf } from '../src/domain/profile-state';
import { reusableUntil } from '../src/domain/reuse-period';
import { ORGANIZATION_REVIEWED_FIELDS, ADMINISTRATOR_REVIEWED_FIELDS } from '../src/domain/schemas';
import { canDecide, canResubmit, isUsable, type ProfileKind, type ProfileStatus } from '../src/domain/status';
import {
  type Actor,
  CONFLICT,
  type DecisionRequest,
  type EditRequest,
  NOT_FOUND,
  type ProfileRef,
  type ProfileState,
} from '../workflows/messages';

interface ReviewedRow {
  id: string;
  account_id: string;
  organization_id?: string;
  status: ProfileStatus;
  submitted_at: Date;
  due_at: Date;
  approved_at: Date | null;
  valid_until: Date | null;
  rejection_reason: string | null;
  [column: string]: unknown;
}

const REVIEWED_FIELDS: Record<ProfileKind, readonly string[]> = {
  organization: ORGANIZATION_REVIEWED_FIELDS,
  administrator: ADMINISTRATOR_REVIEWED_FIELDS,
};

const conflict = (message: string) => ApplicationFailure.create({ type: CONFLICT, message, nonRetryable: true });

/**
 * The only writers of profile status. Each runs one transaction that checks the current status
 * (compare-and-set under a row lock), writes the change and its audit event together.
 */
export function createProfileActivities(deps: { db: Db; timings: Timings; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const { timings } = deps;

  const stateOf = (row: ReviewedRow, nextReminderAt?: Date) => profileStateOf(row, timings.expiringWindow, nextReminderAt);

  async function lockRow(trx: Transaction<Database>, ref: ProfileRef): Promise<ReviewedRow> {
    const row = await trx
      .selectFrom(tableFor(ref.kind) as 'organizations')
      .selectAll()
      .where('id', '=', ref.id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw ApplicationFailure.create({ type: NOT_FOUND, message: `${ref.kind} ${ref.id} no longer exists`, nonRetryable: true });
    return row as unknown as ReviewedRow;
  }

  async function writeStatus(
    trx: Transaction<Database>,
    ref: ProfileRef,
    row: ReviewedRow,
    changes: Partial<Pick<ReviewedRow, 'status' | 'submitted_at' | 'due_at' | 'approved_at' | 'valid_until' | 'rejection_reason'>>,
    event: { actor: Actor; action: string; note?: string | null },
  ): Promise<ReviewedRow> {
    const updated = (await trx
      .updateTable(tableFor(ref.kind) as 'organizations')
      .set({ ...changes, updated_at: now() } as never)
      .where('id', '=', ref.id)
      .returningAll()
      .executeTakeFirstOrThrow()) as unknown as ReviewedRow;
    await recordEvent(trx, {
      accountId: row.account_id,
      entityKind: ref.kind,
      entityId: ref.id,
      actor: event.actor,
      action: event.action,
      before: { status: row.status },
      after: {
        status: updated.status,
        ...(updated.valid_until && changes.valid_until !== undefined ? { validUntil: new Date(updated.valid_until).toISOString() } : {}),
        ...(changes.rejection_reason ? { reason: changes.rejection_reason } : {}),
      },
      note: event.note,
    });
    return updated;
  }

  /** A fresh review: new submission time and SLA due date, previous outcome cleared. */
  function newReview(at: Date) {
    return {
      status: 'under_review' as const,
      submitted_at: at,
      due_at: addDuration(at, timings.reviewSla),
      approved_at: null,
      valid_until: null,
      rejection_reason: null,
    };
  }

  return {
    async decide(ref: ProfileRef, request: DecisionRequest): Promise<ProfileState & { pendingAdministratorIds: string[] }> {
      return deps.db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, ref);
        if (!canDecide(row.status)) throw conflict(`the ${ref.kind} is ${row.status}, not under review`);
        const at = now();
        const note = request.callback ? `verification call: ${request.callback.outcome}${request.callback.note ? ` (${request.callback.note})` : ''}` : null;
        if (request.decision === 'approve') {
          if (ref.kind === 'administrator') {
            const organization = await trx
              .selectFrom('organizations')
              .select('status')
              .where('id', '=', row.organization_id!)
              .forUpdate()
              .executeTakeFirstOrThrow();
            if (!isUsable(organization.status)) {
              throw conflict(`the administrator's organization is ${organization.status}: approve the organization first`);
            }
          }
          const validUntil = timings.identityReusePeriod ? addDuration(at, timings.identityReusePeriod) : reusableUntil('identity', at);
          const updated = await writeStatus(trx, ref, row, { status: 'approved', approved_at: at, valid_until: validUntil }, { actor: request.actor, action: 'approved', note });
          return { ...stateOf(updated), pendingAdministratorIds: [] };
        }
        const updated = await writeStatus(trx, ref, row, { status: 'rejected', rejection_reason: request.reason! }, { actor: request.actor, action: 'rejected', note });
        const pending =
          ref.kind === 'organization'
            ? await trx.selectFrom('administrators').select('id').where('organization_id', '=', ref.id).where('status', '=', 'under_review').execute()
            : [];
        return { ...stateOf(updated), pendingAdministratorIds: pending.map((a) => a.id) };
      });
    },

    /** An administrator still under review when its organization is rejected is rejected with it. */
    async rejectWithOrganization(ref: ProfileRef, reason: string): Promise<ProfileState> {
      return deps.db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, ref);
        if (row.status !== 'under_review') return stateOf(row);
        const updated = await writeStatus(
          trx,
          ref,
          row,
          { status: 'rejected', rejection_reason: `organization rejected: ${reason}` },
          { actor: { kind: 'system', id: null }, action: 'rejected_with_organization' },
        );
        return stateOf(updated);
      });
    },

    async edit(ref: ProfileRef, request: EditRequest): Promise<ProfileState> {
      return deps.db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, ref);
        const columns = columnsFor(ref.kind);
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        const set: Record<string, unknown> = {};
        for (const [field, value] of Object.entries(request.changes)) {
          const column = columns[field];
          if (!column) throw ApplicationFailure.create({ type: 'BadRequest', message: `unknown field ${field}`, nonRetryable: true });
          if ((row[column] ?? null) === value) continue;
          before[field] = row[column] ?? null;
          after[field] = value;
          set[column] = value;
        }
        if (Object.keys(set).length === 0) return stateOf(row);
        const reviewedChange = Object.keys(after).some((f) => REVIEWED_FIELDS[ref.kind].includes(f));
        const backToReview = reviewedChange && row.status !== 'under_review';
        const at = now();
        const updated = (await trx
          .updateTable(tableFor(ref.kind) as 'organizations')
          .set({ ...set, ...(backToReview ? newReview(at) : {}), updated_at: at } as never)
          .where('id', '=', ref.id)
          .returningAll()
          .executeTakeFirstOrThrow()) as unknown as ReviewedRow;
        if (backToReview) {
          before.status = row.status;
          after.status = updated.status;
        }
        await recordEvent(trx, { accountId: row.account_id, entityKind: ref.kind, entityId: ref.id, actor: request.actor, action: 'edited', before, after });
        return stateOf(updated);
      });
    },

    async resubmit(ref: ProfileRef, actor: Actor): Promise<ProfileState> {
      return deps.db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, ref);
        if (!canResubmit(row.status)) throw conflict(`the ${ref.kind} is ${row.status}; only rejected, expiring or expired ones can be resubmitted`);
        const updated = await writeStatus(trx, ref, row, newReview(now()), { actor, action: 'resubmitted' });
        return stateOf(updated);
      });
    },

    /** Past the review SLA: a reminder event for the reviewers, and the time of the next one. */
    async remindReviewers(ref: ProfileRef): Promise<ProfileState> {
      return deps.db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, ref);
        if (row.status !== 'under_review') return stateOf(row);
        const at = now();
        await recordEvent(trx, {
          accountId: row.account_id,
          entityKind: ref.kind,
          entityId: ref.id,
          actor: { kind: 'system', id: null },
          action: 'review_overdue',
          after: { dueAt: new Date(row.due_at).toISOString() },
          note: `review is past its due time by ${Math.round((at.getTime() - new Date(row.due_at).getTime()) / 1000)}s`,
        });
        return stateOf(row, addDuration(at, timings.reviewReminderInterval));
      });
    },

    /** approved → expiring inside the expiring window, expiring → expired at validUntil; a no-op if already moved on. */
    async advanceValidity(ref: ProfileRef): Promise<ProfileState> {
      return deps.db.transaction().execute(async (trx) => {
        const row = await lockRow(trx, ref);
        const state = stateOf(row);
        const at = now().getTime();
        const system = { actor: { kind: 'system' as const, id: null }, action: '' };
        if ((row.status === 'approved' || row.status === 'expiring') && state.validUntil && at >= Date.parse(state.validUntil)) {
          return stateOf(await writeStatus(trx, ref, row, { status: 'expired' }, { ...system, action: 'expired' }));
        }
        if (row.status === 'approved' && state.expiringAt && at >= Date.parse(state.expiringAt)) {
          return stateOf(await writeStatus(trx, ref, row, { status: 'expiring' }, { ...system, action: 'expiring' }));
        }
        return state;
      });
    },

    /**
     * Deletes the row; an organization's administrators and their domains go with it (foreign keys cascade).
     * Returns whose workflows must end, so they can clean up what they wrote.
     */
    async remove(ref: ProfileRef, actor: Actor): Promise<{ administratorIds: string[]; domainIds: string[] }> {
      return deps.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom(tableFor(ref.kind) as 'organizations').selectAll().where('id', '=', ref.id).forUpdate().executeTakeFirst();
        if (!row) return { administratorIds: [], domainIds: [] };
        const administratorIds =
          ref.kind === 'organization' ? (await trx.selectFrom('administrators').select('id').where('organization_id', '=', ref.id).execute()).map((a) => a.id) : [ref.id];
        const domainIds = administratorIds.length
          ? (await trx.selectFrom('domains').select('id').where('administrator_id', 'in', administratorIds).execute()).map((d) => d.id)
          : [];
        await trx.deleteFrom(tableFor(ref.kind) as 'organizations').where('id', '=', ref.id).execute();
        await recordEvent(trx, { accountId: row.account_id, entityKind: ref.kind, entityId: ref.id, actor, action: 'deleted', before: { status: row.status } });
        const cascaded = [
          ...(ref.kind === 'organization' ? administratorIds.map((id) => ({ kind: 'administrator' as const, id, action: 'deleted_with_organization' })) : []),
          ...domainIds.map((id) => ({ kind: 'domain' as const, id, action: `deleted_with_${ref.kind}` })),
        ];
        for (const entity of cascaded) {
          await recordEvent(trx, { accountId: row.account_id, entityKind: entity.kind, entityId: entity.id, actor, action: entity.action });
        }
        return { administratorIds: ref.kind === 'organization' ? administratorIds : [], domainIds };
      });
    },
  };
}

export type ProfileActivities = ReturnType<typeof createProfileActivities>;

