import { describeError, isTemporalUnavailable } from '../temporal/update-errors';
import { within } from './within';
import { log } from '../log';
import type { AppContext, Deadline } from './context';
import { type CommittedRows, settleStarted, startWorkflows } from './start-workflows';

/** Time kept before the request deadline: past it the create's place in the bulk lane is given up anyway. */
const MARGIN_MS = 300;

/**
 * Starts the workflows of rows a create has committed, within what is left of the request deadline, and
 * settles them (`settleStarted`: told what their rows went through meanwhile, marked started). Called right after the commit and not awaited before the answer:
 * the rows are the create's outcome, so the 201 goes out while their workflows start (issue 9), as a
 * transactional outbox would; the caller awaits the returned promise after answering, so a create keeps
 * its place in the bulk lane until its workflows run, and a process that stops waits for it
 * (`startsInFlight`). Every use of a workflow that may not be running yet starts it with the row as it is
 * then (`executeUpdateWithStart`), so a request right after the answer finds it either way.
 * The rows exist whatever happens here, so a failed start (Temporal unreachable or slow) is not the
 * client's failure: a warning is logged, and the reconciler starts the workflows later (rows stay
 * `workflow_started = false` until a start succeeded). Never rejects. Nothing to start (an
 * Idempotency-Key replay) does nothing.
 */
export function startAfterCommit(ctx: Pick<AppContext, 'db' | 'workflows' | 'domains'>, deadline: Deadline, rows: CommittedRows | undefined): Promise<void> {
  const starting = startAndSettle(ctx, deadline, rows);
  inFlight.add(starting);
  void starting.finally(() => inFlight.delete(starting));
  return starting;
}

/** The starts this process has under way. */
const inFlight = new Set<Promise<void>>();

/** Resolves once every start this process has under way has settled: a process that stops waits for them before it closes its connections. */
export async function startsInFlight(): Promise<void> {
  await Promise.allSettled([...inFlight]);
}

async function startAndSettle(ctx: Pick<AppContext, 'db' | 'workflows' | 'domains'>, deadline: Deadline, rows: CommittedRows | undefined): Promise<void> {
  const all = [
    ...(rows?.organizations ?? []).map((r) => `organization ${r.id}`),
    ...(rows?.administrators ?? []).map((r) => `administrator ${r.id}`),
    ...(rows?.domains ?? []).map((r) => `domain ${r.id}`),
  ];
  if (!rows || all.length === 0) return;
  const what = all.join(' and ');
  const budget = deadline.remaining(MARGIN_MS);
  const signal = AbortSignal.timeout(budget);
  const workflows = { profiles: ctx.workflows, domains: ctx.domains };
  const run = async () => {
    const { started, failures } = await startWorkflows(workflows, rows, signal);
    await settleStarted(ctx.db, workflows, started).catch((error: unknown) =>
      log.warn(`${what}: workflows started, not yet marked so (${describeError(error)}); the reconciler will mark them`),
    );
    if (failures.length) throw failures[0];
  };
  // Raced against the budget as well: a call that does not notice the abort (a channel still connecting)
  // must not keep the create's place in the bulk lane.
  const outcome = await within(
    run().then(
      () => ({ started: true as const }),
      (error: unknown) => ({ started: false as const, error }),
    ),
    budget,
    { started: false as const, error: new DOMException(`no answer within ${budget} ms`, 'TimeoutError') as unknown },
  );
  if (!outcome.started) {
    const { error } = outcome;
    const reason = isTemporalUnavailable(error) || signal.aborted ? 'the workflow service is unavailable' : 'the workflow start failed';
    log.warn(`${what} committed but ${reason} (${describeError(error)}); the reconciler will start its workflow`);
  }
}
