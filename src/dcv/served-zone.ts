/**
 * The delegation zone when the service serves it itself (no DCV_DELEGATION_SERVER), as acme-dns does:
 * the domains table is the zone's data. The TXT at `<label>.<zone>` is the current random value of the
 * automatic DNS domain with that label, so a rotation is published by its own commit and a delete
 * takes the name away; the worker's writer has nothing to send anywhere.
 */
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
 * The zone's TXT source for the DNS server: one database read per label at a time (concurrent queries
 * for a label share it) and no cache beyond that, so the scan that follows a rotation sees the new
 * value whichever process rotated it. A failed read is logged and answered SERVFAIL.
 */
export function databaseZone(db: Db, dcv: Pick<DcvConfig, 'delegationZone' | 'nameServer'>, log: (line: string) => void, address?: string): DelegationZone {
  const reading = new Map<string, Promise<string[]>>();
  const read = (label: string) =>
    delegatedTxtValue(db, label).then(
      (value) => (value === undefined ? [] : [value]),
      (error: Error) => {
        log(`delegation DNS: reading ${label}.${dcv.delegationZone} failed, answered SERVFAIL: ${error.message}`);
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

/**
 * Starts the service's DNS server for its delegation zone at `dcv.dnsListen`. The in-zone name server's
 * address defaults to the listen address when that is one address (not `0.0.0.0` or `::`).
 *
 * @throws Error when the address cannot be listened on (see `startDelegationServer`), or when
 *   `dcv.dnsListen` is unset
 */
export async function serveDelegationZone(db: Db, dcv: DcvConfig, log: (line: string) => void): Promise<DelegationServer> {
  const listen = dcv.dnsListen;
  if (!listen) throw new Error('DCV_DNS_LISTEN is not set: nowhere to serve the delegation zone');
  const specific = listen.host !== '0.0.0.0' && listen.host !== '::' ? listen.host : undefined;
  return startDelegationServer(listen, databaseZone(db, dcv, log, specific)).catch((error: Error) => {
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
