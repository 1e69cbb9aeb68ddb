// Workflow-safe: local activities of one workflow run, one at a time.
import { CancellationScope, condition } from '@temporalio/workflow';

/**
 * A lane that lets one local activity of a run be outstanding at a time, first come first served, and
 * hands each result to its caller only once the rest of the activation has run.
 *
 * Why: live, each local activity's result reaches the workflow in an activation of its own as the
 * activity finishes; on replay, results reach it in one activation with whatever else the workflow task
 * holds: the results of local activities started together (in the order their markers were recorded),
 * and what arrived while one ran past a workflow-task heartbeat (a timer, an update, a signal). The
 * code after each then runs in the order its promise chain allows, the one fewer awaits away first. When
 * that code issues commands (a timer after the loop's settings read, a perspective's activity after a
 * pre-check's read), replay issues them in another order than the run did and fails with a
 * nondeterminism error: a pre-check sent while the loop read its settings did so (sdk-python#1578 and
 * #1881 describe the same core behaviour). One at a time, and each result after the activation's other
 * jobs (as live, where it came later), live and replay agree.
 *
 * Uncalled for (runs recorded before the lane), it adds nothing: the call starts at once and its own
 * promise is handed back, so such runs issue the same commands at the same points as before.
 */
export class LocalActivityLane {
  /** Calls started and not yet settled, counting the one the lane is being handed to. */
  private outstanding = 0;
  private readonly waiting: Array<() => void> = [];
  private inTurn: boolean | (() => boolean);

  /**
   * `inTurn`: true, calls take turns from the start; false, every call starts at once (runs recorded
   * before the lane replay as they ran); or a question asked whenever a call is made while another is
   * outstanding, until it says true (a patch: false while a run recorded before the lane replays what it
   * did, true, and recorded, once it runs live on this code), from which on calls take turns.
   */
  constructor(
    inTurn: boolean | (() => boolean),
    private readonly afterJobs: () => Promise<void> = afterActivationJobs,
  ) {
    this.inTurn = inTurn;
  }

  /** Starts `call` (a local activity) when no other call of this lane is outstanding; its result or failure unchanged. */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (this.outstanding > 0 && this.takesTurns()) return new Promise<void>((go) => this.waiting.push(go)).then(() => this.start(call));
    this.outstanding++;
    return this.start(call);
  }

  /**
   * `proxy` (from `proxyLocalActivities`) with each of its functions called through this lane.
   * Shapes and errors are the proxy's.
   */
  wrap<T extends object>(proxy: T): T {
    return new Proxy(proxy, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => this.run(() => (value as (...args: unknown[]) => Promise<unknown>)(...args));
      },
    });
  }

  private takesTurns(): boolean {
    if (typeof this.inTurn === 'boolean') return this.inTurn;
    if (!this.inTurn()) return false;
    this.inTurn = true;
    return true;
  }

  /** Runs `call`, counted in `outstanding` already. */
  private start<T>(call: () => Promise<T>): Promise<T> {
    let outcome: Promise<T>;
    try {
      outcome = call();
    } catch (error) {
      this.release();
      throw error;
    }
    // Released first (registered first): a call waiting its turn starts in this activation's jobs.
    outcome.then(this.release, this.release);
    if (this.inTurn !== true) return outcome;
    return outcome.then(
      async (value) => (await this.afterJobs(), value),
      async (error: unknown) => {
        await this.afterJobs();
        throw error;
      },
    );
  }

  /** A call settled: the only one outstanding hands the lane to the first waiting (still counted as one); any other is one fewer. */
  private readonly release = (): void => {
    if (this.outstanding === 1 && this.waiting.length) this.waiting.shift()!();
    else this.outstanding--;
  };
}

/**
 * Resolves once every job of the current activation has run its code: the SDK unblocks conditions only
 * after the activation's jobs and their promise callbacks have settled, and this condition, false when
 * registered (no eager resolution), holds by then. Not cancellable: a result already in hand is never
 * turned into a cancellation by the caller's scope.
 */
export function afterActivationJobs(): Promise<void> {
  let due = false;
  const turn = CancellationScope.nonCancellable(() => condition(() => due));
  due = true;
  return turn;
}
