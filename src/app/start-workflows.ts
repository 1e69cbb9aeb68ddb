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
 * running workflow is left as it is) and settles them (`settleStarted`: marked, told what happened to their
 * rows meanwhile). The reconciler runs it for rows whose start was lost; the API too, after its answer
 * (src/app/start-after-commit.ts). A failed start or settle leaves its rows unmarked for the reconciler's
 * next pass; the failures are returned, never thrown.
 */
export async function startWorkflowsOf(
  db: Db,
  workflows: EntityWorkflows,
  rows: CommittedRows,
  signal?: AbortSignal,
): Promise<{ started: StartedIds; marked: number; failures: unknown[] }> {
  const outcome = await startWorkflows(workflows, rows, signal);
  try {
    return { ...outcome, marked: await settleStarted(db, workflows, outcome.started, rows) };
  } catch (error) {
    // Nothing marked: the rows are started and settled again on the next pass.
    return { ...outcome, marked: 0, failures: [...outcome.failures, error] };
  }
}

/**
 * After the starts: tells the workflows what their rows went through before they ran, which the request
 * that did it could not tell them (its signal found no workflow). A create answers before its workflows
 * start, and the reconciler reads its rows before it starts them, so in between the customer may have
 * deleted an organization or an administrator (its delete took the administrators' and domains' rows
 * along) or renamed the organization, and a reviewer may have rejected it (its administrators under review
 * are rejected with it). A workflow whose row is gone ends (`removeWithOrganization`, `removeWithParent`);
 * an administrator still under review when its organization was rejected after the administrator's
 * submission is rejected with the reason of that decision (not one submitted to an organization rejected
 * before: that administrator was never part of the rejected review); an administrator started with its
 * organization's name from `rows` learns the name it has now. Read after the starts, so what happens
 * later finds the workflows running and tells them itself. Then marks the started rows (`markStarted`) and
 * resolves with the number it marked. Throws when PostgreSQL or Temporal fails; then nothing is marked.
 */
export async function settleStarted(db: Db, workflows: EntityWorkflows, started: StartedIds, rows: CommittedRows): Promise<number> {
  const told: Array<Promise<void>> = [];
  if (started.administrators.length > 0) {
    const namesAtStart = new Map((rows.organizations ?? []).map((row) => [row.id, row.name]));
    const administrators = await db
      .selectFrom('administrators as a')
      .innerJoin('organizations as o', 'o.id', 'a.organization_id')
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('profile_reviews as r')
            .select(['r.reason', sql<boolean>`true`.as('found')])
            .where('r.entity_kind', '=', 'organization')
            .whereRef('r.entity_id', '=', 'a.organization_id')
            .where('r.status', '=', 'rejected')
            .whereRef('r.decided_at', '>', 'a.submitted_at')
            .orderBy('r.decided_at', 'desc')
            .limit(1)
            .as('rejection'),
        (join) => join.onTrue(),
      )
      .select(['a.id', 'a.status', 'a.organization_id', 'o.name as organizationName', 'rejection.found as rejected', 'rejection.reason'])
      .where('a.id', 'in', started.administrators)
      .execute();
    const present = new Set(administrators.map((row) => row.id));
    for (const id of started.administrators) if (!present.has(id)) told.push(workflows.profiles.removeWithOrganization(id));
    for (const row of administrators) {
      if (row.status === 'under_review' && row.rejected) told.push(workflows.profiles.rejectWithOrganization(row.id, row.reason ?? ''));
      const nameAtStart = namesAtStart.get(row.organization_id);
      if (nameAtStart !== undefined && nameAtStart !== row.organizationName) told.push(workflows.profiles.renameOrganization(row.id, row.organizationName));
    }
  }
  if (started.domains.length > 0) {
    const present = new Set((await db.selectFrom('domains').select('id').where('id', 'in', started.domains).execute()).map((row) => row.id));
    for (const id of started.domains) if (!present.has(id)) told.push(workflows.domains.removeWithParent(id));
  }
  // Told before marked: a row left unmarked by a failure here is started and settled again by the reconciler (both harmless twice).
  await Promise.all(told);
  return markStarted(db, started);
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
