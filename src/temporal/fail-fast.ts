import type { Connection, WorkflowClientInterceptor } from '@temporalio/client';

/** gRPC connectivity states as grpc-js numbers them (grpc/doc/connectivity-semantics-and-api.md). */
const TRANSIENT_FAILURE = 3;
const SHUTDOWN = 4;
/** gRPC status code UNAVAILABLE. */
const UNAVAILABLE = 14;

/** The longest the client's channel waits between attempts to reach Temporal again (grpc-js's own default is 120 s). */
export const RECONNECT_BACKOFF_MAX_MS = 2_000;

interface Channel {
  getConnectivityState(tryToConnect: boolean): number;
  watchConnectivityState(currentState: number, deadline: number, callback: (error?: Error) => void): void;
}

/**
 * Keeps the client's gRPC channel to Temporal connecting and tells whether it is failing.
 *
 * A channel whose connection closed (Temporal stopped) turns idle and would only try again at the next
 * call, which then waits out its whole request deadline in the SDK's retries; watched, it tries again at
 * once, so it is failing (TRANSIENT_FAILURE: the last attempt was refused or timed out) before a request
 * runs into the outage. While failing it tries again on its own, at most `RECONNECT_BACKOFF_MAX_MS` apart.
 * Returns `() => true` while the channel is failing.
 */
export function watchChannel(connection: Connection): () => boolean {
  // The SDK keeps its grpc-js client protected; the channel is grpc-js's public API.
  const channel = (connection as unknown as { client: { getChannel(): Channel } }).client.getChannel();
  const watch = (state: number) => {
    if (state === SHUTDOWN) return; // the connection was closed
    channel.watchConnectivityState(state, Infinity, () => {
      // Read without connecting first: asking a closed channel to connect would bring it back to life
      // (grpc-js resolves again). The kick waits for the state change being reported to finish.
      if (channel.getConnectivityState(false) === SHUTDOWN) return;
      setImmediate(() => {
        const now = channel.getConnectivityState(false);
        watch(now === SHUTDOWN ? now : channel.getConnectivityState(true));
      });
    });
  };
  watch(channel.getConnectivityState(true));
  return () => channel.getConnectivityState(false) === TRANSIENT_FAILURE;
}

/** A gRPC-shaped UNAVAILABLE (src/temporal/update-errors.ts reads it as Temporal unavailable: 503, or a create's 201 left to the reconciler). */
function unavailable(): Error {
  const details = 'the connection to Temporal is failing; not sent (it is tried again every few seconds)';
  return Object.assign(new Error(`${UNAVAILABLE} UNAVAILABLE: ${details}`), { code: UNAVAILABLE, details, metadata: undefined, notSent: true });
}

/** The call was refused here, never sent (`failFastInterceptor`): it cannot take effect later. */
export const wasNotSent = (error: unknown): boolean => (error as { notSent?: unknown } | null)?.notSent === true;

/**
 * Workflow calls (starts, updates, signals, queries, describes, cancels, terminations) fail at once with
 * UNAVAILABLE while `failing()`, instead of each waiting out its request deadline: Temporal down answers
 * 503 fast (docs/architecture.md rule 8), and a create answers 201 at once, its workflows
 * left to the reconciler.
 */
export function failFastInterceptor(failing: () => boolean): WorkflowClientInterceptor {
  const gate = <I, O>(input: I, next: (input: I) => Promise<O>): Promise<O> => (failing() ? Promise.reject(unavailable()) : next(input));
  return {
    startWithDetails: gate,
    startUpdate: gate,
    startUpdateWithStart: gate,
    signal: gate,
    signalWithStart: gate,
    query: gate,
    describe: gate,
    cancel: gate,
    terminate: gate,
  };
}
