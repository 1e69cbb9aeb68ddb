import { createOrganizationBody, organizationPatch } from '../../src/domain/schemas';
import { decisionBody } from '../../src/domain/decision-schemas';
import { dnsProviderInput } from '../../src/domain/dns-provider-schemas';
import { webhookInput } from '../../src/notify/webhook-input';
import { decodeCursor, encodeCursor } from '../../src/api/pagination';
import { canDecide, canResubmit, isUsable } from '../../src/domain/status';
import { nextWake } from '../../workflows/profile';

const organization = { name: ' Acme  Ltd ', country: 'cn', province: 'Beijing', city: 'Beijing', address: '1 Road', landline: '010 6552 9988' };
const administrator = { firstName: 'Lei', lastName: 'Li', position: 'CTO', phone: '138 0013 8000', email: 'LI@ACME.CN' };

test("a create body is normalized, the phone read in the organization's country", () => {
  const parsed = createOrganizationBody.parse({ organization, administrator });
  expect(parsed.organization).toMatchObject({ name: 'Acme Ltd', country: 'CN', landline: '+861065529988' });
  // The domain part is lowercased (A-labels); the local part is kept as entered (RFC 5321 §2.4).
  expect(parsed.administrator).toMatchObject({ phone: '+8613800138000', email: 'LI@acme.cn' });
});

test('administrator errors carry their full path', () => {
  const result = createOrganizationBody.safeParse({ organization, administrator: { ...administrator, email: 'x' } });
  expect(result.success).toBe(false);
  expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['administrator.email']);
});

test('a patch reads the landline in the current country unless the country changes too', () => {
  expect(organizationPatch('CN').parse({ landline: '010 6552 9988' })).toEqual({ landline: '+861065529988' });
  expect(organizationPatch('CN').parse({ country: 'US', landline: '(212) 555-0100' })).toEqual({ country: 'US', landline: '+12125550100' });
  expect(organizationPatch('CN').safeParse({}).success).toBe(false);
});

test('status rules', () => {
  expect(['under_review', 'approved', 'rejected', 'expiring', 'expired'].filter((s) => canResubmit(s as never))).toEqual(['rejected', 'expiring', 'expired']);
  expect(canDecide('under_review')).toBe(true);
  expect(canDecide('approved')).toBe(false);
  expect(isUsable('expiring')).toBe(true);
  expect(isUsable('expired')).toBe(false);
});

test('the workflow wakes for reminders, the expiring window and the end of validity', () => {
  const base = { nextReminderAt: '2026-01-01T00:00:00.000Z', expiringAt: '2026-02-01T00:00:00.000Z', validUntil: '2026-03-01T00:00:00.000Z' };
  expect(nextWake({ ...base, status: 'under_review' })).toBe(Date.parse(base.nextReminderAt));
  expect(nextWake({ ...base, status: 'approved' })).toBe(Date.parse(base.expiringAt));
  expect(nextWake({ ...base, status: 'expiring' })).toBe(Date.parse(base.validUntil));
  expect(nextWake({ ...base, status: 'rejected' })).toBeNull();
  expect(nextWake({ ...base, status: 'expired' })).toBeNull();
});

/** A decision on an organization submitted an hour ago, with landline +861065529988. */
const organizationDecision = decisionBody('organization', {
  subject: { kind: 'organization', submittedAt: new Date(Date.now() - 3_600_000), landline: '+861065529988' },
  country: 'CN',
  now: new Date(),
});

test('control characters are refused in every stored text (PostgreSQL refuses NUL; nobody types one)', () => {
  const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
    result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  expect(paths(createOrganizationBody.safeParse({ organization: { ...organization, name: 'Acme\u0000 Ltd' } }))).toEqual([
    'organization.name: must not contain control characters',
  ]);
  expect(paths(createOrganizationBody.safeParse({ organization, administrator: { ...administrator, position: 'CTO\u001b[31m' } }))).toEqual([
    'administrator.position: must not contain control characters',
  ]);
  expect(paths(organizationDecision.safeParse({ decision: 'reject', reason: 'bad\u0000' }))).toEqual(['reason: must not contain control characters']);
  expect(paths(dnsProviderInput.safeParse({ kind: 'dnspod', name: 'x\u007f', tokenId: '1', token: 'a'.repeat(20) }))).toEqual([
    'name: must not contain control characters',
  ]);
  // A lone surrogate survives JSON.parse but not PostgreSQL's jsonb; a pair (an emoji) is fine.
  expect(paths(createOrganizationBody.safeParse({ organization: { ...organization, city: 'Bei\ud800jing' } }))).toEqual([
    'organization.city: must be valid Unicode (no unpaired surrogates)',
  ]);
  expect(paths(organizationDecision.safeParse({ decision: 'approve', callback: { outcome: 'answered', note: 'ok \udc00' } }))).toEqual([
    'callback.note: must be valid Unicode (no unpaired surrogates)',
  ]);
  expect(paths(dnsProviderInput.safeParse({ kind: 'dnspod', name: 'x\ud83d', tokenId: '1', token: 'a'.repeat(20) }))).toEqual([
    'name: must be valid Unicode (no unpaired surrogates)',
  ]);
  expect(organizationDecision.parse({ decision: 'reject', reason: 'called \ud83d\ude00' }).reason).toBe('called \ud83d\ude00');
  // Line breaks and tabs in a note are whitespace, collapsed like any other.
  expect(organizationDecision.parse({ decision: 'reject', reason: 'line one\n\tline two' }).reason).toBe('line one line two');
});

describe('text people read refuses invisible and bidi characters everywhere, not only in the subject (Unicode TR #36 §2)', () => {
  const rules = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; params?: { rule?: string } }> } }) =>
    result.error?.issues.map((i) => `${i.path.join('.')}: ${i.params?.rule}`);
  const rtlo = 'evil\u202eexe.txt';
  test.each([
    [
      "an organization's display name",
      () => createOrganizationBody.safeParse({ organization: { ...organization, displayName: rtlo } }),
      'organization.displayName',
    ],
    ['a rejection reason', () => organizationDecision.safeParse({ decision: 'reject', reason: `no such company\u200b` }), 'reason'],
    [
      'who answered the call',
      () =>
        organizationDecision.safeParse({
          decision: 'approve',
          callback: {
            number: '+861065529988',
            calledAt: new Date().toISOString(),
            outcome: 'answered',
            answeredBy: { name: rtlo, role: 'Office' },
            note: 'ok',
          },
        }),
      'callback.answeredBy.name',
    ],
    ["a DNS provider's name", () => dnsProviderInput.safeParse({ kind: 'dnspod', name: `DNS\u2066Pod`, tokenId: '1', token: 'a'.repeat(20) }), 'name'],
    ["a webhook's description", () => webhookInput.safeParse({ url: 'https://hooks.example.com/in', description: `in\ue000box` }), 'description'],
    [
      "a name with U+FEFF inside (JavaScript's \\s would make it a space)",
      () => createOrganizationBody.safeParse({ organization: { ...organization, name: 'Seq\ufeffMid Co., Ltd.' } }),
      'organization.name',
    ],
  ])('%s', (_what, parse, field) => {
    expect(rules(parse())).toEqual([`${field}: unprintable-character`]);
  });

  test('ZWNJ and ZWJ, which scripts need, and emoji stay', () => {
    expect(organizationDecision.parse({ decision: 'reject', reason: 'می\u200cخواهم 👩\u200d💻' }).reason).toBe('می\u200cخواهم 👩\u200d💻');
  });

  test('a country is two ASCII letters: look-alikes that upper-case to one are refused', () => {
    for (const country of ['\u0131n', '\ufb01', 'ＣＮ']) {
      expect(rules(createOrganizationBody.safeParse({ organization: { ...organization, country } }))).toContain('organization.country: country-code');
    }
    expect(createOrganizationBody.parse({ organization: { ...organization, country: ' cn ' } }).organization.country).toBe('CN');
  });
});

test.each([
  ['https://hooks.example.com/in\u0000'],
  ['https://hooks.example.com/in\tbox'],
  ['https:hooks.example.com'],
  ['https:/hooks.example.com/in'],
  ['https://hooks.example.com\\@evil.com/x'],
  ['https://hooks.example.com/a b'],
])('a webhook URL is taken as written: %j answers 400 url (the URL parser would have repaired it into another)', (url) => {
  const result = webhookInput.safeParse({ url });
  expect(result.error?.issues.map((i) => [i.path.join('.'), (i as { params?: { rule?: string } }).params?.rule])).toEqual([['url', 'url']]);
});

describe("an RFC 2136 provider's zone is a domain name in the public DNS, its TSIG key name a domain name (RFC 8945 §4.2)", () => {
  const provider = (fields: object) =>
    dnsProviderInput.safeParse({
      kind: 'rfc2136',
      name: 'BIND',
      server: 'ns1.example.com',
      zone: 'example.com',
      tsigKeyName: 'dcv-key.',
      tsigAlgorithm: 'hmac-sha256',
      tsigSecret: 'c2VjcmV0LXRzaWcta2V5LWZvci1kY3Y=',
      ...fields,
    });
  const fieldsAtFault = (result: ReturnType<typeof provider>) => result.error?.issues.map((i) => i.path.join('.'));

  test.each(['0x7f.1', '12345', '１２３４５', '127.0.0.1', 'localhost', 'a', '-bad-.com', 'ex_ample.com', '*.example.com', 'exa/mple.com'])(
    'zone %j answers 400 naming zone',
    (zone) => {
      expect(fieldsAtFault(provider({ zone }))).toEqual(['zone']);
    },
  );

  test.each([
    ['Example.COM.', 'example.com'],
    ['例子.公司', 'xn--fsqu00a.xn--55qx5d'],
    ['_dnsauth.Example.com', '_dnsauth.example.com'],
    ['dcv.shop.example.net', 'dcv.shop.example.net'],
  ])('zone %j is stored as %j', (zone, stored) => {
    const result = provider({ zone });
    expect(result.success && result.data.kind === 'rfc2136' && result.data.zone).toBe(stored);
  });

  test.each(['k\u202e', 'CN=evil,O=x', '&amp;<script>', 'N/A', 'a..b', '-key.', 'x'.repeat(64)])(
    'key name %j answers 400 naming tsigKeyName',
    (tsigKeyName) => {
      expect(fieldsAtFault(provider({ tsigKeyName }))).toEqual(['tsigKeyName']);
    },
  );

  test.each(['dcv-key', 'dcv-key.example.com.', 'tsig_key.example'])('key name %j is taken', (tsigKeyName) => {
    expect(provider({ tsigKeyName }).success).toBe(true);
  });
});

describe('page cursors', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

  test('a cursor the API returned decodes to what it encoded', () => {
    expect(decodeCursor(encodeCursor({ at: '2026-11-28T00:00:00.000Z', id }))).toEqual({ at: '2026-11-28T00:00:00.000Z', id });
    expect(decodeCursor(encodeCursor({ at: '2026-11-28T00:00:00.000Z', id: '42' }), 'serial')).toEqual({ at: '2026-11-28T00:00:00.000Z', id: '42' });
  });

  test.each([
    ['not base64 JSON', '%%%'],
    ['an id that is not a UUID', b64({ at: '2026-11-28T00:00:00.000Z', id: 'x' })],
    ['a time PostgreSQL cannot hold', b64({ at: '-271821-04-20T00:00:00.000Z', id })],
    ['a time far in the future', b64({ at: '+275760-09-13T00:00:00.000Z', id })],
    ['a year PostgreSQL cannot hold', b64({ at: '+300000-01-01T00:00:00.000Z', id })],
    ['a time written some other way', b64({ at: 'Nov 28 2026', id })],
    ['no time', b64({ id })],
    ['JSON null', b64(null)],
  ])('%s answers 400 naming the cursor', (_name, text) => {
    expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ status: 400, detail: 'cursor: not a cursor this API returned' }));
  });

  test('serial lists take only digits', () => {
    expect(() => decodeCursor(b64({ at: '2026-11-28T00:00:00.000Z', id }), 'serial')).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe("an RFC 2136 provider's server: a literal judged now in every form, else a host name in the public DNS", () => {
  const provider = (server: string) =>
    dnsProviderInput.safeParse({
      kind: 'rfc2136',
      name: 'Primary',
      server,
      zone: 'example.com',
      tsigKeyName: 'k',
      tsigAlgorithm: 'hmac-sha256',
      tsigSecret: 'c2VjcmV0c2VjcmV0c2VjcmV0',
    });
  const refusal = (server: string) =>
    provider(server).error?.issues.map((i) => [i.path.join('.'), i.message, (i as { params?: { rule?: string } }).params?.rule]);

  test.each([
    ['127.0.0.1.', /127\.0\.0\.0\/8 \(Loopback/],
    ['10.0.0.1.', /10\.0\.0\.0\/8 \(Private-Use/],
    ['0x7f.1.', /127\.0\.0\.0\/8 \(Loopback/],
  ])('%s (a literal with the trailing dot URL parsers drop) is judged as the address it is', (server, entry) => {
    expect(refusal(server)).toEqual([['server', expect.stringMatching(entry), 'public-address']]);
  });

  test.each([
    ['localhost', 'too-few-labels'],
    ['ns1.localhost', 'internal-name'],
    ['metadata.google.internal', 'internal-name'],
    ['127.0.0.1:53', 'ldh-syntax'],
    ['a..b', 'empty-label'],
    ['_ns.example.com', 'ldh-syntax'],
    ['-ns.example.com', 'ldh-syntax'],
    ['08.08.08.08', 'ip-address'],
    ['ns1.example.onion', 'special-use'],
  ])('%s is no host name the CA resolves: 400 naming server and %s', (server, rule) => {
    expect(refusal(server)).toEqual([['server', expect.stringMatching(/^not a host name the service can resolve: /), rule]]);
  });

  test.each([
    ['1.1.1.1.', '1.1.1.1'],
    ['::ffff:1.1.1.1', '1.1.1.1'],
    ['2606:4700::1111', '2606:4700::1111'],
    ['NS1.Example.COM.', 'ns1.example.com'],
    ['ns1.example.com', 'ns1.example.com'],
    ['ns1.例子.公司', 'ns1.xn--fsqu00a.xn--55qx5d'],
    ['ns1.xn--fsqu00a.xn--55qx5d', 'ns1.xn--fsqu00a.xn--55qx5d'],
  ])('%s is stored as %s, the form the service looks up or connects to', (server, stored) => {
    expect(provider(server)).toMatchObject({ success: true, data: { server: stored } });
  });

  test('an internationalized zone is stored in A-labels, as the domains it holds are; what is no name is refused', () => {
    const withZone = (zone: string) => dnsProviderInput.safeParse({ ...(provider('ns1.example.com') as { data: object }).data, zone });
    expect(withZone('例子.公司')).toMatchObject({ success: true, data: { zone: 'xn--fsqu00a.xn--55qx5d' } });
    expect(withZone('Example.COM.')).toMatchObject({ success: true, data: { zone: 'example.com' } });
    for (const bad of ['a b.com', 'exa/mple.com', '..']) expect(withZone(bad).success).toBe(false);
  });
});
