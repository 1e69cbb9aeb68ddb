import { getDomain } from 'tldts';
import { addTxtRecord, deleteTxtRecords, type DnspodConfig, dnspodSubDomain } from './dnspod';
import type { AuthoritativeEvidence } from './fault-side';
import type { AddressAllowance } from './ssrf-guard';
import { addTxt, type AuthoritativeCheck, authoritativeServers, checkAllAuthoritative, deleteTxt, type Rfc2136Config, upsertTxt } from './rfc2136';

/**
 * Writes and removes the TXT records the service itself publishes: in its delegation zone, where each
 * name is the service's own and holds only the current value, or at a customer's DNS provider, where
 * other TXT values at `_dnsauth` (another CA's, a sibling wildcard's) must survive every write.
 */
export interface DnsWriter {
  zone: string;
  /** Publishes `value`; `previous`, the value the service published there before, is replaced. */
  publishTxt(name: string, value: string, previous?: string): Promise<void>;
  /** Removes what the service published; at a provider only `value`, and nothing when it is unknown. */
  removeTxt(name: string, value?: string): Promise<void>;
  /**
   * Whether every authoritative server of the zone already answers the value (checked before a scan),
   * with what each server answered or that it did not. Throws when the zone's NS set cannot be listed.
   */
  presentOnAllAuthoritative(name: string, value: string): Promise<{ allPresent: boolean; servers: AuthoritativeEvidence[] }>;
}

/** The DNS the writers ask for a zone's NS set; the port is 53 except in tests; the address guard's test-only allowance. */
export interface AuthorityLookup {
  resolvers: string[];
  port: number;
  allowance: AddressAllowance;
}

const TTL_SECONDS = 60;

/** A write the server or the service's own rules refuse: retrying cannot help, the reason goes to the customer. */
export class WriteRefused extends Error {}

/** The service's own configuration makes a provider unusable (its SECRET_KEY cannot open the stored secret): the CA's side. */
export class ProviderConfigUnusable extends Error {}

const evidenceOf = (results: AuthoritativeCheck[]): AuthoritativeEvidence[] =>
  results.map((r) => ({
    server: r.server.name.replace(/\.$/, ''),
    address: r.server.address,
    present: r.present,
    observed: r.observed,
    ...(r.error ? { error: r.error } : {}),
    ...(r.refused ? { refused: r.refused } : {}),
  }));

/** Asks each of the zone's name servers (addresses the guard allows only) for the value at `name`. */
async function presentOnAllAuthoritative(zone: string, lookup: AuthorityLookup, name: string, value: string) {
  const servers = await authoritativeServers(zone, { resolvers: lookup.resolvers, port: lookup.port });
  const { allPresent, results } = await checkAllAuthoritative(servers, name, value, { allowance: lookup.allowance });
  return { allPresent, servers: evidenceOf(results) };
}

function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** `owned`: the zone is the service's own delegation zone, so each name's whole TXT set is the service's. */
export function rfc2136Writer(config: Rfc2136Config, lookup: AuthorityLookup, owned = false): DnsWriter {
  return {
    zone: config.zone,
    async publishTxt(name, value, previous) {
      if (!inZone(name, config.zone)) throw new WriteRefused(`${name} is not in the provider's zone ${config.zone}`);
      await (owned ? upsertTxt(config, name, value, TTL_SECONDS) : addTxt(config, name, value, TTL_SECONDS, previous));
    },
    async removeTxt(name, value) {
      if (owned) await deleteTxt(config, name);
      else if (value !== undefined) await deleteTxt(config, name, value);
    },
    presentOnAllAuthoritative: (name, value) => presentOnAllAuthoritative(config.zone, lookup, name, value),
  };
}

/** DNSPod manages registrable domains: the zone of `_dnsauth.www.example.com` is `example.com`. */
export function dnspodWriter(config: DnspodConfig, domainName: string, lookup: AuthorityLookup): DnsWriter {
  const zone = getDomain(domainName.replace(/^\*\./, ''), { allowPrivateDomains: false }) ?? domainName;
  return {
    zone,
    async publishTxt(name, value, previous) {
      await addTxtRecord(config, zone, dnspodSubDomain(zone, name), value, 600, previous);
    },
    async removeTxt(name, value) {
      if (value !== undefined) await deleteTxtRecords(config, zone, dnspodSubDomain(zone, name), value);
    },
    presentOnAllAuthoritative: (name, value) => presentOnAllAuthoritative(zone, lookup, name, value),
  };
}
