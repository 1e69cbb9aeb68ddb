// Workflow-safe: local activities of one workflow run, one at a time.

/**
 * A lane that lets one local activity of a run be outstanding at a time, first come first served.
 *
 * Why: local activities started together resolve live in the order they finish, each in its own
 * activation, but on replay the SDK resolves all of a workflow task's local activities at once, in the
 * order they were started (sdk-python#1578 describes the same core behaviour). When the code that
 * continues after each issues commands (a timer after the settings read, a perspective's activity after
 * a pre-check's read), replay then issues them in another order and fails with a nondeterminism error:
 * a pre-check sent while the loop read its settings did so. One at a time, live and replay agree.
 *
 * Uncalled for, the lane adds nothing: an idle lane starts the call at once and hands back its own
 * promise, so runs without contention issue the same commands at the same points as before.
 */
export class LocalActivityLane {
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  /** `inTurn` false: every call starts at once (runs recorded before the lane replay as they ran). */
  constructor(private readonly inTurn: boolean) {}

  /** Starts `call` (a local activity) when no other call of this lane is outstanding; its result or failure unchanged. */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (!this.inTurn) return call();
    if (!this.busy) return this.start(call);
    return new Promise<void>((go) => this.waiting.push(go)).then(() => this.start(call));
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

  private start<T>(call: () => Promise<T>): Promise<T> {
    this.busy = true;
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

  private readonly release = (): void => {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  };
}
