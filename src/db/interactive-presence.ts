import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { log } from '../log';

/** The PostgreSQL channel the API processes announce their reviewers' decisions in progress on. */
export const PRESENCE_CHANNEL = 'interactive_requests';
/** A busy process repeats its announcement this often; a peer that stops repeating it counts as idle after {@link PEER_EXPIRY_MS}. */
const REFRESH_MS = 1_000;
const PEER_EXPIRY_MS = 3 * REFRESH_MS;
/** The listener connection's application_name in pg_stat_activity. */
export const PRESENCE_APPLICATION = 'certificate-profiles interactive presence';
const RECONNECT_MS = { first: 1_000, max: 30_000 };
/** Peers remembered at most: a deployment has a handful of API processes; anything beyond is noise on the channel. */
const MAX_PEERS = 64;
/** An announcement or a close that takes longer than this counts the connection as lost. */
const STATEMENT_TIMEOUT_MS = 5_000;
/** How often the listening connection is checked (a `SELECT 1` within the statement timeout). */
const HEARTBEAT_MS = 10_000;
const PEER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Reviewers' decisions in progress anywhere in the deployment (issue 6: interactive work ahead of bulk
 * work; issue 9: a decision's latency under a burst of creates). A decision runs inside {@link during}; a
 * create that has its place in the bulk lane waits for {@link quiet} before it goes on, so while a
 * decision crosses the API, PostgreSQL, the Temporal server and the worker, no new create competes with
 * it for the same cores.
 */
export interface InteractivePresence {
  /** Runs `work` as an interactive request: creates everywhere hold back until it (and every other) has ended. Returns or throws what `work` does. */
  during<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Resolves once no interactive request is in progress here or in a peer, or after `maxWaitMs`
   * (milliseconds) at the latest, so creates are never starved by a steady stream of interactive work.
   * Never rejects.
   */
  quiet(maxWaitMs: number): Promise<void>;
  /** Stops listening to the peers (the API process is stopping). */
  close(): Promise<void>;
}

/**
 * The presence of this process and, given `databaseUrl`, of the other API processes on the same
 * PostgreSQL database: each announces on channel {@link PRESENCE_CHANNEL} (LISTEN/NOTIFY) when its
 * first interactive request starts and when its last ends, repeating the first every second while
 * busy; a peer silent for three seconds (it crashed mid-request) counts as idle. Without a database URL
 * (the embedded PGlite, one process) only this process's requests count. A lost connection to
 * PostgreSQL is reconnected with backoff; meanwhile peers count as idle (creates are never held on
 * knowledge the process no longer has).
 */
export function interactivePresence(options: { databaseUrl?: string } = {}): InteractivePresence {
  const self = randomUUID();
  let local = 0;
  /** Busy peers, with when their announcement expires (`performance.now()` ms: a wall clock step changes nothing). */
  const peers = new Map<string, number>();
  const waiters = new Set<() => void>();
  let expiryTimer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const busy = () => local > 0 || peers.size > 0;

  /** Drops expired peers, wakes the waiters once nobody is busy, and plans the next expiry. */
  function settle(): void {
    const now = performance.now();
    let nextExpiry = Infinity;
    for (const [peer, expiresAt] of peers) {
      if (expiresAt <= now) peers.delete(peer);
      else nextExpiry = Math.min(nextExpiry, expiresAt);
    }
    clearTimeout(expiryTimer);
    expiryTimer = undefined;
    if (!busy()) {
      for (const wake of [...waiters]) wake();
      return;
    }
    if (peers.size) {
      expiryTimer = setTimeout(settle, Math.max(nextExpiry - now, 1));
      expiryTimer.unref();
    }
  }

  const channel = options.databaseUrl
    ? peerChannel(
        options.databaseUrl,
        self,
        onPeer,
        () => (peers.clear(), settle()),
        () => local > 0,
      )
    : undefined;

  function onPeer(peer: string, peerBusy: boolean): void {
    if (closed) return;
    if (!peerBusy) peers.delete(peer);
    else if (peers.has(peer) || peers.size < MAX_PEERS) peers.set(peer, performance.now() + PEER_EXPIRY_MS);
    settle();
  }

  return {
    async during(work) {
      if (++local === 1 && !closed) {
        channel?.announce(true);
        refreshTimer = setInterval(() => channel?.announce(true), REFRESH_MS);
        refreshTimer.unref();
      }
      try {
        return await work();
      } finally {
        if (--local === 0) {
          clearInterval(refreshTimer);
          channel?.announce(false);
        }
        settle();
      }
    },
    quiet(maxWaitMs) {
      if (!busy() || maxWaitMs <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, maxWaitMs);
        waiters.add(done);
      });
    },
    async close() {
      closed = true;
      clearInterval(refreshTimer);
      clearTimeout(expiryTimer);
      peers.clear();
      for (const wake of [...waiters]) wake();
      // Decisions still in progress here: the peers need not wait for this process's silence to expire.
      await channel?.close(local > 0);
    },
  };
}

/**
 * One connection of its own to PostgreSQL, listening on {@link PRESENCE_CHANNEL} and announcing this
 * process's state on it. Messages are `{"from": <process>, "busy": <boolean>}`; its own are ignored.
 * `lost` is called when the connection drops (the peers' state is unknown until it is back).
 */
function peerChannel(databaseUrl: string, self: string, onPeer: (peer: string, busy: boolean) => void, lost: () => void, busyNow: () => boolean) {
  let client: PgClient | undefined;
  let closed = false;
  let retryMs = RECONNECT_MS.first;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let wasLost = false;
  let lastReason: string | undefined;

  /** Says why the connection is away, once per reason (a wrong password, too many connections, a standby). */
  function away(error: unknown, what: string): void {
    const reason = error instanceof Error ? `${error.message}${'code' in error && error.code ? ` (${String(error.code)})` : ''}` : String(error);
    wasLost = true;
    if (reason === lastReason) return;
    lastReason = reason;
    log.warn(`interactive presence: ${what}: ${reason}; creates do not wait for other API processes' decisions until it is back`);
  }

  async function connect(): Promise<void> {
    // Named, so an operator's pg_stat_activity tells the listener from the request pool's connections.
    const next = new PgClient({
      connectionString: databaseUrl,
      // TCP keepalive from 10 s idle (the probes' interval and count stay the system's); the heartbeat below
      // notices a half-open connection (a failover without a reset) within the statement timeout.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: STATEMENT_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS,
      application_name: PRESENCE_APPLICATION,
    });
    let failure: unknown;
    next.on('error', (error) => (failure = error)); // reported through 'end', below
    next.on('notification', (message) => {
      if (message.channel !== PRESENCE_CHANNEL || !message.payload) return;
      const parsed = parseAnnouncement(message.payload);
      if (parsed && parsed.from !== self) onPeer(parsed.from, parsed.busy);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${PRESENCE_CHANNEL}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    const heartbeat = setInterval(() => void next.query('SELECT 1').catch(() => next.end().catch(() => undefined)), HEARTBEAT_MS);
    heartbeat.unref();
    next.once('end', () => {
      clearInterval(heartbeat);
      if (client === next) client = undefined;
      lost();
      if (closed) return;
      away(failure ?? new Error('the server ended it'), 'the connection to PostgreSQL was lost');
      schedule();
    });
    if (closed) return void (await next.end().catch(() => undefined));
    client = next;
    retryMs = RECONNECT_MS.first;
    if (wasLost) log.info('interactive presence: listening to the other API processes again');
    wasLost = false;
    lastReason = undefined;
    // What was said while away (an idle, a busy) was lost: the peers hear the current state now.
    void send(busyNow());
  }

  function schedule(): void {
    if (closed) return;
    reconnectTimer = setTimeout(() => {
      connect().catch((error) => {
        away(error, 'PostgreSQL refused the connection');
        retryMs = Math.min(retryMs * 2, RECONNECT_MS.max);
        schedule();
      });
    }, retryMs);
    reconnectTimer.unref();
  }

  // The first attempt in the background: an API process starts (and serves) while PostgreSQL is away.
  connect().catch((error) => {
    away(error, 'PostgreSQL is not reachable yet');
    schedule();
  });

  /** Announces this process busy or idle; an announcement that fails or outlasts the statement timeout ends the connection (then reconnected). */
  function send(busy: boolean): Promise<void> {
    const current = client;
    if (!current) return Promise.resolve();
    return current.query('SELECT pg_notify($1, $2)', [PRESENCE_CHANNEL, JSON.stringify({ from: self, busy })]).then(
      () => undefined,
      () => void current.end().catch(() => undefined),
    );
  }

  return {
    // Off the request's path: a lost announcement costs a peer's creates a few hundred milliseconds of waiting, nothing more.
    announce: (busy: boolean): void => void send(busy),
    /** Ends the connection (after saying idle when `busy`), within the statement timeout twice at most. */
    async close(busy: boolean): Promise<void> {
      closed = true;
      clearTimeout(reconnectTimer);
      if (busy) await send(false);
      const current = client;
      client = undefined;
      if (current) await Promise.race([current.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, STATEMENT_TIMEOUT_MS).unref())]);
    },
  };
}

function parseAnnouncement(payload: string): { from: string; busy: boolean } | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    if (
      typeof value === 'object' &&
      value !== null &&
      'from' in value &&
      'busy' in value &&
      typeof value.from === 'string' &&
      PEER_ID.test(value.from) &&
      typeof value.busy === 'boolean'
    ) {
      return { from: value.from, busy: value.busy };
    }
  } catch {
    // not ours: another program on the same channel
  }
  return undefined;
}
