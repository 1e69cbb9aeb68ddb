import { parseDuration } from '../../src/domain/duration';
import { JITTER, nextAttemptAt, verdictOf } from '../../src/notify/delivery-policy';
import { emailTemplateOf, recipientsOf } from '../../src/notify/email-plan';
import { type EmailTemplate, renderEmail } from '../../src/notify/email-templates';
import { EMAIL_LANGUAGES } from '../../src/notify/settings-input';
import { EVENT_TYPES, feedTypeOf } from '../../src/notify/event-types';
import { noticePoints } from '../../src/notify/expiry-notices';
import { parseRetryAfter } from '../../src/notify/webhook-http';

/** The pure rules of notifications: which change is which event, retry times, notice points, recipients, words. */

test('audit actions map to the public events; internal steps to none', () => {
  const cases: [Parameters<typeof feedTypeOf>, string | null][] = [
    [['organization', 'submitted'], 'organization.submitted'],
    [['administrator', 'resubmitted'], 'administrator.submitted'],
    [['organization', 'edited', { status: 'under_review' }], 'organization.submitted'],
    [['organization', 'edited', { city: 'Shanghai' }], null],
    [['administrator', 'rejected_with_organization'], 'administrator.rejected'],
    [['administrator', 'deleted_with_organization'], 'administrator.deleted'],
    [['organization', 'review_overdue'], 'review.overdue'],
    [['organization', 'expiring'], 'organization.expiring'],
    [['domain', 'revalidated'], 'domain.validated'],
    [['domain', 'attention_cleared'], 'domain.recovered'],
    [['domain', 'deleted_with_administrator'], 'domain.deleted'],
    [['domain', 'scan_started'], null],
    [['domain', 'record_on_all_authoritative'], null],
    [['domain', 'revalidation_requested'], null],
  ];
  for (const [args, expected] of cases) expect({ args, type: feedTypeOf(...args) }).toEqual({ args, type: expected });
  for (const type of EVENT_TYPES) expect(type).toMatch(/^(organization|administrator|domain|review|webhook)\.[a-z_]+$/);
});

test('delivery verdicts and retry times: the schedule with up to 20 % jitter, Retry-After when longer, none once used up', () => {
  expect([200, 204, 299, 301, 404, 410, 500, null].map(verdictOf)).toEqual([
    'delivered',
    'delivered',
    'delivered',
    'failed',
    'failed',
    'gone',
    'failed',
    'failed',
  ]);
  const schedule = ['5s', '5m'].map(parseDuration);
  const now = new Date('2026-11-30T00:00:00Z');
  const at = (attempts: number, retryAfter: number | null, random: number) => nextAttemptAt(attempts, schedule, retryAfter, now, random)?.getTime() ?? null;
  expect(at(1, null, 0)).toBe(now.getTime() + 5_000);
  expect(at(1, null, 0.999)).toBeCloseTo(now.getTime() + 5_000 * (1 + JITTER), -1);
  expect(at(2, null, 0)).toBe(now.getTime() + 300_000);
  expect(at(1, 120, 0)).toBe(now.getTime() + 120_000);
  expect(at(1, 10 * 86_400, 0)).toBe(now.getTime() + 86_400_000);
  expect(at(3, null, 0)).toBeNull();
  expect(parseRetryAfter('120')).toBe(120);
  expect(parseRetryAfter('Mon, 30 Nov 2026 00:01:00 GMT', now.getTime())).toBe(60);
  expect(parseRetryAfter('soon')).toBeNull();
  expect(parseRetryAfter(undefined)).toBeNull();
});

test('expiry notice points: profiles skip their expiring window (a status change), automatic domains the points before renewal', () => {
  const policy = { points: ['30d', '7d'].map(parseDuration), expiringWindow: parseDuration('30d'), revalidateBefore: parseDuration('30d') };
  const now = new Date();
  const days = (points: ReturnType<typeof noticePoints>) => points.map((p) => p.ms! / 86_400_000);
  expect(days(noticePoints('organization', null, policy, now))).toEqual([7]);
  expect(days(noticePoints('domain', 'dns_txt', policy, now))).toEqual([30, 7]);
  expect(days(noticePoints('domain', 'dns_cname', policy, now))).toEqual([7]);
  expect(days(noticePoints('domain', 'file_proxy', { ...policy, revalidateBefore: parseDuration('10d') }, now))).toEqual([7]);
  // The renewal comes no earlier than two thirds into the validity: a 10-day validation (the BR period from
  // 2029-03-15) renews 3⅓ days before its end, so neither the 30- nor the 7-day point comes after it; 200 days, 30 days before.
  const validity = (d: number) => ({ validatedAt: now, validUntil: new Date(now.getTime() + d * 86_400_000) });
  const withThreeDays = { ...policy, points: ['30d', '7d', '3d'].map(parseDuration) };
  expect(days(noticePoints('domain', 'dns_cname', withThreeDays, now, validity(10)))).toEqual([3]);
  expect(days(noticePoints('domain', 'dns_cname', withThreeDays, now, validity(200)))).toEqual([7, 3]);
  expect(days(noticePoints('domain', 'dns_txt', withThreeDays, now, validity(10)))).toEqual([30, 7, 3]);
});

test("a domain needing attention is emailed only when the customer's side is at fault", () => {
  const flagged = (attentionReason: string | null) => ({ domain: 'shop.example.com', needsAttention: true, attentionReason });
  expect(emailTemplateOf('domain.needs_attention', flagged('customer side: ns2.example.com (192.0.2.2) did not answer: ETIMEOUT'))).toEqual({
    template: 'needs_attention',
    to: 'account',
  });
  expect(emailTemplateOf('domain.needs_attention', flagged('CA side: east: perspective_unavailable — no answer'))).toBeUndefined();
  expect(emailTemplateOf('domain.needs_attention', flagged(null))).toBeUndefined();
  expect(emailTemplateOf('organization.approved', { name: 'Acme' })).toEqual({ template: 'approved', to: 'account' });
});

test('recipients: each address once, a contact in their own language, reviewers apart', () => {
  const audience = {
    administrators: ['Li.Lei@acme.cn', 'wang@acme.cn'],
    contacts: [
      { email: 'li.lei@ACME.cn', language: 'en' as const },
      { email: 'certs@acme.cn', language: 'zh-CN' as const },
    ],
    language: 'zh-CN' as const,
    owners: ['owner@acme.cn'],
    reviewers: [{ email: 'desk@ca.example', language: 'en' as const }],
  };
  expect(recipientsOf('account', audience)).toEqual([
    { email: 'li.lei@ACME.cn', language: 'en' },
    { email: 'certs@acme.cn', language: 'zh-CN' },
    { email: 'wang@acme.cn', language: 'zh-CN' },
  ]);
  expect(recipientsOf('contacts', audience)).toEqual(audience.contacts);
  expect(recipientsOf('reviewers', audience)).toEqual(audience.reviewers);
  // Without contacts, what is theirs (a disabled webhook) goes to the owners, in the account's language.
  expect(recipientsOf('contacts', { ...audience, contacts: [] })).toEqual([{ email: 'owner@acme.cn', language: 'zh-CN' }]);
  expect(recipientsOf('account', { ...audience, contacts: [] })).toEqual([
    { email: 'Li.Lei@acme.cn', language: 'zh-CN' },
    { email: 'wang@acme.cn', language: 'zh-CN' },
  ]);
});

test('every template renders in both languages; the HTML escapes what the text keeps as it is', () => {
  const templates: EmailTemplate[] = ['approved', 'rejected', 'expiring', 'needs_attention', 'review.submitted', 'review.overdue', 'webhook.disabled'];
  const facts = {
    kind: 'organization' as const,
    id: 'o-1',
    name: 'Acme <b>&</b> Co',
    accountId: 'a-1',
    reason: 'no "answer"',
    validUntil: '2027-12-31 10:00',
    daysLeft: 7,
    dueAt: '2026-12-01 10:00',
  };
  for (const template of templates) {
    for (const language of EMAIL_LANGUAGES) {
      const email = renderEmail(template, language, facts);
      expect({ template, language, subject: email.subject.length > 0 }).toEqual({ template, language, subject: true });
      expect(email.text).not.toMatch(/\{\{|\}\}/);
      expect(email.html).toContain(`lang="${language}"`);
      expect(email.html).not.toContain('<b>');
      if (email.text.includes(facts.name)) expect(email.html).toContain('Acme &lt;b&gt;&amp;&lt;/b&gt; Co');
    }
  }
  expect(renderEmail('expiring', 'en', { ...facts, kind: 'domain', name: 'example.com' }).text).toContain('POST /v1/domains/o-1/revalidate');
  expect(renderEmail('rejected', 'zh-CN', facts).text).toContain('原因：no "answer"');
});

test('customer text cannot add a header: CR/LF in a name or a reason never reaches the subject, and the HTML escapes a script', () => {
  const facts = {
    kind: 'organization' as const,
    id: 'o-1',
    name: 'Acme\r\nBcc: thief@example.com\r\n<script>alert(1)</script>',
    accountId: 'a-1',
    reason: 'x\r\nBcc: y@example.com',
  };
  for (const language of EMAIL_LANGUAGES) {
    const email = renderEmail('rejected', language, facts);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  }
});
