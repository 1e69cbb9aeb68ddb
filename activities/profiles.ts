import { ApplicationFailure } from '@temporalio/common';
import type { Kysely, Transaction } from 'kysely';
import type { Timings } from '../src/config';
import type { Db } from '../src/db/connect';
import { duplicateAdministrator, duplicateOrganization } from '../src/db/duplicates';
import { eventsOfOperation, recordEvent } from '../src/db/events';
import { columnsFor, tableFor } from '../src/db/profile-columns';
import { recordReview } from '../src/db/review-history';
import type { Database, EventRow } from '../src/db/schema';
import { addDuration } from '../src/domain/duration';
import { profileStateOf } from '../src/domain/profile-state';
import * as transition from '../src/domain/profile-transitions';
import { type Change, isRefusal, type Refusal, type ReviewedRecord } from '../src/domain/profile-transitions';
import { ADMINISTRATOR_REVIEWED_FIELDS, ORGANIZATION_REVIEWED_FIELDS } from '../src/domain/schemas';
import type { ProfileKind, ProfileStatus } from '../src/domain/status';
import { type Actor, FAILURE, SYSTEM } from '../src/domain/vocabulary';
import type { DecisionRequest, EditRequest, ProfileRef, ProfileState } from '../workflows/messages';
import type { ExistingProfile } from '../src/problem';
import { lockAccount } from '../src/db/account-lock';
import { operationOf } from './operation';

interface ReviewedRow extends ReviewedRecord {
  id: string;
  account_id: string;
  organization_id?: string;
  [column: string]: unknown;
}

const REVIEWED_FIELDS: Record<ProfileKind, readonly string[]> = {
  organization: ORGANIZATION_REVIEWED_FIELDS,
  administrator: ADMINISTRATOR_REVIEWED_FIELDS,
};

const failure = (type: string, message: string, details?: unknown[]) => ApplicationFailure.create({ type, message, nonRetryable: true, details });

/**
 * A refused decision: 409 for a status that does not allow it; 422 when its record breaks the review
 * rules, with the field errors in the failure's details (encoded like any payload; the message names
 * only fields and rules, no personal data).
 */
function refusal({ refused, issues }: Refusal): ApplicationFailure {
  if (!issues?.length) return failure(FAILURE.conflict, refused);
  const errors = issues.map((i) => ({ field: i.path.join('.'), message: i.message, rule: i.rule }));
  return ApplicationFailure.create({ type: FAILURE.unprocessable, message: refused, nonRetryable: true, details: [errors] });
}

/** What a retried activity needs to see: the locked row and the events its first attempt committed. */
interface Step {
  trx: Transaction<Database>;
  row: ReviewedRow;
  /** Non-empty only on a retry whose first attempt committed: its change is applied already. */
  recorded: EventRow[];
  operationId: string | null;
  /** The moment of the change: in the row's timestamps and on its audit event alike. */
  at: Date;
}

/**
 * The only writers of profile status. Each is one transaction: lock the row, return the recorded
 * outcome if this activity's own change is already there (a retry after the commit), else apply the
 * pure transition from src/domain/profile-transitions.ts and write the row with its audit event.
 * Durations come from `timings` when each activity runs.
 */
export function createProfileActivities(deps: { db: Db; timings: Timings; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const { timings } = deps;

  const stateOf = (row: ReviewedRow, nextReminderAt?: Date) => profileStateOf(row, timings.expiringWindow, nextReminderAt);

  /**
   * With `lockAccount`, the account's row is locked first (the order creates take: account, then
   * profile rows), so a rule across the account's profiles holds against concurrent creates and edits.
   */
  async function step<T>(ref: ProfileRef, work: (step: Step) => Promise<T>, options: { lockAccount?: boolean } = {}): Promise<T> {
    const operationId = operationOf();
    return deps.db.transaction().execute(async (trx) => {
      if (options.lockAccount) await lockAccountOf(trx, ref);
      const row = await trx
        .selectFrom(tableFor(ref.kind) as 'organizations')
        .selectAll()
        .where('id', '=', ref.id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw failure(FAILURE.notFound, `${ref.kind} ${ref.id} no longer exists`);
      const recorded = (await eventsOfOperation(trx, operationId)).filter((event) => event.entity_id === ref.id);
      return work({ trx, row: row as unknown as ReviewedRow, recorded, operationId, at: now() });
    });
  }

  async function lockAccountOf(trx: Transaction<Database>, ref: ProfileRef): Promise<void> {
    const owner = await trx
      .selectFrom(tableFor(ref.kind) as 'organizations')
      .select('account_id')
      .where('id', '=', ref.id)
      .executeTakeFirst();
    if (owner) await lockAccount(trx, owner.account_id);
  }

  /** The profile of the account that `row` with `set` applied would duplicate (src/domain/identity.ts). */
  async function duplicateOf(
    trx: Transaction<Database>,
    ref: ProfileRef,
    row: ReviewedRow,
    set: Record<string, unknown>,
  ): Promise<ExistingProfile | undefined> {
    const next = { ...row, ...set } as Record<string, string>;
    if (ref.kind === 'organization') {
      if (!('name' in set) && !('country' in set)) return undefined;
      return duplicateOrganization(trx, row.account_id, { name: next.name, country: next.country }, ref.id);
    }
    if (!('first_name' in set) && !('last_name' in set) && !('email' in set)) return undefined;
    return duplicateAdministrator(trx, row.organization_id!, { firstName: next.first_name, lastName: next.last_name, email: next.email }, ref.id);
  }

  /** Writes a transition's columns and its audit event (before → after status), and the review it closes, if any. */
  async function write(ref: ProfileRef, { trx, row, operationId, at }: Step, change: Change, actor: Actor): Promise<ReviewedRow> {
    const updated = Object.keys(change.changes).length
      ? ((await trx
          .updateTable(tableFor(ref.kind) as 'organizations')
          .set({ ...change.changes, updated_at: at } as never)
          .where('id', '=', ref.id)
          .returningAll()
          .executeTakeFirstOrThrow()) as unknown as ReviewedRow)
      : row;
    await recordEvent(trx, {
      accountId: row.account_id,
      entityKind: ref.kind,
      entityId: ref.id,
      actor,
      action: change.action,
      before: change.changes.status ? { status: row.status } : undefined,
      after: { ...(change.changes.status ? { status: updated.status } : {}), ...change.after },
      note: change.note,
      operationId,
      at,
    });
    if (change.review) await recordReview(trx, { accountId: row.account_id, kind: ref.kind, entityId: ref.id, actor, at, outcome: change.review });
    return updated;
  }

  /** A rejected organization's administrators still under review: its workflow rejects them next. */
  async function pendingAdministrators(trx: Transaction<Database>, ref: ProfileRef, status: ProfileStatus): Promise<string[]> {
    if (ref.kind !== 'organization' || status !== 'rejected') return [];
    const rows = await trx.selectFrom('administrators').select('id').where('organization_id', '=', ref.id).where('status', '=', 'under_review').execute();
    return rows.map((a) => a.id);
  }

  async function organizationStatusOf(trx: Transaction<Database>, row: ReviewedRow): Promise<ProfileStatus> {
    const organization = await trx.selectFrom('organizations').select('status').where('id', '=', row.organization_id!).forUpdate().executeTakeFirstOrThrow();
    return organization.status;
  }

  return {
    /** A reviewer's decision; a rejected organization also names its administrators still under review. */
    async decide(ref: ProfileRef, request: DecisionRequest): Promise<ProfileState & { pendingAdministratorIds: string[] }> {
      return step(ref, async (s) => {
        let row = s.row;
        if (s.recorded.length === 0) {
          const organizationStatus = ref.kind === 'administrator' && request.decision === 'approve' ? await organizationStatusOf(s.trx, row) : undefined;
          const change = transition.decide(ref.kind, row, request, s.at, timings, organizationStatus);
          if (isRefusal(change)) throw refusal(change);
          row = await write(ref, s, change, request.actor);
        }
        return { ...stateOf(row), pendingAdministratorIds: await pendingAdministrators(s.trx, ref, row.status) };
      });
    },

    /** An administrator still under review when its organization is rejected is rejected with it. */
    async rejectWithOrganization(ref: ProfileRef, reason: string): Promise<ProfileState> {
      return step(ref, async (s) => {
        const change = s.recorded.length ? null : transition.rejectWithOrganization(s.row, reason);
        return stateOf(change ? await write(ref, s, change, SYSTEM) : s.row);
      });
    },

    async edit(ref: ProfileRef, request: EditRequest): Promise<ProfileState> {
      return step(
        ref,
        async (s) => {
          if (s.recorded.length) return stateOf(s.row);
          const edit = transition.edit(s.row, request.changes, columnsFor(ref.kind), REVIEWED_FIELDS[ref.kind], s.at, timings);
          if (edit === null) return stateOf(s.row);
          if (isRefusal(edit)) throw failure(FAILURE.badRequest, edit.refused);
          const duplicate = await duplicateOf(s.trx, ref, s.row, edit.set);
          if (duplicate) {
            const field = ref.kind === 'organization' ? 'name' : 'email';
            throw failure(FAILURE.duplicate, `the account already holds this ${ref.kind} as ${duplicate.kind} ${duplicate.id}`, [{ ...duplicate, field }]);
          }
          const updated = (await s.trx
            .updateTable(tableFor(ref.kind) as 'organizations')
            .set({ ...edit.set, updated_at: s.at } as never)
            .where('id', '=', ref.id)
            .returningAll()
            .executeTakeFirstOrThrow()) as unknown as ReviewedRow;
          await recordEvent(s.trx, {
            accountId: s.row.account_id,
            entityKind: ref.kind,
            entityId: ref.id,
            actor: request.actor,
            action: 'edited',
            before: edit.before,
            after: edit.after,
            operationId: s.operationId,
            at: s.at,
          });
          return stateOf(updated);
        },
        { lockAccount: true },
      );
    },

    async resubmit(ref: ProfileRef, actor: Actor): Promise<ProfileState> {
      return step(ref, async (s) => {
        if (s.recorded.length) return stateOf(s.row);
        const change = transition.resubmit(ref.kind, s.row, s.at, timings);
        if (isRefusal(change)) throw failure(FAILURE.conflict, change.refused);
        return stateOf(await write(ref, s, change, actor));
      });
    },

    /** Past the review SLA: a reminder event for the reviewers, and the time of the next one. */
    async remindReviewers(ref: ProfileRef): Promise<ProfileState> {
      return step(ref, async (s) => {
        if (s.recorded.length) return stateOf(s.row, addDuration(new Date(s.recorded[0].at), timings.reviewReminderInterval));
        const { change, nextReminderAt } = transition.remindReviewers(s.row, s.at, timings);
        if (change) await write(ref, s, change, SYSTEM);
        return stateOf(s.row, nextReminderAt ?? undefined);
      });
    },

    /** approved → expiring inside the expiring window, expiring → expired at validUntil; a no-op if already moved on. */
    async advanceValidity(ref: ProfileRef): Promise<ProfileState> {
      return step(ref, async (s) => {
        const change = s.recorded.length ? null : transition.advanceValidity(s.row, s.at, timings);
        return stateOf(change ? await write(ref, s, change, SYSTEM) : s.row);
      });
    },

    /** An organization's administrators and their domains now, whose workflows a rename must reach; read only. */
    async membersOf(ref: ProfileRef): Promise<{ administratorIds: string[]; domainIds: string[] }> {
      return administratorsAndDomainsOf(deps.db, ref);
    },

    /**
     * Deletes the row; an organization's administrators and their domains go with it (foreign keys cascade).
     * Returns whose workflows must end, so they can clean up what they wrote; a retry after the commit
     * reads the same answer back from the events the delete wrote.
     */
    async remove(ref: ProfileRef, actor: Actor): Promise<{ administratorIds: string[]; domainIds: string[] }> {
      const operationId = operationOf();
      return deps.db.transaction().execute(async (trx) => {
        const recorded = await eventsOfOperation(trx, operationId);
        if (recorded.length) return cascadeOf(ref, recorded);
        const row = await trx
          .selectFrom(tableFor(ref.kind) as 'organizations')
          .selectAll()
          .where('id', '=', ref.id)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return { administratorIds: [], domainIds: [] };
        const { administratorIds, domainIds } = await administratorsAndDomainsOf(trx, ref);
        // Recorded before the delete: each public event keeps a snapshot of what was deleted.
        const event = { accountId: row.account_id, actor, operationId };
        await recordEvent(trx, { ...event, entityKind: ref.kind, entityId: ref.id, action: 'deleted', before: { status: row.status } });
        const cascaded = [
          ...(ref.kind === 'organization' ? administratorIds.map((id) => ({ kind: 'administrator' as const, id, action: 'deleted_with_organization' })) : []),
          ...domainIds.map((id) => ({ kind: 'domain' as const, id, action: `deleted_with_${ref.kind}` })),
        ];
        for (const entity of cascaded) await recordEvent(trx, { ...event, entityKind: entity.kind, entityId: entity.id, action: entity.action });
        await trx
          .deleteFrom(tableFor(ref.kind) as 'organizations')
          .where('id', '=', ref.id)
          .execute();
        return { administratorIds: ref.kind === 'organization' ? administratorIds : [], domainIds };
      });
    },
  };
}

/** The administrators (an administrator: itself) and the domains under an organization or administrator. */
async function administratorsAndDomainsOf(db: Kysely<Database>, ref: ProfileRef): Promise<{ administratorIds: string[]; domainIds: string[] }> {
  const administratorIds =
    ref.kind === 'organization'
      ? (await db.selectFrom('administrators').select('id').where('organization_id', '=', ref.id).execute()).map((a) => a.id)
      : [ref.id];
  const domainIds = administratorIds.length
    ? (await db.selectFrom('domains').select('id').where('administrator_id', 'in', administratorIds).execute()).map((d) => d.id)
    : [];
  return { administratorIds, domainIds };
}

/** The workflows a committed delete must still tell, read back from the events it wrote. */
function cascadeOf(ref: ProfileRef, recorded: EventRow[]): { administratorIds: string[]; domainIds: string[] } {
  const idsOf = (kind: string) => recorded.filter((e) => e.entity_kind === kind && e.entity_id !== ref.id).map((e) => e.entity_id);
  return { administratorIds: idsOf('administrator'), domainIds: idsOf('domain') };
}

export type ProfileActivities = ReturnType<typeof createProfileActivities>;
