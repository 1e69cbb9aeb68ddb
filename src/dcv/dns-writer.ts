import { getDomain } from 'tldts';
import { deleteTxtRecords, type DnspodConfig, dnspodSubDomain, upsertTxtRecord } from './dnspod';
import { authoritativeServers, checkAllAuthoritative, deleteTxt, type Rfc2136Config, upsertTxt } from './rfc2136';

/** Writes and removes the TXT records the service itself publishes: at a customer's DNS provider or in the delegation zone. */
export interface DnsWriter {
  zone: string;
  upsertTxt(name: string, value: string): Promise<void>;
  deleteTxt(name: string): Promise<void>;
  /** Whether every authoritative server of the zone already answers the value (checked before a scan). */
  presentOnAllAuthoritative(name: string, value: string): Promise<{ allPresent: boolean; detail: string[] }>;
}

/** The DNS the writers ask for a zone's NS set; the port is 53 except in tests. */
export interface AuthorityLookup {
  resolvers: string[];
  port: number;
}

const TTL_SECONDS = 60;

function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

export function rfc2136Writer(config: Rfc2136Config, lookup: AuthorityLookup): DnsWriter {
  return {
    zone: config.zone,
    async upsertTxt(name, value) {
      if (!inZone(name, config.zone)) throw new Error(`${name} is not in the provider's zone ${config.zone}`);
      await upsertTxt(config, name, value, TTL_SECONDS);
    },
    async deleteTxt(name) {
      await deleteTxt(config, name);
    },
    async presentOnAllAuthoritative(name, value) {
      const servers = await authoritativeServers(config.zone, { resolvers: lookup.resolvers, port: lookup.port });
      const { allPresent, results } = await checkAllAuthoritative(servers, name, value);
      return { allPresent, detail: results.map((r) => `${r.server.name} (${r.server.address}): ${r.present ? 'present' : r.error ?? `saw ${r.observed.join(', ') || 'nothing'}`}`) };
    },
  };
}

/** DNSPod manages registrable domains: the zone of `_dnsauth.www.example.com` is `example.com`. */
export function dnspodWriter(config: DnspodConfig, domainName: string, lookup: AuthorityLookup): DnsWriter {
  const zone = getDomain(domainName.replace(/^\*\./, ''), { allowPrivateDomains: false }) ?? domainName;
  return {
    zone,
    async upsertTxt(name, value) {
      await upsertTxtRecord(config, zone, dnspodSubDomain(zone, name), value, 600);
    },
    async deleteTxt(name) {
      await deleteTxtRecords(config, zone, dnspodSubDomain(zone, name));
    },
    async presentOnAllAuthoritative(name, value) {
      const servers = await authoritativeServers(zone, { resolvers: lookup.resolvers, port: lookup.port });
      const { allPresent, results } = await checkAllAuthoritative(servers, name, value);
      return { allPresent, detail: results.map((r) => `${r.server.name}: ${r.present ? 'present' : 'missing'}`) };
    },
  };
}
