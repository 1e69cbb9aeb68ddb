import fc from 'fast-check';
import { Contract } from '../support/contract';
import { approvedAdministrator, startHarness, type Api, type Harness } from '../support/harness';
import { arbitraryOf, insertAt, ODD_CHARACTER } from '../support/schema-arbitrary';

/**
 * Property-based fuzz of every operation of /openapi.json, driven by the document itself (issue 7, item
 * 12): for each operation, requests with valid and invalid path parameters, query parameters, keys,
 * Idempotency-Keys and bodies (the document's examples, mutated; values generated from the body's
 * schema; any JSON; malformed, oversized, non-UTF-8 and non-JSON bodies). No answer may be a 5xx, and
 * every answer must be one the document declares for the operation (test/support/contract.ts). A new
 * operation is fuzzed as soon as it is in the document.
 *
 * FUZZ_RUNS sets the requests per operation (default 50: about half a minute on two cores); FUZZ_SEED
 * replays a run (fast-check prints the seed and the shrunk request of a failure).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
jest.setTimeout(Math.max(240_000, RUNS * 20_000));

let harness: Harness;
let contract: Contract;
let keys: { customer: Api; reviewer: Api; other: Api };
/**
 * Ids of real objects by what a path parameter names (the path segment before it), the customer's own
 * first. A parameter of a resource not listed gets random UUIDs: add the resource's fixtures in beforeAll
 * so the fuzz also reaches its successful answers.
 */
const known: Record<string, string[]> = {};
const labels: string[] = [];
/**
 * Bodies that name real objects, by operation: the document's examples name ids no account has, so without
 * these an operation whose body names another object (an event to redeliver) would never get past its 400.
 */
const knownBodies: Record<string, unknown[]> = {};
/** What must be so before an operation with known bodies runs, so that they can succeed (the endpoint enabled, an earlier PATCH may have disabled it). */
const prepare: Record<string, () => Promise<void>> = {
  redeliverWebhookEvent: async () => {
    expect((await keys.customer.request('PATCH', `/v1/webhooks/${known.webhooks[0]}`, { enabled: true })).status).toBe(200);
  },
};

beforeAll(async () => {
  // A long deadline: a slow machine must not turn into a 503 that the fuzz would report.
  harness = await startHarness({ env: { REQUEST_DEADLINE: '30s' } });
  contract = new Contract();
  keys = { customer: await harness.customer('Fuzzed'), reviewer: await harness.reviewer('Fuzz reviewer'), other: await harness.customer('Other') };
  const { organizationId, administratorId } = await approvedAdministrator(keys.customer, keys.reviewer);
  const other = await approvedAdministrator(keys.other, keys.reviewer);
  const provider = await keys.customer.request('POST', '/v1/dns-providers', {
    kind: 'dnspod',
    name: 'DNSPod',
    tokenId: '123456',
    token: '0123456789abcdef0123456789abcdef',
  });
  const domains = [];
  for (const [name, extra] of [
    ['fuzz.example.com', { autoValidation: false, method: 'dns' }],
    ['files.example.com', { method: 'file' }],
  ] as const) {
    const created = await keys.customer.request('POST', `/v1/administrators/${administratorId}/domains`, { domain: name, ...extra });
    expect([created.status, created.body.detail]).toEqual([201, undefined]);
    domains.push(created.body);
  }
  const upstream = domains.map((d) => d.instructions?.proxy?.upstream).find(Boolean);
  if (upstream) labels.push(/\/dcv\/([^/]+)\//.exec(upstream)?.[1] ?? '');
  known.organizations = [organizationId, other.organizationId];
  known.administrators = [administratorId, other.administratorId];
  known.domains = domains.map((d) => d.id);
  known['dns-providers'] = [provider.body.id];
  // A webhook whose URL no delivery reaches (nothing listens there), with a test message queued: its delivery.
  const webhook = await keys.customer.request('POST', '/v1/webhooks', { url: 'https://hooks.fuzz.example.com/in', eventTypes: ['domain.added'] });
  expect([webhook.status, webhook.body.detail]).toEqual([201, undefined]);
  const test = await keys.customer.request('POST', `/v1/webhooks/${webhook.body.id}/test`);
  expect([test.status, test.body.detail]).toEqual([202, undefined]);
  known.webhooks = [webhook.body.id];
  known.deliveries = [test.body.id];
  const events = await keys.customer.request('GET', '/v1/events?limit=5');
  expect(events.body.items.length).toBeGreaterThan(0);
  knownBodies.redeliverWebhookEvent = events.body.items.map((e: { id: string }) => ({ eventId: e.id }));
}, 120_000);
afterAll(async () => {
  // FUZZ_REPORT=1: which statuses each operation answered (to see what a run reached).
  if (process.env.FUZZ_REPORT) console.log([...answered].map(([id, statuses]) => `${id}: ${JSON.stringify(Object.fromEntries(statuses))}`).join('\n'));
  await harness?.stop();
});
const answered = new Map<string, Map<number, number>>();

interface FuzzRequest {
  path: string;
  key: 'right' | 'none' | 'wrong' | 'garbage';
  headers: Record<string, string>;
  body?: string | Uint8Array;
  contentType?: string;
}

const GARBAGE_IDS = ['not-a-uuid', '00000000-0000-0000-0000-000000000000', '%00', '%2e%2e', 'a'.repeat(300), "1'; drop table organizations;--"];

function pathParameter(template: string, name: string): fc.Arbitrary<string> {
  const segments = template.split('/');
  const resource = segments[segments.indexOf(`{${name}}`) - 1];
  const real = name === 'label' ? labels : (known[resource] ?? []);
  return fc.oneof(
    { weight: 4, arbitrary: real.length ? fc.constantFrom(...real) : fc.uuid() },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.constantFrom(...GARBAGE_IDS).map(encodeURIComponent) },
    // Sent as they are: percent-encodings that do not decode to UTF-8 (a byte alone, a surrogate, an overlong form, a bare %).
    { weight: 1, arbitrary: fc.constantFrom('%ff', '%ED%A0%80', '%c0%af', '%', 'a%2') },
    // Not '' nor the dot-segments `.` and `..` (the client removes them, RFC 3986 §5.2.4): those reach another path.
    {
      weight: 1,
      arbitrary: fc
        .string({ maxLength: 40 })
        .filter((v) => v !== '' && v !== '.' && v !== '..')
        .map(encodeURIComponent),
    },
  );
}

function queryValue(schema: any): fc.Arbitrary<string> {
  const valid =
    schema.type === 'integer'
      ? fc.integer({ min: (schema.minimum ?? 0) - 3, max: (schema.maximum ?? 1000) + 3 }).map(String)
      : schema.enum
        ? fc.constantFrom(...schema.enum.map(String))
        : fc.string({ maxLength: 30 });
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom('', '0x10', '1e2', ' 5', '-1', '+5', '5.0', 'null', 'x'.repeat(250)) },
  );
}

/** A body too large to print in a counterexample: shown by its size. */
const large = (contentType: string, body: string) => ({ body, contentType, [fc.toStringMethod]: () => `{ ${body.length} characters of ${contentType} }` });

/** Bodies: mostly near-valid (the examples, mutated) and schema-generated, then broken ones of every kind. */
function bodyOf(operation: any, document: any): fc.Arbitrary<Pick<FuzzRequest, 'body' | 'contentType'>> {
  const real = knownBodies[operation.operationId] ?? [];
  const media = operation.requestBody?.content?.['application/json'];
  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
  if (!media) {
    // An operation without a body does not read one: what is sent must change nothing about the answer.
    return fc.oneof(fc.constant({}), fc.constantFrom({ body: '{', contentType: 'application/json' }, large('text/plain', 'x'.repeat(70_000))));
  }
  const examples = Object.values<any>(media.examples ?? {}).map((e) => e.value);
  const mutated = fc
    .tuple(fc.constantFrom(...examples), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), fc.nat(), fc.boolean())
    .map(([example, key, value, index, remove]) => {
      const copy = structuredClone(example) as Record<string, unknown>;
      const target = Object.values(copy).find((v) => typeof v === 'object' && v !== null && !Array.isArray(v)) as Record<string, unknown> | undefined;
      const object = index % 2 === 0 || !target ? copy : target;
      const names = Object.keys(object);
      const name = names.length && index % 3 !== 0 ? names[index % names.length] : key;
      if (remove) delete object[name];
      else object[name] = value;
      return copy;
    });
  // An example with an odd character (an unpaired surrogate, a control, an invisible one) in one of its strings.
  const oddened = fc.tuple(fc.constantFrom(...examples), fc.nat(), fc.nat(), ODD_CHARACTER).map(([example, pick, at, odd]) => {
    const copy = structuredClone(example) as Record<string, unknown>;
    const fields = stringFieldsOf(copy);
    if (fields.length) {
      const [object, name] = fields[pick % fields.length];
      object[name] = insertAt(object[name] as string, odd, at);
    }
    return copy;
  });
  return fc.oneof(
    ...(real.length ? [{ weight: 8, arbitrary: fc.constantFrom(...real).map(json) }] : []),
    { weight: 2, arbitrary: fc.constantFrom(...examples).map(json) },
    { weight: 4, arbitrary: mutated.map(json) },
    { weight: 2, arbitrary: oddened.map(json) },
    { weight: 4, arbitrary: arbitraryOf(media.schema, document).map(json) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Pick<FuzzRequest, 'body' | 'contentType'>>(
        { body: '{"organization": ', contentType: 'application/json' },
        { body: '', contentType: 'application/json' },
        { body: 'null', contentType: 'application/json' },
        { body: 'name=x', contentType: 'application/x-www-form-urlencoded' },
        { body: '{}', contentType: 'application/json; charset=latin1' },
        { body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), contentType: 'application/json' },
        large('application/json', JSON.stringify({ pad: 'x'.repeat(70_000) })),
      ),
    },
  );
}

/** Where `value` holds a string: each object and the name of its string member, at any depth. */
function stringFieldsOf(value: unknown): Array<[Record<string, unknown>, string]> {
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  return Object.entries(object).flatMap(([name, member]) =>
    typeof member === 'string' ? [[object, name] as [Record<string, unknown>, string]] : stringFieldsOf(member),
  );
}

function requestOf(template: string, operation: any, document: any): fc.Arbitrary<FuzzRequest> {
  const parameters: any[] = operation.parameters ?? [];
  const pathArbitraries = parameters.filter((p) => p.in === 'path').map((p) => pathParameter(template, p.name).map((v) => [p.name, v] as const));
  const query = parameters
    .filter((p) => p.in === 'query')
    .map((p) =>
      fc.option(
        queryValue(p.schema).map((v) => `${p.name}=${encodeURIComponent(v)}`),
        { nil: undefined, freq: 2 },
      ),
    );
  const idempotencyKey = parameters.some((p) => p.name === 'Idempotency-Key')
    ? fc.option(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 300 }), { nil: undefined })
    : fc.constant(undefined);
  const key = operation.security?.length
    ? fc.oneof(
        { weight: 8, arbitrary: fc.constant('right' as const) },
        { weight: 1, arbitrary: fc.constantFrom('none' as const, 'wrong' as const, 'garbage' as const) },
      )
    : fc.constant('none' as const);
  return fc.record({ path: fc.tuple(...pathArbitraries), query: fc.tuple(...query), idempotencyKey, key, body: bodyOf(operation, document) }).map((r) => {
    let path = template;
    for (const [name, value] of r.path) path = path.replace(`{${name}}`, value);
    const search = r.query.filter(Boolean).join('&');
    return {
      path: search ? `${path}?${search}` : path,
      key: r.key,
      headers: (r.idempotencyKey === undefined ? {} : { 'idempotency-key': r.idempotencyKey }) as Record<string, string>,
      ...r.body,
    };
  });
}

async function send(method: string, operation: any, request: FuzzRequest) {
  const scheme = Object.keys(operation.security?.[0] ?? {})[0];
  const right = scheme === 'reviewerKey' ? keys.reviewer.key : keys.customer.key;
  const wrong = scheme === 'reviewerKey' ? keys.customer.key : keys.reviewer.key;
  const authorization = { right: `Bearer ${right}`, wrong: `Bearer ${wrong}`, garbage: 'Bearer cps_ck_not-a-key', none: undefined }[request.key];
  const response = await fetch(`${harness.baseUrl}${request.path}`, {
    method: method.toUpperCase(),
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(request.contentType ? { 'content-type': request.contentType } : {}),
      ...request.headers,
    },
    body: method === 'get' ? undefined : request.body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const document = new Contract().document as any;
// Deletes last, so the other operations meet the objects they take away.
const operations = Object.entries<any>(document.paths)
  .flatMap(([template, item]) => Object.entries<any>(item).map(([method, operation]) => ({ template, method, operation })))
  .sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));

describe.each(operations)('$method $template', ({ template, method, operation }) => {
  test(`${operation.operationId}: no 5xx, every answer in the document`, async () => {
    await prepare[operation.operationId]?.();
    await fc.assert(
      fc.asyncProperty(requestOf(template, operation, document), async (request) => {
        const response = await send(method, operation, request);
        const statuses = answered.get(operation.operationId) ?? answered.set(operation.operationId, new Map()).get(operation.operationId)!;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500) throw new Error(`${method.toUpperCase()} ${request.path} answered ${response.status}: ${response.text.slice(0, 500)}`);
        contract.assert({ method, path: request.path, ...response });
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // With bodies that name real objects, the fuzz reaches the operation's success too, not only its refusals.
    if (knownBodies[operation.operationId] && RUNS >= 20) {
      expect([...answered.get(operation.operationId)!.keys()].some((status) => status >= 200 && status < 300)).toBe(true);
    }
  });
});
