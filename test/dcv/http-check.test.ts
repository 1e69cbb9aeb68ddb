/**
 * File checks against real servers on loopback: a Node HTTP server, a Node HTTPS server with a
 * self-signed certificate, BIND9 resolving the test host names to 127.0.0.1, and nginx serving
 * a docroot and reverse-proxying /.well-known/pki-validation/ to an upstream Node server.
 * Loopback is only reachable with `allowPrivate: true`; one test proves it is refused otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFile, type HttpCheckOptions } from '../../src/dcv/http-check';
import type { Perspective } from '../../src/dcv/perspective';
import { startBind9, type Bind9Server } from '../support/bind9';
import { startNginx, type NginxServer } from '../support/nginx';

const VALUE = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo';
const FILE = '/.well-known/pki-validation/fileauth.txt';

let dns: Bind9Server;
let perspective: Perspective;
let web: http.Server;
let httpPort: number;
let tlsServer: https.Server;
let httpsPort: number;
let certPem: string;
let tmp: string;
const requests: Array<{ host: string; url: string }> = [];
const hanging: http.ServerResponse[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/** Routes by host name: each test host shows one behaviour. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const url = req.url ?? '/';
  requests.push({ host, url });
  const redirect = (status: number, location: string) => {
    res.writeHead(status, { Location: location });
    res.end();
  };
  // Each hop answers in time but late: the chain as a whole runs out of time.
  const slow = /^\/slow\/(\d+)$/.exec(url);
  if (slow) return void setTimeout(() => (Number(slow[1]) === 0 ? res.end(VALUE) : redirect(302, `/slow/${Number(slow[1]) - 1}`)), 300);
  const chain = /^\/chain\/(\d+)$/.exec(url);
  if (chain) {
    const left = Number(chain[1]);
    return left === 0 ? void res.end(VALUE) : redirect(302, `/chain/${left - 1}`);
  }
  switch (host) {
    case 'ok.site.test':
    case 'secure.site.test':
      if (url === FILE) return void res.end(`${VALUE}\n`);
      break;
    case 'wrong.site.test':
      return void res.end('not-the-value\u0000with a control character');
    case 'error.site.test':
      res.statusCode = 500;
      return void res.end('oops');
    case 'big.site.test':
      res.write('x'.repeat(3000));
      return void res.end('y'.repeat(3000)); // chunked: no Content-Length
    case 'bigdeclared.site.test':
      res.setHeader('Content-Length', 100_000);
      return void res.end('z'.repeat(100_000));
    case 'hang.site.test':
      hanging.push(res); // never answers
      return;
    case 'r301.site.test':
      return redirect(301, `http://ok.site.test:${httpPort}${FILE}`);
    case 'r307.site.test':
      return redirect(307, `http://ok.site.test:${httpPort}${FILE}`);
    case 'r308.site.test':
      return redirect(308, `/chain/0`);
    case 'r303.site.test':
      return redirect(303, `http://ok.site.test:${httpPort}${FILE}`);
    case 'rftp.site.test':
      return redirect(302, `ftp://ok.site.test${FILE}`);
    case 'rport.site.test':
      return redirect(302, `http://ok.site.test:${httpPort + 1}${FILE}`);
    case 'rdefaultport.site.test':
      return redirect(302, `http://ok.site.test${FILE}`);
    case 'rhttps.site.test':
      return redirect(302, `https://secure.site.test:${httpsPort}${FILE}`);
    case 'rchain10.site.test':
      return redirect(302, '/chain/9');
    case 'rchain11.site.test':
      return redirect(302, '/chain/10');
    case 'rloop.site.test':
      return redirect(302, FILE);
    case 'rvalue.site.test':
      return redirect(302, `/.well-known/pki-validation/${VALUE}`);
    case 'rip.site.test':
      return redirect(302, `http://169.254.169.254:${httpPort}${FILE}`);
    case 'riploop.site.test':
      return redirect(302, `http://127.0.0.1:${httpPort}/chain/0`);
    case 'rinternal.site.test':
      return redirect(302, `http://internal.site.test:${httpPort}${FILE}`);
  }
  res.statusCode = 404;
  res.end('not found');
}

function options(extra: Partial<HttpCheckOptions> = {}): HttpCheckOptions {
  return { perspective, httpPort, httpsPort, allowPrivate: true, timeoutMs: 3_000, ...extra };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'http-check-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      join(tmp, 'key.pem'),
      '-out',
      join(tmp, 'cert.pem'),
      '-subj',
      '/CN=secure.site.test',
      '-addext',
      'subjectAltName=DNS:secure.site.test',
    ],
    { stdio: 'ignore' },
  );
  certPem = readFileSync(join(tmp, 'cert.pem'), 'utf8');

  web = http.createServer(handler);
  httpPort = await listen(web);
  tlsServer = https.createServer({ key: readFileSync(join(tmp, 'key.pem')), cert: certPem }, handler);
  httpsPort = await listen(tlsServer);

  const hosts = [
    'ok',
    'secure',
    'wrong',
    'error',
    'big',
    'bigdeclared',
    'hang',
    'r301',
    'r307',
    'r308',
    'r303',
    'rftp',
    'rport',
    'rdefaultport',
    'rhttps',
    'rchain10',
    'rchain11',
    'rloop',
    'rvalue',
    'rip',
    'missing',
    'nginx',
    'proxied',
  ];
  const records = [...hosts, 'rinternal', 'riploop'].map((h) => `${h} A 127.0.0.1`);
  // Resolves to a private address; the checker must refuse it without sending anything there.
  records.push('internal A 10.20.30.40');
  dns = await startBind9({ zones: [{ name: 'site.test', records }] });
  perspective = { name: 'loopback', resolvers: [dns.server] };
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  web?.closeAllConnections();
  tlsServer?.closeAllConnections();
  await Promise.all([close(web), close(tlsServer), dns?.stop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('checkFile against a Node HTTP server', () => {
  it('passes when the file holds the value (trailing newline ignored) and records the hop', async () => {
    const r = await checkFile('ok.site.test', VALUE, options());
    expect(r).toMatchObject({ perspective: 'loopback', code: 'passed', passed: true, expected: VALUE });
    expect(r.observed).toEqual(['HTTP 200', `body: "${VALUE}"`]);
    expect(r.hops).toEqual([{ url: `http://ok.site.test:${httpPort}${FILE}`, address: '127.0.0.1', status: 200 }]);
  });

  it('never puts the value in the request', async () => {
    requests.length = 0;
    await checkFile('ok.site.test', VALUE, options());
    expect(requests).toEqual([{ host: 'ok.site.test', url: FILE }]);
  });

  it('refuses a loopback address when allowPrivate is false, before connecting', async () => {
    requests.length = 0;
    const r = await checkFile('ok.site.test', VALUE, options({ allowPrivate: false }));
    expect(r.code).toBe('blocked_address');
    expect(r.observed).toEqual(['127.0.0.1']);
    expect(r.detail).toMatch(/127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(Loopback, RFC 1122/);
    expect(requests).toEqual([]);
  });

  it('checks every hop: a redirect to a blocked address is refused before connecting', async () => {
    // Only loopback is let through here, so the first hop works and a private second hop must not.
    const loopbackOnly = options({ allowPrivate: false, allowCidrs: ['127.0.0.0/8'] });
    const viaName = await checkFile('rinternal.site.test', VALUE, loopbackOnly);
    expect(viaName).toMatchObject({ code: 'blocked_address', observed: ['10.20.30.40'] });
    expect(viaName.detail).toMatch(/10\.20\.30\.40 is in 10\.0\.0\.0\/8 \(Private-Use, RFC 1918\)/);
    expect(viaName.hops?.map((h) => h.status)).toEqual([302, undefined]);
    const viaLiteral = await checkFile('rip.site.test', VALUE, loopbackOnly);
    expect(viaLiteral).toMatchObject({ code: 'blocked_address', observed: ['169.254.169.254'] });
    // The same redirect to a literal loopback address is followed when loopback is allowed.
    const allowed = await checkFile('riploop.site.test', VALUE, loopbackOnly);
    expect(allowed.code).toBe('passed');
    expect(allowed.hops?.map((h) => h.url)).toEqual([`http://riploop.site.test:${httpPort}${FILE}`, `http://127.0.0.1:${httpPort}/chain/0`]);
  });

  it('reports file_not_found on 404', async () => {
    const r = await checkFile('missing.site.test', VALUE, options());
    expect(r).toMatchObject({ code: 'file_not_found', observed: ['HTTP 404'] });
  });

  it('reports file_content_mismatch with a short, escaped excerpt', async () => {
    const r = await checkFile('wrong.site.test', VALUE, options());
    expect(r.code).toBe('file_content_mismatch');
    expect(r.observed).toEqual(['HTTP 200', 'body: "not-the-value\\x00with a control character"']);
  });

  it('reports http_error on a 5xx status', async () => {
    const r = await checkFile('error.site.test', VALUE, options());
    expect(r).toMatchObject({ code: 'http_error', observed: ['HTTP 500'] });
  });

  it('reports body_too_large for a long chunked body and for a large Content-Length', async () => {
    expect((await checkFile('big.site.test', VALUE, options())).code).toBe('body_too_large');
    expect((await checkFile('bigdeclared.site.test', VALUE, options())).code).toBe('body_too_large');
    expect((await checkFile('big.site.test', VALUE, options({ maxBodyBytes: 10_000 }))).code).toBe('file_content_mismatch');
  });

  it('reports timeout when the server never answers', async () => {
    const started = Date.now();
    const r = await checkFile('hang.site.test', VALUE, options({ timeoutMs: 400 }));
    expect(r.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('bounds the whole redirect chain, not only each request', async () => {
    const started = Date.now();
    const r = await checkFile('ok.site.test', VALUE, options({ path: '/slow/9', totalTimeoutMs: 1_000 }));
    expect(r).toMatchObject({ code: 'timeout', detail: 'The redirects did not end in a file within 1000 ms.' });
    expect(Date.now() - started).toBeLessThan(2_500);
    // With time enough, the same chain ends in the file.
    expect((await checkFile('ok.site.test', VALUE, options({ path: '/slow/3' }))).code).toBe('passed');
  });

  it('reports connection_refused when nothing listens on the port', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await close(closed);
    const r = await checkFile('ok.site.test', VALUE, options({ httpPort: port }));
    expect(r.code).toBe('connection_refused');
  });

  it('reports dns_error when the host has no address', async () => {
    const r = await checkFile('nohost.site.test', VALUE, options());
    expect(r.code).toBe('dns_error');
    expect(r.detail).toMatch(/no A or AAAA/);
  });

  it('refuses wildcard names', async () => {
    const r = await checkFile('*.site.test', VALUE, options());
    expect(r.passed).toBe(false);
    expect(r.detail).toMatch(/wildcard/);
  });

  describe('redirects', () => {
    it('follows 301, 307 and 308 (relative Location too)', async () => {
      for (const host of ['r301.site.test', 'r307.site.test', 'r308.site.test']) {
        const r = await checkFile(host, VALUE, options());
        expect({ host, code: r.code, hops: r.hops?.length }).toEqual({ host, code: 'passed', hops: 2 });
      }
    });

    it('follows exactly 10 redirects and refuses the 11th', async () => {
      const ten = await checkFile('rchain10.site.test', VALUE, options());
      expect(ten.code).toBe('passed');
      expect(ten.hops).toHaveLength(11);
      const eleven = await checkFile('rchain11.site.test', VALUE, options());
      expect(eleven.code).toBe('too_many_redirects');
      expect(eleven.hops).toHaveLength(11);
    });

    it('refuses 303', async () => {
      const r = await checkFile('r303.site.test', VALUE, options());
      expect(r).toMatchObject({ code: 'redirect_not_allowed', observed: ['HTTP 303'] });
    });

    it('refuses other schemes', async () => {
      const r = await checkFile('rftp.site.test', VALUE, options());
      expect(r.code).toBe('redirect_not_allowed');
      expect(r.detail).toMatch(/ftp/);
    });

    it('refuses ports other than the authorized ones', async () => {
      const r = await checkFile('rport.site.test', VALUE, options());
      expect(r.code).toBe('redirect_not_allowed');
      expect(r.detail).toMatch(new RegExp(`port ${httpPort + 1}`));
      // With the test override in place, the scheme's default port is not authorized either.
      expect((await checkFile('rdefaultport.site.test', VALUE, options())).code).toBe('redirect_not_allowed');
    });

    it('refuses loops and targets containing the random value', async () => {
      expect((await checkFile('rloop.site.test', VALUE, options())).detail).toMatch(/loop/);
      const r = await checkFile('rvalue.site.test', VALUE, options());
      expect(r.code).toBe('redirect_not_allowed');
      expect(r.detail).toMatch(/random value/);
    });

    it('follows http → https on the authorized port without verifying the certificate by default', async () => {
      const r = await checkFile('rhttps.site.test', VALUE, options());
      expect(r.code).toBe('passed');
      expect(r.hops?.[1].url).toBe(`https://secure.site.test:${httpsPort}${FILE}`);
    });

    it('reports tls_error when verification is on and the certificate is untrusted, passes with its CA', async () => {
      const untrusted = await checkFile('rhttps.site.test', VALUE, options({ tls: { verify: true } }));
      expect(untrusted.code).toBe('tls_error');
      const trusted = await checkFile('rhttps.site.test', VALUE, options({ tls: { verify: true, ca: certPem } }));
      expect(trusted.code).toBe('passed');
    });

    it('reports tls_error when an https port speaks plain HTTP', async () => {
      const r = await checkFile('ok.site.test', VALUE, options({ scheme: 'https', httpsPort: httpPort }));
      expect(r.code).toBe('tls_error');
    });
  });
});

describe('checkFile through nginx', () => {
  let nginx: NginxServer;
  let upstream: http.Server;
  let upstreamPort: number;
  let docroot: string;
  const upstreamRequests: Array<{ url?: string; host?: string }> = [];

  beforeAll(async () => {
    docroot = mkdtempSync(join(tmpdir(), 'docroot-'));
    mkdirSync(join(docroot, '.well-known/pki-validation'), { recursive: true });
    writeFileSync(join(docroot, '.well-known/pki-validation/fileauth.txt'), `${VALUE}\n`);
    upstream = http.createServer((req, res) => {
      upstreamRequests.push({ url: req.url, host: req.headers.host });
      if (req.url === FILE) return void res.end(VALUE);
      res.statusCode = 404;
      res.end();
    });
    upstreamPort = await listen(upstream);
    nginx = await startNginx({
      servers: [
        { kind: 'static', root: docroot },
        { kind: 'proxy', upstream: `http://127.0.0.1:${upstreamPort}/.well-known/pki-validation/` },
      ],
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    await close(upstream);
    if (docroot) rmSync(docroot, { recursive: true, force: true });
  });

  it('passes for a file served from the docroot', async () => {
    const r = await checkFile('nginx.site.test', VALUE, options({ httpPort: nginx.servers[0].port }));
    expect(r.code).toBe('passed');
  });

  it('reports file_not_found when the docroot lacks the file', async () => {
    rmSync(join(docroot, '.well-known/pki-validation/fileauth.txt'));
    try {
      const r = await checkFile('nginx.site.test', VALUE, options({ httpPort: nginx.servers[0].port }));
      expect(r.code).toBe('file_not_found');
    } finally {
      writeFileSync(join(docroot, '.well-known/pki-validation/fileauth.txt'), `${VALUE}\n`);
    }
  });

  it('passes through the reverse proxy, which asks the upstream for the same path', async () => {
    upstreamRequests.length = 0;
    const r = await checkFile('proxied.site.test', VALUE, options({ httpPort: nginx.servers[1].port }));
    expect(r.code).toBe('passed');
    expect(upstreamRequests).toEqual([{ url: FILE, host: 'proxied.site.test' }]);
  });

  it('reports file_content_mismatch when the upstream answers another value', async () => {
    const r = await checkFile('proxied.site.test', 'another-value', options({ httpPort: nginx.servers[1].port }));
    expect(r.code).toBe('file_content_mismatch');
  });
});
