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
 * running workflow is left as it is) and marks the started rows in one statement (`markStarted`). The reconciler
 * runs it for rows whose start was lost; the API starts (`startWorkflows`) and marks (`markStarted`) itself, so
 * the mark need not hold the answer back. A failed start leaves its row unmarked for the reconciler's next pass;
 * the failures are returned, never thrown.
 */
export async function startWorkflowsOf(
  db: Db,
  workflows: EntityWorkflows,
  rows: CommittedRows,
  signal?: AbortSignal,
): Promise<{ started: StartedIds; marked: number; failures: unknown[] }> {
  const outcome = await startWorkflows(workflows, rows, signal);
  return { ...outcome, marked: await markStarted(db, outcome.started) };
}

/** The ids of the rows whose workflows started, by table. */
export type StartedIds = Record<Table, string[]>;

/** Starts the workflows of committed rows in parallel; which started, and the failures (never thrown). */
export async function startWorkflows(
  workflows: EntityWorkflows,
  rows: CommittedRows,
  signal?: AbortSignal,
): Promise<{ started: StartedIds; failures: unknown[] }> {
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
  const started: StartedIds = { organizations: [], administrators: [], domains: [] };
  const failures: unknown[] = [];
  outcomes.forEach((outcome, i) => (outcome.status === 'fulfilled' ? started[starts[i].table].push(starts[i].id) : failures.push(outcome.reason)));
  return { started, failures };
}

/**
 * Marks the rows whose workflows started, in one statement (one data-modifying WITH query per table) that
 * never waits for a lock: a row another transaction holds is skipped (`FOR NO KEY UPDATE SKIP LOCKED`, the
 * lock the update takes anyway, which leaves other writers' foreign-key checks alone) and left for the
 * reconciler, whose next pass starts its workflow again (finding it running) and marks it. The API answers
 * before the mark, so the customer's next request may already be at work on these rows: an administrator's
 * or a domain's create holds its organization or administrator (FOR SHARE), an organization's delete locks
 * the organization and then its administrators, an administrator's approval the administrator and then its
 * organization. A mark that waited for one table's row while it held another's would deadlock with the
 * last two. Resolves with the number of rows marked.
 */
export async function markStarted(db: Db, started: StartedIds): Promise<number> {
  const tables = (['organizations', 'administrators', 'domains'] as const).filter((table) => started[table].length > 0);
  if (tables.length === 0) return 0;
  const marks = tables.map(
    (table) =>
      sql`${sql.id(`marked_${table}`)} as (update ${sql.table(table)} set workflow_started = true where id in (
        select id from ${sql.table(table)} where id in (${sql.join(started[table])}) and not workflow_started for no key update skip locked
      ) returning 1)`,
  );
  const counted = tables.map((table) => sql`(select count(*) from ${sql.id(`marked_${table}`)})`);
  const { rows } = await sql<{ marked: string }>`with ${sql.join(marks)} select ${sql.join(counted, sql` + `)} as marked`.execute(db);
  return Number(rows[0].marked);
}
