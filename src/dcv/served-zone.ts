/**
 * The delegation zone when the service serves it itself (no DCV_DELEGATION_SERVER), as acme-dns does:
 * the domains table is the zone's data. The TXT at `<label>.<zone>` is the current random value of the
 * automatic DNS domain with that label, so a rotation is published by its own commit and a delete
 * takes the name away; the worker's writer has nothing to send anywhere.
 */
import { Semaphore, withTimeout } from 'async-mutex';
import type { DcvConfig } from '../config';
import type { Db } from '../db/connect';
import { delegatedTxtValue } from '../db/domain-store';
import type { DelegationZone } from './delegation-answer';
import { type DelegationServer, startDelegationServer } from './delegation-server';
import { type DnsWriter, WriteRefused } from './dns-writer';

/** The first label of `name` when `name` is `<label>.<zone>`, else undefined. */
function labelOf(name: string, zone: string): string | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  if (!lower.endsWith(`.${zone}`)) return undefined;
  const label = lower.slice(0, -zone.length - 1);
  return label.includes('.') ? undefined : label;
}

/**
 * Database reads the DNS server has in progress at once. The server is public (port 53) and reads the
 * database for every well-formed label, so a flood of queries for random labels would otherwise take
 * every connection of the pool it shares with the API (which then answers 503): it takes at most these.
 */
export const MAX_ZONE_READS = 4;
/** Reads that may wait for one of those, and how long: a resolver has asked again or given up by then. */
const MAX_WAITING_READS = 32;
const READ_WAIT_MS = 1_000;
/** At most one line per interval about failed reads: an outage under load must not flood the log. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

const BUSY = new Error(`${MAX_ZONE_READS} reads in progress and no room for another within ${READ_WAIT_MS} ms`);

/** `log`, at most once per `intervalMs`; a line says how many were left out since the last one. */
function throttledLog(log: (line: string) => void, intervalMs: number): (line: string) => void {
  let last = -Infinity;
  let skipped = 0;
  return (line) => {
    const now = Date.now();
    if (now - last < intervalMs) return void skipped++;
    log(skipped ? `${line} (${skipped} more failed reads since the last line)` : line);
    [last, skipped] = [now, 0];
  };
}

/**
 * The zone's TXT source for the DNS server: one database read per label at a time (concurrent queries
 * for a label share it), at most MAX_ZONE_READS reads at once, and no cache beyond that, so the scan that
 * follows a rotation sees the new value whichever process rotated it. A failed read, or one that finds
 * no room, is logged (throttled) and answered SERVFAIL.
 */
export function databaseZone(db: Db, dcv: Pick<DcvConfig, 'delegationZone' | 'nameServer'>, log: (line: string) => void, address?: string): DelegationZone {
  const reading = new Map<string, Promise<string[]>>();
  const slots = withTimeout(new Semaphore(MAX_ZONE_READS), READ_WAIT_MS, BUSY);
  let waiting = 0;
  const failed = throttledLog(log, FAILURE_LOG_INTERVAL_MS);
  const bounded = async <T>(read: () => Promise<T>): Promise<T> => {
    if (slots.isLocked() && waiting >= MAX_WAITING_READS) throw BUSY;
    waiting++;
    const [, release] = await slots.acquire().finally(() => waiting--);
    try {
      return await read();
    } finally {
      release();
    }
  };
  const read = (label: string) =>
    bounded(() => delegatedTxtValue(db, label)).then(
      (value) => (value === undefined ? [] : [value]),
      (error: Error) => {
        failed(`delegation DNS: reading ${label}.${dcv.delegationZone} failed, answered SERVFAIL: ${error.message}`);
        throw error;
      },
    );
  return {
    zone: dcv.delegationZone,
    nameServer: { name: dcv.nameServer.name, address: dcv.nameServer.address ?? address },
    txt(label) {
      let pending = reading.get(label);
      if (!pending) {
        pending = read(label).finally(() => reading.delete(label));
        reading.set(label, pending);
      }
      return pending;
    },
  };
}

/** The address the server answers for its in-zone name server: DCV_DNS_NS_ADDRESS, else the listen address when it is one address (not `0.0.0.0` or `::`). */
function nameServerAddress(dcv: Pick<DcvConfig, 'nameServer' | 'dnsListen'>): string | undefined {
  const host = dcv.dnsListen?.host;
  return dcv.nameServer.address ?? (host && host !== '0.0.0.0' && host !== '::' ? host : undefined);
}

/**
 * Whether the zone's own name server has no address in the zone: its name lies inside the zone (the
 * default `ns1.<zone>`) and neither DCV_DNS_NS_ADDRESS nor a specific listen address gives one, so the
 * server answers NODATA for the very name the parent's NS and glue point to (RFC 1034 §4.2.1), which
 * resolvers that check the child's answer distrust.
 *
 * @returns one sentence naming the setting to set, or `undefined`
 */
export function nameServerConcern(dcv: Pick<DcvConfig, 'delegationZone' | 'nameServer' | 'dnsListen'>): string | undefined {
  const name = dcv.nameServer.name;
  if (!dcv.dnsListen || !name.endsWith(`.${dcv.delegationZone}`) || nameServerAddress(dcv)) return undefined;
  return `DCV_DNS_NS_ADDRESS is not set: the delegation zone's name server ${name} lies inside the zone but has no address there; set it to the address of the parent zone's glue record`;
}

/**
 * Starts the service's DNS server for its delegation zone at `dcv.dnsListen`. The in-zone name server's
 * address is DCV_DNS_NS_ADDRESS, or the listen address when that is one address (not `0.0.0.0` or `::`).
 *
 * @throws Error when the address cannot be listened on (see `startDelegationServer`), or when
 *   `dcv.dnsListen` is unset
 */
export async function serveDelegationZone(db: Db, dcv: DcvConfig, log: (line: string) => void): Promise<DelegationServer> {
  const listen = dcv.dnsListen;
  if (!listen) throw new Error('DCV_DNS_LISTEN is not set: nowhere to serve the delegation zone');
  return startDelegationServer(listen, databaseZone(db, dcv, log, nameServerAddress(dcv))).catch((error: Error) => {
    throw new Error(`${error.message} (set DCV_DNS_LISTEN to move it)`, { cause: error });
  });
}

/**
 * The writer of the served zone: the domain's row already holds the value the server answers, so
 * publishing and removing send nothing (a name outside the zone is still refused, as RFC 2136 would).
 */
export function servedZoneWriter(db: Db, zone: string): DnsWriter {
  const label = (name: string) => {
    const found = labelOf(name, zone);
    if (found === undefined) throw new WriteRefused(`${name} is not a delegation name in the zone ${zone}`);
    return found;
  };
  return {
    zone,
    async publishTxt(name) {
      label(name);
    },
    async removeTxt(name) {
      label(name);
    },
    async presentOnAllAuthoritative(name, value) {
      const current = await delegatedTxtValue(db, label(name));
      const observed = current === undefined ? [] : [current];
      return { allPresent: current === value, servers: [{ server: 'the service (database)', address: zone, present: current === value, observed }] };
    },
  };
}
