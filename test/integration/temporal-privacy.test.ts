import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { workflowIdFor } from '../../src/temporal/ids';
import { ENCRYPTED_ENCODING } from '../../src/temporal/payload-codec';
import { eventually, ORGANIZATION, startHarness, type Api, type Harness } from '../support/harness';

/** Personal data no one else sends, so finding it cannot be chance (ciphertext read as text included). */
const FIRST = { firstName: 'Zhenyuan', lastName: 'Quokkaberg', position: 'CTO', phone: '139 1234 5678', email: 'Zhenyuan.Quokkaberg@Acme-Privacy.CN' };
const SECOND = { firstName: 'Xiaoxue', lastName: 'Wombatsson', position: 'CISO', phone: '186 2222 3333', email: 'xiaoxue.wombatsson@acme-privacy.cn' };
const EDITED = { lastName: 'Pangolinova', phone: '137 5555 6666' };
const ORG = { ...ORGANIZATION, address: '88 Kangaroo Lane, Chaoyang District', landline: '010 8765 4321' };

/** Each person's name, email and phone (national digits and E.164), and the organization's street address and landline. */
const PERSONAL_DATA = [
  ...[FIRST, SECOND].flatMap((p) => [p.firstName, p.lastName, p.email.toLowerCase()]),
  EDITED.lastName,
  ...[FIRST.phone, SECOND.phone, EDITED.phone, ORG.landline].flatMap((phone) => {
    const national = phone.replace(/\D/g, '').replace(/^0/, '');
    return [national, `86${national}`];
  }),
  ORG.address,
  'Kangaroo Lane',
];

/**
 * Everything the value holds that Temporal could index or show: its strings, and its bytes read as
 * UTF-8 and as Latin-1 (payload data, search attribute values, user metadata), lower-cased.
 */
function textOf(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value.toLowerCase()];
  if (typeof value !== 'object') return [String(value)];
  if (seen.has(value)) return [];
  seen.add(value);
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value);
    return [bytes.toString('utf8').toLowerCase(), bytes.toString('latin1').toLowerCase()];
  }
  return Object.entries(value).flatMap(([key, v]) => [key.toLowerCase(), ...textOf(v, seen)]);
}

/** Every Payload (an object with `metadata.encoding`) inside a history, with its path. */
function payloadsOf(value: unknown, path = 'history', found: { path: string; payload: Payload }[] = []): { path: string; payload: Payload }[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const candidate = value as Payload;
  if (candidate.metadata && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) found.push({ path, payload: candidate });
  else for (const [key, v] of Object.entries(value)) payloadsOf(v, `${path}.${key}`, found);
  return found;
}

let harness: Harness;
let customer: Api;
let reviewer: Api;
let ids: { organization: string; first: string; second: string };

beforeAll(async () => {
  harness = await startHarness();
  customer = await harness.customer();
  reviewer = await harness.reviewer();
  const created = await customer.request('POST', '/v1/organizations', { organization: ORG, administrator: FIRST });
  expect(created.status).toBe(201);
  const second = await customer.request('POST', `/v1/organizations/${created.body.id}/administrators`, SECOND);
  expect(second.status).toBe(201);
  ids = { organization: created.body.id, first: created.body.administrators[0].id, second: second.body.id };

  // Personal data in update inputs and results: an edit, a reviewer's records, notes and reasons.
  expect((await customer.request('PATCH', `/v1/administrators/${ids.first}`, EDITED)).status).toBe(200);
  const approved = await reviewer.request('POST', `/v1/reviews/organizations/${ids.organization}/decision`, {
    decision: 'approve',
    callback: {
      number: ORG.landline,
      calledAt: new Date().toISOString(),
      outcome: 'answered',
      answeredBy: { name: `${FIRST.firstName} ${FIRST.lastName}`, role: FIRST.position },
      note: `${FIRST.firstName} ${FIRST.lastName} answered on ${ORG.landline}`,
    },
  });
  expect(approved.status).toBe(200);
  const rejected = await reviewer.request('POST', `/v1/reviews/administrators/${ids.second}/decision`, {
    decision: 'reject',
    reason: `${SECOND.email} bounced; ${SECOND.phone} is not ${SECOND.firstName}'s`,
    verification: { method: 'email', contact: SECOND.email, contactedAt: new Date().toISOString(), outcome: 'no_response' },
  });
  expect(rejected.status).toBe(200);
});
afterAll(async () => harness?.stop());

const workflowIds = () => [
  workflowIdFor('organization', ids.organization),
  workflowIdFor('administrator', ids.first),
  workflowIdFor('administrator', ids.second),
];

/**
 * What an operator's client without the codec reads of these workflows (their histories and descriptions:
 * what the Temporal server stores and shows), after checking that every payload is sealed but those
 * Temporal must read itself (each workflow with more than `minSealed` sealed). Returns the text and how many
 * payloads there were.
 */
async function readWithoutCodec(ids: string[], options: { requestIds: boolean; minSealed: number }): Promise<{ seen: string[]; payloadCount: number }> {
  const raw = new Client({ connection: harness.client.connection });
  const seen: string[] = [];
  let payloadCount = 0;
  for (const workflowId of ids) {
    const handle = raw.workflow.getHandle(workflowId);
    const history = await handle.fetchHistory();
    const payloads = payloadsOf(history);
    payloadCount += payloads.length;
    // Every payload is sealed: inputs, results, update arguments, summaries.
    // Every payload is sealed (inputs, results, update arguments, summaries), except what Temporal
    // must read itself: search attribute values (indexed) and the SDK's own patch markers, and the
    // request id headers (an id the logs carry, nothing else).
    const clear = payloads.filter(({ payload }) => Buffer.from(payload.metadata!.encoding!).toString() !== ENCRYPTED_ENCODING);
    for (const { path, payload } of clear) {
      expect(path).toMatch(
        /(\.searchAttributes\.indexedFields\.[A-Za-z]+|\.markerRecordedEventAttributes\.details\.patch-data\.payloads\.\d+|\.header\.fields\.request-id)$/,
      );
      if (path.endsWith('.request-id')) expect(JSON.parse(Buffer.from(payload.data!).toString())).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(payloads.length - clear.length).toBeGreaterThan(options.minSealed);
    // The request ids travel with the workflow's start and messages (the harness's API sets them).
    if (options.requestIds) expect(clear.some(({ path }) => path.endsWith('.header.fields.request-id'))).toBe(true);
    seen.push(workflowId, ...textOf(history), ...textOf((await handle.describe()).raw));
  }
  return { seen, payloadCount };
}

test('histories, summaries, search attributes and memo read without the codec hold no personal data', async () => {
  for (const workflowId of workflowIds()) expect(workflowId).toMatch(/^(organization|administrator):[0-9a-f-]{36}$/);
  const { seen, payloadCount } = await readWithoutCodec(workflowIds(), { requestIds: true, minSealed: 5 });
  const raw = new Client({ connection: harness.client.connection });
  for await (const execution of raw.workflow.list({ query: `AccountId = "${customer.id}"` })) {
    seen.push(execution.workflowId, ...textOf(execution.raw), ...textOf(execution.searchAttributes), ...textOf(execution.memo));
  }
  expect(payloadCount).toBeGreaterThan(20);
  const haystack = seen.join('\n');
  // What the reader should find is there (so the search looks at the right things)...
  for (const expected of [
    ids.organization,
    ids.first,
    customer.id,
    'accountid',
    'entitystatus',
    'organizationworkflow',
    'organizationname',
    ORG.name.toLowerCase(),
  ])
    expect(haystack).toContain(expected);
  // ...and no personal data at all.
  for (const needle of PERSONAL_DATA) expect({ needle, found: haystack.includes(needle.toLowerCase()) }).toEqual({ needle, found: false });
});

test('the same histories opened with the codec do carry the personal data, so the check above can fail', async () => {
  const opened: string[] = [];
  for (const workflowId of workflowIds()) {
    const history = await harness.client.workflow.getHandle(workflowId).fetchHistory();
    opened.push(...textOf(await harness.codec.decode(payloadsOf(history).map(({ payload }) => payload))));
  }
  const text = opened.join('\n');
  for (const needle of [FIRST.firstName, FIRST.lastName, '8613755556666', EDITED.lastName, SECOND.email, SECOND.firstName]) {
    expect({ needle, found: text.includes(needle.toLowerCase()) }).toEqual({ needle, found: true });
  }
});

test('current details (decoded through the codec, as the UI shows them) name the organization and no one in it', async () => {
  const texts: string[] = [];
  for (const workflowId of workflowIds()) {
    const { currentDetails } = await harness.client.workflow.getHandle(workflowId).query<{ currentDetails: string }>('__temporal_workflow_metadata');
    // The organization's legal name is what operators look for (a company's name is not personal data)...
    expect(currentDetails).toContain(`Organization: **${ORG.name}**`);
    texts.push(currentDetails.toLowerCase());
  }
  // ...its people are not there, nor its address or landline.
  for (const needle of PERSONAL_DATA) expect({ needle, found: texts.join('\n').includes(needle.toLowerCase()) }).toEqual({ needle, found: false });
});

test('summaries name the kind and id only (decoded through the codec, as the UI shows them)', async () => {
  const summary = async (workflowId: string) => (await harness.client.workflow.getHandle(workflowId).describe()).staticSummary();
  expect(await summary(workflowIdFor('organization', ids.organization))).toBe(`Organization ${ids.organization}`);
  expect(await summary(workflowIdFor('administrator', ids.first))).toBe(`Administrator ${ids.first} of organization ${ids.organization}`);
  expect(await summary(workflowIdFor('administrator', ids.second))).toBe(`Administrator ${ids.second} of organization ${ids.organization}`);
});

test("notification workflows (each email, each webhook endpoint's deliveries) hold no personal data either", async () => {
  // The approval and the rejection above emailed the administrators (written to the outbox: no SMTP_URL).
  const emails = await eventually(async () => {
    const rows = await harness.db.selectFrom('email_messages').select(['id', 'status']).where('account_id', '=', customer.id).execute();
    return rows.length >= 2 && rows.every((r) => r.status === 'sent') ? rows : undefined;
  }, 30_000);
  const webhook = await customer.request('POST', '/v1/webhooks', { url: 'https://hooks.privacy.example.com/in' });
  const test = await customer.request('POST', `/v1/webhooks/${webhook.body.id}/test`);
  await eventually(async () => {
    const delivery = await customer.request('GET', `/v1/webhooks/${webhook.body.id}/deliveries/${test.body.id}`);
    return delivery.body.attempts.length > 0 ? delivery : undefined;
  }, 30_000);
  const ids = [...emails.map((e) => `email:${e.id}`), `webhook:${webhook.body.id}`];
  const { seen } = await readWithoutCodec(ids, { requestIds: false, minSealed: 2 });
  const haystack = seen.join('\n');
  // Their summaries (decoded through the codec, as the UI shows them) name ids only.
  const summary = async (workflowId: string) => (await harness.client.workflow.getHandle(workflowId).describe()).staticSummary();
  expect(await summary(`email:${emails[0].id}`)).toBe(`Email ${emails[0].id}`);
  expect(await summary(`webhook:${webhook.body.id}`)).toBe(`Webhook deliveries of ${webhook.body.id}`);
  for (const needle of [...PERSONAL_DATA, FIRST.email.split('@')[1].toLowerCase()])
    expect({ needle, found: haystack.includes(needle.toLowerCase()) }).toEqual({ needle, found: false });
});
