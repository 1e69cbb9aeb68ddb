// Workflow-safe: the loop every long-lived entity workflow shares, written once. Models: the
// safe-message-handlers sample of temporalio/samples-typescript (a state object, handlers under a mutex,
// continue-as-new once every handler has finished).
import { Mutex } from 'async-mutex';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ENTITY_STATUS, ORGANIZATION_NAME } from '../src/temporal/search-attributes';
import { FAILURE } from '../src/domain/vocabulary';
import { organizationRenamedSignal } from './messages';

/** What a workflow tells the core about its lifecycle. */
export interface Lifecycle<S> {
  /** The next moment (ms since the epoch) the clock must act on this state; null when only a message can move it on. */
  nextWake(state: S): number | null | Promise<number | null>;
  /**
   * The clock's work, under the mutex. `timer` is true only when the timer set for the current state
   * fired: a message that changed the state meanwhile is never taken for the timer.
   */
  onWake(timer: boolean): Promise<void>;
  /** Work a message asked the loop for (a passed pre-check asks for a scan now); checked after each change. */
  requested?(): boolean;
  /** Continues as new carrying the state; never returns. */
  continueAsNew(state: S): Promise<never>;
  /** Test hook: continue-as-new past this many history events (production relies on the server's suggestion). */
  continueAsNewAfterEvents?: number;
  /**
   * Whether work a message asks for while the run waits for its handlers to continue as new (a pre-check
   * that passes then) is done in this run first; asked only when there is such work (a patch: false while
   * a run recorded before, which continued as new without it, replays). Legacy runs never ask.
   */
  requestedBeforeContinueAsNew?(): boolean;
}

/**
 * One entity's state, changed only through `apply` (which keeps the EntityStatus search attribute and
 * the operator's current details in step), by handlers that run one at a time under a real mutex
 * (`condition()` is no mutex: it releases every waiter whose condition holds in one pass).
 */
export class EntityCore<S extends { status: string }> {
  private current: S;
  private version = 0;
  private readonly lock: { exclusive<T>(work: () => Promise<T>): Promise<T>; readonly busy: boolean };
  private readonly background: Array<Promise<unknown>> = [];
  /** Set once the row is deleted: handlers refuse, the loop ends. */
  removed = false;

  /**
   * `legacy`: a run that started before the core's patch replays as it was recorded (its lock was a
   * `condition()`, its timer taken even after a change); see `patched()` in the workflows.
   * `details`: the operator's current details for a state (shown by the Temporal UI; not in history, so
   * no replay concern), refreshed on every change and by {@link refreshDetails}.
   */
  constructor(
    initial: S,
    readonly legacy = false,
    private readonly extraSearchAttributes: (state: S) => SearchAttributeUpdatePair[] = () => [],
    private readonly details?: (state: S) => string,
  ) {
    this.current = initial;
    this.lock = legacy ? conditionLock() : mutexLock();
    this.refreshDetails();
  }

  get state(): S {
    return this.current;
  }

  /** The new state after a committed change: search attributes follow, the loop re-plans its timer. */
  apply(next: S): void {
    const updates: SearchAttributeUpdatePair[] = next.status !== this.current.status ? [{ key: ENTITY_STATUS, value: next.status }] : [];
    const before = this.extraSearchAttributes(this.current);
    for (const pair of this.extraSearchAttributes(next)) {
      if (before.find((b) => b.key.name === pair.key.name)?.value !== pair.value) updates.push(pair);
    }
    if (updates.length) upsertSearchAttributes(updates);
    // The workflow's own log (not written on replay): the request that caused it is on the line.
    if (next.status !== this.current.status) log.info('status changed', { from: this.current.status, to: next.status });
    this.current = next;
    this.version++;
    this.refreshDetails();
  }

  /** Shows the current state in the operator's current details again (after a change the state does not hold, e.g. a rename). */
  refreshDetails(): void {
    if (this.details) setCurrentDetails(this.details(this.current));
  }

  /**
   * Follows the organization's renames (its workflow signals them): `rename` keeps the new name for the
   * details and the next run, the OrganizationName search attribute follows.
   */
  followOrganizationName(rename: (name: string) => void): void {
    setHandler(organizationRenamedSignal, ({ name }) => {
      rename(name);
      upsertSearchAttributes([{ key: ORGANIZATION_NAME, value: name }]);
      this.refreshDetails();
    });
  }

  /** A change that is not a new state (a request for work now): the loop wakes and re-plans. */
  touch(): void {
    this.version++;
  }

  /** Runs `work` when no other handler or timer work is running; FIFO. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.exclusive(work);
  }

  /** Work that outlives the handler that started it (cascades to other workflows); awaited before continue-as-new and the end. */
  inBackground(work: Promise<unknown>): void {
    this.background.push(work);
  }

  /** The refusal a handler's validator gives once the entity is deleted. */
  ensureNotRemoved(what: string): void {
    if (this.removed) throw ApplicationFailure.create({ type: FAILURE.conflict, message: `the ${what} has been deleted` });
  }

  readonly markRemoved = (): void => {
    this.removed = true;
  };

  /** The workflow's main loop: timers, requested work and continue-as-new, until the entity is removed. */
  async run(lifecycle: Lifecycle<S>): Promise<void> {
    while (!this.removed) {
      // Taken before planning: a change that arrives while the wake time is being read (an async settings
      // read) wakes the loop at once, and so does work requested while the last wake's work ran.
      const before = this.version;
      const planned = lifecycle.nextWake(this.current);
      const wakeAt = planned instanceof Promise ? await planned : planned;
      const seen = this.legacy ? this.version : before;
      const changed = () => this.removed || this.version !== seen;
      let timerFired: boolean;
      if (!this.legacy && (changed() || lifecycle.requested?.())) timerFired = false;
      // Legacy runs took any wake-up without a timer for the timer (the reminder "past due by -86400s" bug).
      else if (wakeAt === null) timerFired = (await condition(changed), this.legacy);
      else timerFired = !(await condition(changed, Math.max(wakeAt - Date.now(), 1)));
      if (this.removed) break;
      if (timerFired || lifecycle.requested?.()) {
        await this.exclusive(async () => {
          if (this.removed) return;
          // A handler that held the mutex when the timer fired may have moved the state on: its new wake
          // time, not the old one, decides (the loop re-plans).
          const timer = timerFired && (this.legacy || this.version === seen);
          if (timer || lifecycle.requested?.()) await unlessGone(() => lifecycle.onWake(timer), this.markRemoved);
        });
      }
      // Work a message asked for is done in this run, not dropped at the switch to the next.
      if (shouldContinueAsNew(lifecycle.continueAsNewAfterEvents) && (this.legacy || !lifecycle.requested?.())) {
        // Until both are quiet: a handler that finishes meanwhile may start a cascade of its own.
        do {
          await this.drainBackground();
          await condition(() => !this.lock.busy && allHandlersFinished());
        } while (this.background.length);
        if (this.removed || (!this.legacy && lifecycle.requested?.() && lifecycle.requestedBeforeContinueAsNew?.())) continue;
        await lifecycle.continueAsNew(this.current);
      }
    }
    do {
      await this.drainBackground();
      await condition(allHandlersFinished);
    } while (this.background.length);
  }

  private async drainBackground(): Promise<void> {
    while (this.background.length) await Promise.all(this.background.splice(0));
  }
}

function mutexLock() {
  const mutex = new Mutex();
  return {
    exclusive: <T>(work: () => Promise<T>) => mutex.runExclusive(work),
    get busy() {
      return mutex.isLocked();
    },
  };
}

/**
 * The lock of runs recorded before the core's patch, kept so they replay. It is no mutex: `condition()`
 * releases every waiter whose condition holds in one pass, so queued handlers could start together.
 */
export function conditionLock() {
  let busy = false;
  return {
    async exclusive<T>(work: () => Promise<T>): Promise<T> {
      await condition(() => !busy);
      busy = true;
      try {
        return await work();
      } finally {
        busy = false;
      }
    },
    get busy() {
      return busy;
    },
  };
}

/** Since this patch a local activity's unwrapped NotFound ends the run too. */
const UNWRAPPED_GONE_PATCH = 'entity-gone-unwrapped';

/**
 * The row is gone: deleted while this run was being started by an update that loaded it just before.
 * An activity's failure carries it as its cause; a local activity's may reach the workflow unwrapped.
 */
const isGone = (error: unknown) => {
  if (error instanceof ActivityFailure) return error.cause instanceof ApplicationFailure && error.cause.type === FAILURE.notFound;
  // Runs recorded before this patch kept waiting after such a failure; they replay as they were.
  return error instanceof ApplicationFailure && error.type === FAILURE.notFound && patched(UNWRAPPED_GONE_PATCH);
};

/**
 * Surfaces an activity's business failure (e.g. Conflict) to the update caller instead of failing the
 * workflow task; `onGone` lets the workflow end when the row no longer exists.
 */
export async function callerFacing<T>(work: () => Promise<T>, onGone?: () => void): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isGone(error)) onGone?.();
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) throw error.cause;
    throw error;
  }
}

/** Timer work for a row that no longer exists ends the workflow quietly instead of failing it. */
export async function unlessGone(work: () => Promise<void>, onGone: () => void): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isGone(error)) throw error;
    onGone();
  }
}

/** The server's suggestion, or a test's small history cap. */
export function shouldContinueAsNew(afterEvents: number | undefined): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || (afterEvents !== undefined && info.historyLength > afterEvents);
}
