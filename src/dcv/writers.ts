import { lookup as resolveHost } from 'node:dns/promises';
import type { DcvConfig } from '../config';
import type { Db } from '../db/connect';
import { open } from '../domain/secret-box';
import { type DnsWriter, dnspodWriter, ProviderConfigUnusable, rfc2136Writer, WriteRefused } from './dns-writer';
import { servedZoneWriter } from './served-zone';
import { classifyAddress } from './ssrf-guard';

/** The DNS writers domain activities use: the service's delegation zone, and each account's own providers. */
export function dnsWriters(db: Db, dcv: DcvConfig, secretKey: Buffer) {
  const lookup = { resolvers: dcv.perspectives[0]?.resolvers ?? [], port: dcv.authoritativePort };
  return {
    /** RFC 2136 to DCV_DELEGATION_SERVER; without one the zone is the service's own, served from the database. */
    delegation(): DnsWriter {
      const server = dcv.delegationServer;
      return server ? rfc2136Writer({ ...server, zone: dcv.delegationZone }, lookup, true) : servedZoneWriter(db, dcv.delegationZone);
    },
    async provider(accountId: string, providerId: string, domainName: string): Promise<DnsWriter> {
      const row = await db.selectFrom('dns_providers').selectAll().where('id', '=', providerId).where('account_id', '=', accountId).executeTakeFirstOrThrow();
      let secret: string;
      try {
        secret = open(secretKey, row.secret_ciphertext, row.id);
      } catch (error) {
        throw new ProviderConfigUnusable(`the service cannot decrypt the DNS provider's secret with its SECRET_KEY (${(error as Error).message})`);
      }
      const settings = row.settings as Record<string, string | number>;
      if (row.kind === 'rfc2136') {
        const server = await publicServer(String(settings.server), dcv.allowPrivateAddresses);
        return rfc2136Writer(
          {
            server,
            port: Number(settings.port),
            zone: String(settings.zone),
            keyName: String(settings.tsigKeyName),
            algorithm: settings.tsigAlgorithm as 'hmac-sha256',
            secret,
          },
          lookup,
        );
      }
      return dnspodWriter({ tokenId: String(settings.tokenId), token: secret, baseUrl: dcv.dnspodApiUrl }, domainName, lookup);
    },
  };
}

/**
 * A customer names the server the service sends updates to: like every request the service makes on
 * a customer's word (the SSRF guard), it goes only to a public address, resolved once and pinned.
 */
async function publicServer(server: string, allowPrivate: boolean): Promise<string> {
  const { address } = await resolveHost(server).catch((error: Error) => {
    throw new Error(`the DNS provider's server ${server} does not resolve (${error.message})`);
  });
  const verdict = classifyAddress(address, { allowPrivate });
  if (!verdict.allowed) throw new WriteRefused(`the DNS provider's server ${server}: ${verdict.reason}`);
  return verdict.address;
}
