import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../../src/temporal/ids';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/payload-codec';
import { ADMINISTRATOR, ORGANIZATION, startHarness, type Api, type Harness } from '../support/harness';

const UI = 'http://temporal-ui.test:8233';
const EDITED_PHONE = '137 5555 6666';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

let harness: Harness;
let customer: Api;
let reviewer: Api;
let administratorId: string;
/** The administrator workflow's history as the Temporal UI sends it to a codec server: proto3 JSON, bytes in base64. */
let storedPayloads: JsonPayload[];

beforeAll(async () => {
  harness = await startHarness({ env: { TEMPORAL_UI_ORIGIN: UI } });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
  const organization = (await customer.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR })).body;
  administratorId = organization.administrators[0].id;
  expect((await customer.request('PATCH', `/v1/administrators/${administratorId}`, { phone: EDITED_PHONE })).status).toBe(200);
  const raw = new Client({ connection: harness.client.connection });
  const history = await raw.workflow.getHandle(workflowIdFor('administrator', administratorId)).fetchHistory();
  const found: JsonPayload[] = [];
  const collect = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    if ('metadata' in value && 'data' in value) {
      found.push(temporal.api.common.v1.Payload.toObject(value as temporal.api.common.v1.Payload, { bytes: String }) as JsonPayload);
    } else Object.values(value).forEach(collect);
  };
  collect(history);
  storedPayloads = found;
});
afterAll(async () => harness?.stop());

function codec(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${harness.baseUrl}/codec/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI, authorization: `Bearer ${reviewer.key}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /codec/decode and /codec/encode (Temporal codec-server protocol)', () => {
  test("a reviewer's key opens a stored history for the Temporal UI; clear payloads pass through", async () => {
    const sealed = storedPayloads.filter((p) => unb64(p.metadata!.encoding) === ENCRYPTED_ENCODING);
    expect(sealed.length).toBeGreaterThan(3);
    expect(JSON.stringify(storedPayloads)).not.toContain('8613755556666');

    const response = await codec('decode', { payloads: storedPayloads });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toMatch(/Origin/);
    const { payloads } = (await response.json()) as { payloads: JsonPayload[] };
    expect(payloads).toHaveLength(storedPayloads.length);
    for (const [index, payload] of payloads.entries()) {
      expect(unb64(payload.metadata!.encoding)).not.toBe(ENCRYPTED_ENCODING);
      // Search attributes and patch markers were never encrypted: they come back exactly as they went.
      if (unb64(storedPayloads[index].metadata!.encoding) !== ENCRYPTED_ENCODING) expect(payload).toEqual(storedPayloads[index]);
    }
    const opened = payloads.map((p) => (p.data ? unb64(p.data) : '')).join('\n');
    expect(opened).toContain('+8613755556666'); // the edit's argument
    expect(opened).toContain(`Administrator ${administratorId} of organization`); // the summary
  });

  test('encode seals with the current key, and decode opens it again', async () => {
    const value = { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify({ note: 'signal from the UI' })) }] };
    const encoded = (await (await codec('encode', value)).json()) as { payloads: JsonPayload[] };
    expect(encoded.payloads).toHaveLength(1);
    expect(unb64(encoded.payloads[0].metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(unb64(encoded.payloads[0].metadata![KEY_ID_METADATA])).toBe(harness.codec.currentKeyId);
    expect(unb64(encoded.payloads[0].data!)).not.toContain('signal from the UI');
    const decoded = await codec('decode', encoded);
    expect(await decoded.json()).toEqual(value);
  });

  test('payloads larger than the API body limit (64 kB) are served', async () => {
    const big = { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify('x'.repeat(300_000))) }] };
    const encoded = await codec('encode', big);
    expect(encoded.status).toBe(200);
    expect(await (await codec('decode', await encoded.json())).json()).toEqual(big);
  });

  test('the Temporal CLI reads a sealed history through the endpoint (--codec-endpoint, --codec-auth)', async () => {
    // Asynchronously: this process serves the codec endpoint the CLI calls.
    const show = async (extra: string[]) =>
      (
        await promisify(execFile)(
          process.env.TEST_TEMPORAL_CLI!,
          [
            'workflow',
            'show',
            '--output',
            'json',
            '--address',
            process.env.TEST_TEMPORAL_ADDRESS!,
            '-w',
            workflowIdFor('administrator', administratorId),
            ...extra,
          ],
          { encoding: 'utf8', timeout: 30_000 },
        )
      ).stdout;
    // Proto JSON: payload data in base64, read here as text.
    const dataOf = (json: string) => [...json.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => unb64(m[1])).join('\n');
    const sealed = await show([]);
    expect(sealed).toContain(b64(ENCRYPTED_ENCODING));
    expect(dataOf(sealed)).not.toContain('+8613755556666');
    const opened = await show(['--codec-endpoint', `${harness.baseUrl}/codec`, '--codec-auth', `Bearer ${reviewer.key}`]);
    expect(opened).not.toContain(b64(ENCRYPTED_ENCODING));
    expect(dataOf(opened)).toContain('+8613755556666');
  });
});

describe('who may call it', () => {
  test('no key or an unknown key is 401, a customer key 403; the body is not read before', async () => {
    for (const [headers, status] of [
      [{ authorization: '' }, 401],
      [{ authorization: 'Bearer cps_rk_not-a-key' }, 401],
      [{ authorization: `Bearer ${customer.key}` }, 403],
    ] as const) {
      const response = await codec('decode', '{not json', headers);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // The UI can read why (CORS headers on refusals too).
      expect(response.headers.get('access-control-allow-origin')).toBe(UI);
      if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  test('CORS preflight is answered for the configured UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${harness.baseUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
    const allowed = await preflight(UI);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/);
    const allowedHeaders = allowed.headers.get('access-control-allow-headers')!.toLowerCase().split(/,\s*/);
    expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-namespace']));
    expect(allowed.headers.get('vary')).toMatch(/Origin/);

    // The default origin is replaced by TEMPORAL_UI_ORIGIN, not added to.
    for (const origin of ['http://localhost:8233', 'https://attacker.example', 'http://temporal-ui.test:8234', 'null']) {
      const refused = await preflight(origin);
      expect([origin, refused.status]).toEqual([origin, 403]);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-headers')).toBeNull();
    }
  });

  test('a request from another origin is refused even with a valid key', async () => {
    const response = await codec('decode', { payloads: storedPayloads }, { origin: 'https://attacker.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(JSON.stringify(await response.json())).not.toContain(b64('json/plain'));
  });
});

describe('bad requests are named', () => {
  test.each([
    ['a payload field that is not base64', 'payloads.0.data', { payloads: [{ data: 'not base64!' }] }],
    ['a metadata value that is not base64', 'payloads.0.metadata.encoding', { payloads: [{ metadata: { encoding: 'json plain' } }] }],
    ['no payloads', 'payloads', {}],
    ['payloads not a list', 'payloads', { payloads: 'all' }],
    ['an unknown top-level field', '(body)', { payloads: [], extra: 1 }],
  ])('%s: 400 naming %s', async (_what, field, body) => {
    const response = await codec('decode', body);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test('a payload sealed with a key this service does not hold: 400 naming the payload and the key', async () => {
    const sealed = storedPayloads.find((p) => unb64(p.metadata!.encoding) === ENCRYPTED_ENCODING)!;
    const foreign = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: b64('retired-2019') } };
    const response = await codec('decode', { payloads: [sealed, foreign] });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([
      { field: 'payloads.1', message: expect.stringContaining('payload encrypted with key "retired-2019", which is not configured') },
    ]);
  });

  test('a tampered payload: 400, never garbage', async () => {
    const sealed = storedPayloads.find((p) => unb64(p.metadata!.encoding) === ENCRYPTED_ENCODING)!;
    const bytes = Buffer.from(sealed.data!, 'base64');
    bytes[20] ^= 1;
    const response = await codec('decode', { payloads: [{ ...sealed, data: bytes.toString('base64') }] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/^payloads\.0: .*failed authentication/);
  });

  test('malformed base64 answers 400 naming the field (found by the contract fuzz: it was a 500); URL-safe base64 is read as proto3 JSON allows', async () => {
    for (const [payload, field] of [
      [{ metadata: { encoding: b64('json/plain') }, data: 'w8/==' }, 'payloads.0.data'],
      [{ metadata: { encoding: '=' }, data: b64('1') }, 'payloads.0.metadata.encoding'],
      [{ metadata: { encoding: b64('json/plain') }, data: 'abcde' }, 'payloads.0.data'],
    ] as const) {
      const response = await codec('encode', { payloads: [payload] });
      expect([response.status, ((await response.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)]).toEqual([400, [field]]);
    }
    const urlSafe = Buffer.from([0xfb, 0xff, 0xbf]).toString('base64url');
    const response = await codec('encode', { payloads: [{ metadata: { encoding: b64('binary/plain') }, data: urlSafe }] });
    expect(response.status).toBe(200);
    const [sealed] = ((await response.json()) as { payloads: JsonPayload[] }).payloads;
    const opened = await codec('decode', { payloads: [sealed] });
    expect(((await opened.json()) as { payloads: JsonPayload[] }).payloads[0].data).toBe(Buffer.from([0xfb, 0xff, 0xbf]).toString('base64'));
  });

  test('a body that is not JSON: 415; malformed JSON: 400; other methods: 405', async () => {
    expect((await codec('decode', 'payloads', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await codec('decode', '{"payloads": [')).status).toBe(400);
    const get = await fetch(`${harness.baseUrl}/codec/decode`, { headers: { authorization: `Bearer ${reviewer.key}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
