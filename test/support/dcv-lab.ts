import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { startBind9, type Bind9Server, type Bind9TsigKey } from './bind9';
import { freePort } from './ports';

/**
 * The network a DCV test needs, all on loopback: two BIND9 servers standing in for what different
 * perspectives see (`a` is the customer's real DNS and the service's delegation zone; `b` lags
 * behind and sees nothing unless told), and a port chosen ahead for the customer's web server.
 */
export interface DcvLab {
  a: Bind9Server;
  b: Bind9Server;
  tsig: Bind9TsigKey;
  webPort: number;
  /** Environment for the service under test; `perspectives` in DCV_PERSPECTIVES syntax with A and B placeholders. */
  env(perspectives: string, extra?: Record<string, string>): Record<string, string>;
  /** TXT values at `name` as server A answers them. */
  txtAt(name: string): Promise<string[]>;
  /** The body of `POST /v1/dns-providers` for server A as the customer's RFC 2136 server of example.com, with the lab's key. */
  rfc2136Provider(name: string): Record<string, string | number>;
  stop(): Promise<void>;
}

export const DELEGATION_ZONE = 'dcv.example.net';

// Every name the tests validate resolves to loopback, where their web servers listen. `com` is served
// so the CAA climb (RFC 8659) gets an authoritative answer at every level.
const CUSTOMER_RECORDS = ['@ A 127.0.0.1', '* A 127.0.0.1'];

export async function startDcvLab(): Promise<DcvLab> {
  const tsig: Bind9TsigKey = { name: 'dcv-update', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
  const zones = () => [{ name: 'com' }, { name: 'net' }, { name: 'example.com', records: CUSTOMER_RECORDS }, { name: DELEGATION_ZONE }];
  const a = await startBind9({ zones: zones(), tsigKey: tsig });
  const b = await startBind9({ zones: zones(), tsigKey: tsig });
  const webPort = await freePort();
  return {
    a,
    b,
    tsig,
    webPort,
    env(perspectives, extra = {}) {
      return {
        DCV_PERSPECTIVES: perspectives.replaceAll('A', a.server).replaceAll('B', b.server),
        DCV_DELEGATION_ZONE: DELEGATION_ZONE,
        DCV_DELEGATION_SERVER: a.server,
        DCV_DELEGATION_TSIG: `${tsig.name}:${tsig.algorithm}:${tsig.secret}`,
        DCV_AUTHORITATIVE_PORT: String(a.port),
        DCV_CAA_ISSUER: 'pki.example.net',
        DCV_HTTP_PORT: String(webPort),
        DCV_HTTPS_PORT: String(webPort),
        DCV_ALLOW_PRIVATE_ADDRESSES: 'true',
        DCV_RETRY_SCHEDULE: '300ms,600ms,1s',
        DCV_PRECHECK_INTERVAL: '1s',
        ...extra,
      };
    },
    rfc2136Provider: (name) => ({
      kind: 'rfc2136',
      name,
      server: '127.0.0.1',
      port: a.port,
      zone: 'example.com',
      tsigKeyName: tsig.name,
      tsigAlgorithm: 'hmac-sha256',
      tsigSecret: tsig.secret,
    }),
    async txtAt(name) {
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([a.server]);
      try {
        return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
      } catch {
        return [];
      }
    },
    async stop() {
      await a.stop();
      await b.stop();
    },
  };
}
