import type { DcvConfig } from '../config';
import type { Db } from '../db/connect';
import { open } from '../domain/secret-box';
import { type DnsWriter, dnspodWriter, ProviderConfigUnusable, rfc2136Writer } from './dns-writer';
import { publicAddressOf } from './public-address';
import { servedZoneWriter } from './served-zone';

/** The DNS writers domain activities use: the service's delegation zone, and each account's own providers. */
export function dnsWriters(db: Db, dcv: DcvConfig, secretKey: Buffer) {
  const resolvers = dcv.resolvers;
  const lookup = { resolvers, port: dcv.authoritativePort, allowance: dcv.addressAllowance };
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
        // The customer names this server: resolved once through the CA's resolvers, judged by the address
        // guard, and the updates go to that address (AddressRefused when it has no public one).
        const name = String(settings.server);
        const server = await publicAddressOf(`the DNS provider's server ${name}`, name, { resolvers, allowance: dcv.addressAllowance });
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
      return dnspodWriter(
        { tokenId: String(settings.tokenId), token: secret, baseUrl: dcv.dnspodApiUrl, guard: { resolvers, allowance: dcv.addressAllowance } },
        domainName,
        lookup,
      );
    },
  };
}
