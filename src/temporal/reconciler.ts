import type { Db } from '../db/connect';
import { markWorkflowStarted } from '../db/profile-create';
import type { DomainWorkflows } from './domain-client';
import type { ProfileWorkflows } from './profile-client';
import { describeError } from './update-errors';

/**
 * Rule 3 of DESIGN.md (no orphans): a row committed by the API whose workflow start was lost (a crash
 * between the two steps, or Temporal unreachable: the create still answered 201) gets its workflow here.
 * Rows carry `workflow_started = false` until a start succeeded; each row is marked as soon as its own
 * start did, and a failed start leaves its row for the next pass. Starts are idempotent, so racing the
 * API is harmless.
 */
export async function reconcileWorkflows(db: Db, workflows: { profiles: ProfileWorkflows; domains: DomainWorkflows }, olderThanMs = 10_000): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  let started = 0;
  const failures: unknown[] = [];
  for (const kind of ['organization', 'administrator'] as const) {
    const table = kind === 'organization' ? 'organizations' : 'administrators';
    const rows = await db.selectFrom(table).selectAll().where('workflow_started', '=', false).where('created_at', '<', cutoff).limit(500).execute();
    const startedIds: string[] = [];
    for (const row of rows) {
      try {
        await workflows.profiles.start(kind, row);
        startedIds.push(row.id);
      } catch (error) {
        failures.push(error);
      }
    }
    if (kind === 'administrator') await catchUpOnRejections(db, workflows.profiles, startedIds);
    await markWorkflowStarted(db, table, startedIds);
    started += startedIds.length;
  }
  const domains = await db.selectFrom('domains').selectAll().where('workflow_started', '=', false).where('created_at', '<', cutoff).limit(500).execute();
  const startedDomains: string[] = [];
  for (const row of domains) {
    try {
      await workflows.domains.start(row);
      startedDomains.push(row.id);
    } catch (error) {
      failures.push(error);
    }
  }
  if (startedDomains.length) await db.updateTable('domains').set({ workflow_started: true }).where('id', 'in', startedDomains).execute();
  started += startedDomains.length;
  if (failures.length) {
    throw new Error(`started ${started} missing workflow(s); ${failures.length} start(s) failed and wait for the next pass: ${describeError(failures[0])}`);
  }
  return started;
}

/** An organization rejected while these administrators had no workflow could not tell them (its signal found nothing). */
async function catchUpOnRejections(db: Db, profiles: ProfileWorkflows, administratorIds: string[]): Promise<void> {
  if (administratorIds.length === 0) return;
  const pending = await db
    .selectFrom('administrators as a')
    .innerJoin('organizations as o', 'o.id', 'a.organization_id')
    .select(['a.id', 'o.rejection_reason'])
    .where('a.id', 'in', administratorIds)
    .where('a.status', '=', 'under_review')
    .where('o.status', '=', 'rejected')
    .execute();
  for (const row of pending) await profiles.rejectWithOrganization(row.id, row.rejection_reason ?? '');
}

/** Runs the reconciler now and then at an interval until stopped; a pass never overlaps the previous one. */
export function startReconciler(db: Db, workflows: { profiles: ProfileWorkflows; domains: DomainWorkflows }, intervalMs: number, log: (line: string) => void): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = reconcileWorkflows(db, workflows)
      .then((n) => n > 0 && log(`reconciler: started ${n} missing workflow(s)`))
      .catch((error) => log(`reconciler: ${error instanceof Error ? error.message : error}`))
      .finally(() => (busy = false));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
