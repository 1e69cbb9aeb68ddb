// Workflow-safe: local activities of one workflow run, one at a time.

/**
 * A lane that lets one local activity of a run be outstanding at a time, first come first served.
 *
 * Why: live, each local activity's result reaches the workflow in an activation of its own as the
 * activity finishes; on replay, the results of local activities started together reach it in one
 * activation (in the order their markers were recorded), and the code after each then runs in the order
 * its promise chain allows, the one fewer awaits away first. When the code that continues after each
 * issues commands (a timer after the loop's settings read, a perspective's activity after a pre-check's
 * read), replay then issues them in another order than the run did and fails with a nondeterminism
 * error: a pre-check sent while the loop read its settings did so (sdk-python#1578 and #1881 describe
 * the same core behaviour). One at a time, live and replay agree.
 *
 * Uncalled for, the lane adds nothing: an idle lane starts the call at once and hands back its own
 * promise, so runs without contention issue the same commands at the same points as before.
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
  constructor(inTurn: boolean | (() => boolean)) {
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
    // Released before the caller's own continuation runs (registered first), without delaying it.
    outcome.then(this.release, this.release);
    return outcome;
  }

  /** A call settled: the only one outstanding hands the lane to the first waiting (still counted as one); any other is one fewer. */
  private readonly release = (): void => {
    if (this.outstanding === 1 && this.waiting.length) this.waiting.shift()!();
    else this.outstanding--;
  };
}
