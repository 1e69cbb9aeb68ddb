import type { Db } from '../db/connect';
import { markWorkflowStarted } from '../db/profile-create';
import type { DomainWorkflows } from './domain-client';
import type { ProfileWorkflows } from './profile-client';

/**
 * Rule 3 of DESIGN.md (no orphans): a row committed by the API whose workflow start was lost to a crash
 * gets its workflow here. Starts are idempotent, so racing the API is harmless.
 */
export async function reconcileWorkflows(db: Db, workflows: { profiles: ProfileWorkflows; domains: DomainWorkflows }, olderThanMs = 10_000): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  let started = 0;
  for (const kind of ['organization', 'administrator'] as const) {
    const table = kind === 'organization' ? 'organizations' : 'administrators';
    const rows = await db.selectFrom(table).selectAll().where('workflow_started', '=', false).where('created_at', '<', cutoff).limit(500).execute();
    for (const row of rows) await workflows.profiles.start(kind, row);
    if (kind === 'administrator') await catchUpOnRejections(db, workflows.profiles, rows.map((r) => r.id));
    await markWorkflowStarted(db, table, rows.map((r) => r.id));
    started += rows.length;
  }
  const domains = await db.selectFrom('domains').selectAll().where('workflow_started', '=', false).where('created_at', '<', cutoff).limit(500).execute();
  for (const row of domains) await workflows.domains.start(row);
  if (domains.length) await db.updateTable('domains').set({ workflow_started: true }).where('id', 'in', domains.map((d) => d.id)).execute();
  return started + domains.length;
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

/** Runs the reconciler now and then at an interval until stopped. */
export function startReconciler(db: Db, workflows: { profiles: ProfileWorkflows; domains: DomainWorkflows }, intervalMs: number, log: (line: string) => void): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = reconcileWorkflows(db, workflows)
      .then((n) => n > 0 && log(`reconciler: started ${n} missing workflow(s)`))
      .catch((error) => log(`reconciler: ${error instanceof Error ? error.message : error}`));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
