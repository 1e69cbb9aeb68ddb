import type { Db } from '../db/connect';
import { creationPage, type PageCursor } from '../db/keyset';
import { type CommittedRows, type EntityWorkflows, startWorkflowsOf } from '../app/start-workflows';
import { describeError, isTemporalUnavailable } from './update-errors';

/**
 * Rule 3 of docs/architecture.md (no orphans): a row committed by the API whose workflow start was lost (a crash
 * between the two steps, or Temporal unreachable: the create still answered 201) gets its workflow here.
 * Rows carry `workflow_started = false` until a start succeeded (`startWorkflowsOf`, the same step the API
 * runs after a create); a failed start leaves its row for the next pass. Starts are idempotent, so racing the
 * API is harmless. Returns how many unmarked rows' workflows started (or were found running) and how many of
 * those it marked (a row a request in progress holds is left to the next pass, see `markStarted`).
 */
export async function reconcileWorkflows(
  db: Db,
  workflows: EntityWorkflows,
  olderThanMs = 10_000,
  pageSize = 500,
): Promise<{ started: number; marked: number }> {
  const cutoff = new Date(Date.now() - olderThanMs);
  const total = { started: 0, marked: 0, failures: [] as unknown[] };
  for (const table of ['organizations', 'administrators', 'domains'] as const) {
    // Oldest first, a page at a time (keyset): a row whose start keeps failing is retried every pass, but the
    // rows after it are not left waiting behind it.
    let cursor: PageCursor | undefined;
    for (;;) {
      const unmarked = db
        .selectFrom(table as 'domains')
        .selectAll()
        .where('workflow_started', '=', false)
        .where('created_at', '<', cutoff);
      const rows = (await creationPage(unmarked, pageSize, cursor)).slice(0, pageSize);
      if (rows.length === 0) break;
      const { started, marked, failures } = await startWorkflowsOf(db, workflows, { [table]: rows } as unknown as CommittedRows);
      total.started += started[table].length;
      total.marked += marked;
      total.failures.push(...failures);
      // The workflow service is unreachable: the rest waits for the next pass, which tries again.
      if (rows.length < pageSize || failures.some((failure) => isTemporalUnavailable(failure))) break;
      const last = rows[rows.length - 1];
      cursor = { at: new Date(last.created_at).toISOString(), id: last.id };
    }
  }
  if (total.failures.length) {
    // The message stays the same while the cause does (the counts change every pass): the repeated pass logs
    // it in full once, then a reminder a minute (src/notify/notifier.ts `repeat`); the counts are its fields.
    throw Object.assign(new Error(`workflow starts failed and wait for the next pass: ${describeError(total.failures[0])}`), {
      started: total.started,
      marked: total.marked,
      failed: total.failures.length,
    });
  }
  return { started: total.started, marked: total.marked };
}
