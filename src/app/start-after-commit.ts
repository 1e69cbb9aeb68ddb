import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/connect';
import { describeError, isTemporalUnavailable } from '../temporal/update-errors';
import { within } from './within';
import { log } from '../log';
import type { AppContext, Deadline } from './context';
import { type CommittedRows, type EntityWorkflows, settleStarted, type StartedIds, startWorkflows } from './start-workflows';

/**
 * Starts the workflows of rows a create has committed, within one request deadline from the commit
 * (`Deadline.ms`), and settles them (`settleStarted`: told what their rows went through meanwhile, marked
 * started). Called right after the commit and not awaited before the
 * answer: the rows are the create's outcome, so the 201 goes out while their workflows start (issue 9), as
 * a transactional outbox would. A commit that used its request's deadline up still leaves the starts time to
 * run, instead of leaving its workflows to the reconciler's next pass. The returned promise resolves once the
 * starts have run or given up: the caller awaits it after answering, so a create that answered in time keeps
 * its place in the bulk lane until its workflows run (src/api/bulk-lane.ts). The settle follows in the
 * background; a process that stops waits for both (`startsInFlight`). Every use of a workflow that may not
 * be running yet starts it with the row as it is then (`executeUpdateWithStart`), so a request right after
 * the answer finds it either way. The rows exist whatever happens here, so a failed start (Temporal
 * unreachable or
 * slow) is not the client's failure: a warning is logged, and the reconciler starts the workflows later
 * (rows stay `workflow_started = false` until a start succeeded). Never rejects. Nothing to start (an
 * Idempotency-Key replay) does nothing.
 */
export function startAfterCommit(ctx: Pick<AppContext, 'db' | 'workflows' | 'domains'>, deadline: Deadline, rows: CommittedRows | undefined): Promise<void> {
  const what = describeRows(rows);
  if (!rows || !what) return Promise.resolve();
  const workflows = { profiles: ctx.workflows, domains: ctx.domains };
  // Taken now: a stop that comes while the starts run ends the settle's retries too.
  const stop = stopping.signal;
  const started = startWithin(workflows, deadline, rows, what);
  // Settled after the create has given its place in the lane up: the rows' workflows run by then.
  const settled = started.then((ids) => ids && settleWithRetries(ctx.db, workflows, ids, rows, what, stop));
  inFlight.add(settled);
  void settled.finally(() => inFlight.delete(settled));
  return started.then(() => undefined);
}

/** The starts and settles this process has under way. */
const inFlight = new Set<Promise<void>>();

/** Aborted when the process stops (`startsInFlight`): settles under way then give up trying again. */
let stopping = new AbortController();

/**
 * Resolves once every start and settle this process has under way has finished: a process that stops
 * waits for them before it closes its connections. A settle that failed gives up instead of waiting to
 * try again. Starts and settles after it are tracked anew (the next stop waits for them).
 */
export async function startsInFlight(): Promise<void> {
  const stop = stopping;
  stopping = new AbortController();
  stop.abort();
  await Promise.allSettled([...inFlight]);
}

/** The waits before a failed settle tries again. */
const SETTLE_RETRIES_MS = [1_000, 3_000, 10_000];

/**
 * `settleStarted`, tried again after a failure (PostgreSQL or Temporal away for a moment): a row whose
 * workflow it did not tell is left unmarked for the reconciler, but a row deleted meanwhile is not there for
 * the reconciler to find, so its workflow would run until its first timer finds the row gone.
 */
async function settleWithRetries(db: Db, workflows: EntityWorkflows, ids: StartedIds, rows: CommittedRows, what: string, stop: AbortSignal): Promise<void> {
  for (const waitMs of [...SETTLE_RETRIES_MS, undefined]) {
    try {
      await settleStarted(db, workflows, ids, rows);
      return;
    } catch (error) {
      if (waitMs !== undefined && !stop.aborted) await sleep(waitMs, undefined, { signal: stop }).catch(() => undefined);
      if (waitMs === undefined || stop.aborted) {
        log.warn(`${what}: workflows started, not yet settled (${describeError(error)}); the reconciler will settle the rows that remain`);
        return;
      }
    }
  }
}

/** `organization <id> and administrator <id>`, or '' for none. */
function describeRows(rows: CommittedRows | undefined): string {
  return [
    ...(rows?.organizations ?? []).map((r) => `organization ${r.id}`),
    ...(rows?.administrators ?? []).map((r) => `administrator ${r.id}`),
    ...(rows?.domains ?? []).map((r) => `domain ${r.id}`),
  ].join(' and ');
}

/** Starts the rows' workflows within one request deadline; resolves with those that started (undefined when none did in time), never rejects. */
async function startWithin(workflows: EntityWorkflows, deadline: Deadline, rows: CommittedRows, what: string): Promise<StartedIds | undefined> {
  const budget = deadline.ms;
  const signal = AbortSignal.timeout(budget);
  // Raced against the budget as well: a call that does not notice the abort (a channel still connecting)
  // must not keep the create's place in the bulk lane.
  const outcome = await within(
    startWorkflows(workflows, rows, signal).then(
      ({ started, failures }) => ({ started, error: failures[0] }),
      (error: unknown) => ({ started: undefined, error }),
    ),
    budget,
    { started: undefined, error: new DOMException(`no answer within ${budget} ms`, 'TimeoutError') as unknown },
  );
  if (outcome.error !== undefined) {
    const { error } = outcome;
    const reason = isTemporalUnavailable(error) || signal.aborted ? 'the workflow service is unavailable' : 'the workflow start failed';
    log.warn(`${what} committed but ${reason} (${describeError(error)}); the reconciler will start its workflow`);
  }
  return outcome.started;
}
