import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { log } from '../log';

/** The PostgreSQL channel the API processes announce their interactive requests on. */
export const PRESENCE_CHANNEL = 'interactive_requests';
/** A busy process repeats its announcement this often; a peer that stops repeating it counts as idle after {@link PEER_EXPIRY_MS}. */
const REFRESH_MS = 1_000;
const PEER_EXPIRY_MS = 3 * REFRESH_MS;
/** The listener connection's application_name in pg_stat_activity. */
export const PRESENCE_APPLICATION = 'certificate-profiles interactive presence';
const RECONNECT_MS = { first: 1_000, max: 30_000 };

/**
 * Interactive requests in progress anywhere in the deployment (issue 6: interactive work ahead of bulk
 * work; issue 9: a decision's latency under a burst of creates). A person's request runs inside
 * {@link during}; a create that has its place in the bulk lane waits for {@link quiet} before it goes on,
 * so while a decision crosses the API, PostgreSQL, the Temporal server and the worker, no new create
 * competes with it for the same two cores.
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
  /** Busy peers, with when their announcement expires (ms since the epoch). */
  const peers = new Map<string, number>();
  const waiters = new Set<() => void>();
  let expiryTimer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;

  const busy = () => local > 0 || peers.size > 0;

  /** Drops expired peers, wakes the waiters once nobody is busy, and plans the next expiry. */
  function settle(): void {
    const now = Date.now();
    for (const [peer, expiresAt] of peers) if (expiresAt <= now) peers.delete(peer);
    clearTimeout(expiryTimer);
    expiryTimer = undefined;
    if (!busy()) {
      for (const wake of [...waiters]) wake();
      return;
    }
    if (peers.size) {
      expiryTimer = setTimeout(settle, Math.max(Math.min(...peers.values()) - now, 1));
      expiryTimer.unref();
    }
  }

  const channel = options.databaseUrl ? peerChannel(options.databaseUrl, self, onPeer, () => (peers.clear(), settle())) : undefined;

  function onPeer(peer: string, peerBusy: boolean): void {
    if (peerBusy) peers.set(peer, Date.now() + PEER_EXPIRY_MS);
    else peers.delete(peer);
    settle();
  }

  return {
    async during(work) {
      if (++local === 1) {
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
      clearInterval(refreshTimer);
      clearTimeout(expiryTimer);
      for (const wake of [...waiters]) wake();
      await channel?.close();
    },
  };
}

/**
 * One connection of its own to PostgreSQL, listening on {@link PRESENCE_CHANNEL} and announcing this
 * process's state on it. Messages are `{"from": <process>, "busy": <boolean>}`; its own are ignored.
 * `lost` is called when the connection drops (the peers' state is unknown until it is back).
 */
function peerChannel(databaseUrl: string, self: string, onPeer: (peer: string, busy: boolean) => void, lost: () => void) {
  let client: PgClient | undefined;
  let closed = false;
  let retryMs = RECONNECT_MS.first;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let wasLost = false;

  async function connect(): Promise<void> {
    // Named, so an operator's pg_stat_activity tells the listener from the request pool's connections.
    const next = new PgClient({ connectionString: databaseUrl, keepAlive: true, connectionTimeoutMillis: 5_000, application_name: PRESENCE_APPLICATION });
    next.on('error', () => undefined); // reported through 'end', below
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
    next.once('end', () => {
      if (client === next) client = undefined;
      lost();
      if (closed) return;
      log.warn(`interactive presence: the connection to PostgreSQL was lost; creates do not wait for other API processes' requests until it is back`);
      wasLost = true;
      schedule();
    });
    if (closed) return void (await next.end().catch(() => undefined));
    client = next;
    retryMs = RECONNECT_MS.first;
    if (wasLost) log.info('interactive presence: listening to the other API processes again');
    wasLost = false;
  }

  function schedule(): void {
    if (closed) return;
    reconnectTimer = setTimeout(() => {
      connect().catch(() => {
        wasLost = true;
        retryMs = Math.min(retryMs * 2, RECONNECT_MS.max);
        schedule();
      });
    }, retryMs);
    reconnectTimer.unref();
  }

  // The first attempt in the background: an API process starts (and serves) while PostgreSQL is away.
  connect().catch(() => {
    wasLost = true;
    log.warn('interactive presence: PostgreSQL is not reachable yet; creates do not wait for other API processes until it is');
    schedule();
  });

  return {
    announce(busy: boolean): void {
      // Off the request's path: a lost announcement costs a peer's creates a few hundred milliseconds of waiting, nothing more.
      client?.query('SELECT pg_notify($1, $2)', [PRESENCE_CHANNEL, JSON.stringify({ from: self, busy })]).catch(() => undefined);
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(reconnectTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
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
      typeof value.busy === 'boolean'
    ) {
      return { from: value.from, busy: value.busy };
    }
  } catch {
    // not ours: another program on the same channel
  }
  return undefined;
}
