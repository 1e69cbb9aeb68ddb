import { sql } from 'kysely';
import type { Db } from '../db/connect';
import type { AdministratorRow, DomainRow, OrganizationRow } from '../db/schema';
import type { DomainWorkflows } from '../temporal/domain-client';
import type { ProfileWorkflows } from '../temporal/profile-client';

/** Rows a create committed whose workflows may not run yet. */
export interface CommittedRows {
  organizations?: OrganizationRow[];
  administrators?: AdministratorRow[];
  domains?: DomainRow[];
}

export interface EntityWorkflows {
  profiles: ProfileWorkflows;
  domains: DomainWorkflows;
}

type Table = 'organizations' | 'administrators' | 'domains';

/**
 * The second step of every create, written once (docs/architecture.md rule 3, "create rows, start workflows, mark
 * started"): starts the workflows of committed rows in parallel (each start is idempotent: an already
 * running workflow is left as it is) and marks the started rows, one statement per table. The API runs it
 * right after a create commits, the reconciler for rows whose start was lost. A failed start leaves its
 * row unmarked for the reconciler's next pass; the failures are returned, never thrown.
 */
export async function startWorkflowsOf(
  db: Db,
  workflows: EntityWorkflows,
  rows: CommittedRows,
  signal?: AbortSignal,
): Promise<{ started: Record<Table, string[]>; failures: unknown[] }> {
  // An organization created with its administrator names it without another read.
  const names = new Map((rows.organizations ?? []).map((row) => [row.id, row.name]));
  const starts: Array<{ table: Table; id: string; start: () => Promise<void> }> = [
    ...(rows.organizations ?? []).map((row) => ({
      table: 'organizations' as const,
      id: row.id,
      start: () => workflows.profiles.start('organization', row, signal),
    })),
    ...(rows.administrators ?? []).map((row) => ({
      table: 'administrators' as const,
      id: row.id,
      start: () => workflows.profiles.start('administrator', row, signal, names.get(row.organization_id)),
    })),
    ...(rows.domains ?? []).map((row) => ({ table: 'domains' as const, id: row.id, start: () => workflows.domains.start(row, signal) })),
  ];
  const outcomes = await Promise.allSettled(starts.map((s) => s.start()));
  const started: Record<Table, string[]> = { organizations: [], administrators: [], domains: [] };
  const failures: unknown[] = [];
  outcomes.forEach((outcome, i) => (outcome.status === 'fulfilled' ? started[starts[i].table].push(starts[i].id) : failures.push(outcome.reason)));
  await markStarted(db, started);
  return { started, failures };
}

/** Marks the rows whose workflows started, in one statement whatever the tables (one round trip on every create). */
async function markStarted(db: Db, started: Record<Table, string[]>): Promise<void> {
  const updates = (Object.keys(started) as Table[])
    .filter((table) => started[table].length > 0)
    .map((table) => sql`update ${sql.table(table)} set workflow_started = true where id in (${sql.join(started[table])})`);
  if (updates.length === 0) return;
  const [last, ...others] = updates.reverse();
  const ctes = others.map((update, i) => sql`${sql.raw(`m${i}`)} as (${update})`);
  await (ctes.length ? sql`with ${sql.join(ctes)} ${last}` : last).execute(db);
}
