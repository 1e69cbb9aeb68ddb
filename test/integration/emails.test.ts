import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDomainActivities } from '../../activities/domains';
import { loadConfig } from '../../src/config';
import { parseDuration } from '../../src/domain/duration';
import { recordExpiryNotices } from '../../src/notify/expiry-notices';
import { mailerOf } from '../../src/notify/mailer';
import { renderEmail } from '../../src/notify/email-templates';
import { type Api, ADMINISTRATOR, approvedAdministrator, eventually, type Harness, ORGANIZATION, startHarness } from '../support/harness';
import { STORED_EMAIL } from '../support/review-records';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { startReceiver } from '../support/webhook-receiver';
import { inviteAccountUser } from '../../src/app/users';

/**
 * Email notifications (issue 11) against a real SMTP server started here (npm smtp-server), each message
 * parsed by mailparser: who gets which event, in which language, with what words; a refusal recorded
 * without holding anything up; a temporary failure retried.
 */
let smtp: SmtpSink;
let harness: Harness;
let customer: Api;
let reviewer: Api;

beforeAll(async () => {
  smtp = await startSmtpSink();
  harness = await startHarness({
    env: {
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Certificate profiles <notify@ca.example>',
      REVIEWER_EMAILS: 'desk@ca.example',
      REVIEWER_LANGUAGE: 'zh-CN',
      WEBHOOK_DISPATCH_INTERVAL: '200ms',
      EMAIL_RETRY_INTERVAL: '1s',
      EMAIL_MAX_ATTEMPTS: '3',
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: '127.0.0.1/32',
      WEBHOOK_RETRY_SCHEDULE: '1s',
      WEBHOOK_TIMEOUT: '2s',
    },
  });
  customer = await harness.customer();
  reviewer = await harness.reviewer();
  const saved = await customer.request('PUT', '/v1/notification-settings', {
    language: 'zh-CN',
    contacts: [
      { email: 'certs@acme-group.com', name: 'Certificate desk', language: 'en' },
      { email: 'bounce@acme-group.com', name: null },
    ],
  });
  expect(saved.status).toBe(200);
});
afterAll(async () => {
  await harness?.stop();
  await smtp?.close();
});

beforeEach(() => {
  smtp.recipient = (address) => (address.startsWith('bounce@') ? { code: 550, message: 'mailbox unavailable' } : undefined);
});

const mailsTo = (address: string, subject: RegExp) => smtp.received.filter((r) => r.recipients.includes(address) && subject.test(r.mail.subject ?? ''));
const waitForMail = (address: string, subject: RegExp, count = 1) =>
  eventually(
    async () => (mailsTo(address, subject).length >= count ? mailsTo(address, subject) : undefined),
    30_000,
    `${count} email(s) to ${address} matching ${subject}`,
  );

let organizations = 0;
async function submit(): Promise<{ id: string; administratorId: string; name: string }> {
  const name = `Mail Test ${++organizations} Co., Ltd.`;
  const created = await customer.request('POST', '/v1/organizations', { organization: { ...ORGANIZATION, name }, administrator: ADMINISTRATOR });
  expect(created.status).toBe(201);
  return { id: created.body.id, administratorId: created.body.administrators[0].id, name };
}

test('settings: read back as saved; bad contacts answer 400/422 naming the field', async () => {
  expect((await customer.request('GET', '/v1/notification-settings')).body).toEqual({
    language: 'zh-CN',
    contacts: [
      { email: 'certs@acme-group.com', name: 'Certificate desk', language: 'en' },
      { email: 'bounce@acme-group.com', name: null, language: null },
    ],
  });
  const other = await harness.customer('Fresh');
  expect((await other.request('GET', '/v1/notification-settings')).body).toEqual({ language: 'en', contacts: [] });
  for (const [body, status, field] of [
    [{ language: 'fr', contacts: [] }, 400, 'language'],
    [{ language: 'en' }, 400, 'contacts'],
    [{ language: 'en', contacts: [{ email: 'not an address' }] }, 400, 'contacts.0.email'],
    [{ language: 'en', contacts: [{ email: 'a@acme-group.com' }, { email: 'A@acme-group.com' }] }, 400, 'contacts'],
    [{ language: 'en', contacts: Array.from({ length: 11 }, (_, i) => ({ email: `c${i}@acme-group.com` })) }, 400, 'contacts'],
  ] as const) {
    const answer = await other.request('PUT', '/v1/notification-settings', body);
    expect({ field, status: answer.status }).toEqual({ field, status });
    expect(answer.body.errors.map((e: any) => e.field)).toContain(field);
  }
  expect((await other.request('GET', '/v1/notification-settings')).body).toEqual({ language: 'en', contacts: [] });
});

test('a submission tells the reviewers (their language); a rejection tells the administrators and contacts, each in theirs, with the reason', async () => {
  const organization = await submit();
  const [submitted] = await waitForMail('desk@ca.example', new RegExp(`待审核：组织“${organization.name}”`));
  expect(submitted.mail.text).toContain(`有新的组织提交审核：“${organization.name}”（账户 ${customer.id}）`);
  expect(submitted.mail.from?.value).toEqual([{ name: 'Certificate profiles', address: 'notify@ca.example' }]);
  expect(submitted.mail.headers.get('content-language')).toBe('zh-CN');
  // Message ids are UUIDs: they name the email's workflow and its Message-ID, which no other database sharing
  // the Temporal namespace (another deployment, a restore, another test file) may use again.
  expect(submitted.mail.messageId).toMatch(/^<email-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@ca\.example>$/);
  await waitForMail('desk@ca.example', /待审核：管理员“Lei Li”/);

  const rejected = await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, {
    decision: 'reject',
    reason: 'no such company <at this address>',
  });
  expect(rejected.status).toBe(200);
  const [toAdministrator] = await waitForMail(STORED_EMAIL, new RegExp(`审核未通过：组织“${organization.name}”`));
  expect(toAdministrator.mail.text).toContain('原因：no such company <at this address>');
  expect(toAdministrator.mail.html).toContain('no such company &lt;at this address&gt;');
  expect(toAdministrator.mail.html).not.toContain('<at this address>');
  const [toContact] = await waitForMail('certs@acme-group.com', new RegExp(`Rejected: organization ${organization.name}`));
  expect(toContact.mail.text).toContain('Reason: no such company <at this address>');
  expect(toContact.mail.text).toContain(`POST /v1/organizations/${organization.id}/resubmit`);
  expect(toContact.mail.headers.get('content-language')).toBe('en');
  // Its administrator, rejected with it, is an event and an email of its own.
  await waitForMail(STORED_EMAIL, /审核未通过：管理员“Lei Li”/);
  // The refused contact is recorded with the server's answer, and held nothing up.
  const refused = await eventually(async () =>
    harness.db
      .selectFrom('email_messages')
      .selectAll()
      .where('recipient', '=', 'bounce@acme-group.com')
      .where('status', '=', 'failed')
      .where('template', '=', 'rejected')
      .executeTakeFirst(),
  );
  expect(refused).toMatchObject({ attempts: 1, language: 'zh-CN' });
  expect(refused.smtp_response).toMatch(/550/);
  expect((await customer.request('POST', `/v1/organizations/${organization.id}/resubmit`)).status).toBe(200);
  // Nothing is emailed to the account for a submission, nor to reviewers for a decision.
  expect(mailsTo('certs@acme-group.com', /待审核|To review/)).toEqual([]);
});

test('approvals, expiring approvals (7 days) and a domain needing attention reach the administrators and contacts', async () => {
  const { organizationId, administratorId } = await approvedAdministrator(customer, reviewer);
  const [approved] = await waitForMail('certs@acme-group.com', /^Approved: organization Acme Network Technology/);
  expect(approved.mail.text).toMatch(/It can be used in certificate applications until \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC\)/);
  await waitForMail(STORED_EMAIL, /^审核通过：管理员“Lei Li”/);

  await harness.db
    .updateTable('organizations')
    .set({ valid_until: new Date(Date.now() + 6.5 * 86_400_000) })
    .where('id', '=', organizationId)
    .execute();
  await recordExpiryNotices(harness.db, {
    points: [parseDuration('30d'), parseDuration('7d')],
    expiringWindow: parseDuration('30d'),
    revalidateBefore: parseDuration('30d'),
  });
  const [expiring] = await waitForMail('certs@acme-group.com', /^Expires in 7 days: organization/);
  expect(expiring.mail.text).toContain('Resubmit it for review before then');
  const [expiringZh] = await waitForMail(STORED_EMAIL, /^7 天后到期：组织/);
  expect(expiringZh.mail.text).toContain('还剩 7 天');

  const domain = await customer.request('POST', `/v1/administrators/${administratorId}/domains`, {
    domain: 'mail.example.com',
    autoValidation: false,
    method: 'dns',
  });
  const activities = createDomainActivities({
    db: harness.db,
    dcv: harness.config.dcv,
    writers: { delegation: () => undefined, provider: () => Promise.reject(new Error('none')) },
  });
  const state = {
    status: 'pending' as const,
    randomValueExpiresAt: new Date().toISOString(),
    validUntil: null,
    revalidateAt: null,
    attempt: 0,
    renewing: false,
    needsAttention: false,
  };
  await activities.setAttention(domain.body.id, { side: 'customer', reason: 'customer side: ns1.mail.example.com does not answer' }, state);
  const [attention] = await waitForMail('certs@acme-group.com', /^Needs attention: domain mail\.example\.com/);
  expect(attention.mail.text).toContain('customer side: ns1.mail.example.com does not answer');
  await waitForMail(STORED_EMAIL, /^需要处理：域名 mail\.example\.com/);
  // Flagged by the CA's own fault: in the feed, and passed over by the emails (the customer has nothing to do).
  const cleared = await activities.setAttention(domain.body.id, null, { ...state, needsAttention: true });
  // In an activity's context, as the worker runs it (a CA-side fault is logged there for the operators).
  await new MockActivityEnvironment().run(
    activities.setAttention,
    domain.body.id,
    { side: 'ca' as const, reason: 'CA side: east: perspective_unavailable' },
    cleared,
  );
  const caEvent = await harness.db
    .selectFrom('account_events')
    .select('id')
    .where('object_id', '=', domain.body.id)
    .where('type', '=', 'domain.needs_attention')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  await eventually(
    async () => {
      const cursor = await harness.db.selectFrom('outbox_cursors').select('event_id').where('name', '=', 'emails').executeTakeFirstOrThrow();
      return BigInt(cursor.event_id) >= BigInt(caEvent.id) || undefined;
    },
    30_000,
    'the emails past the CA-side event',
  );
  expect(mailsTo('certs@acme-group.com', /^Needs attention: domain mail\.example\.com/)).toHaveLength(1);
});

test('a temporary refusal (451) is retried and then sent; the attempts are recorded', async () => {
  let refusals = 0;
  // As greylisting servers answer: the address is in the reply, and must not reach Temporal's history in clear.
  smtp.recipient = (address) =>
    address === 'certs@acme-group.com' && refusals++ === 0
      ? { code: 451, message: `<${address}>: Recipient address rejected: greylisted, try again later` }
      : undefined;
  const organization = await submit();
  await reviewer.request('POST', `/v1/reviews/organizations/${organization.id}/decision`, { decision: 'reject', reason: 'incomplete' });
  await waitForMail('certs@acme-group.com', new RegExp(`Rejected: organization ${organization.name}`));
  // The organization's rejection and its administrator's (rejected with it) both go to the contact; whichever
  // reaches the server first is the one refused.
  const rows = await eventually(async () => {
    const found = await harness.db
      .selectFrom('email_messages')
      .innerJoin('account_events', 'account_events.id', 'email_messages.event_id')
      .selectAll('email_messages')
      .where('email_messages.recipient', '=', 'certs@acme-group.com')
      .where('account_events.object_id', 'in', [organization.id, organization.administratorId])
      .execute();
    return found.length === 2 && found.every((m) => m.status === 'sent') ? found : undefined;
  });
  expect(rows.map((m) => m.attempts).sort()).toEqual([1, 2]);
  const row = rows.find((m) => m.attempts === 2)!;
  expect(row).toMatchObject({ attempts: 2, status: 'sent' });
  expect(row.last_error).toBeNull();
  // Its workflow names the message id only; recipient and words are in PostgreSQL (payloads are encrypted anyway),
  // and the failed attempt's failure, which Temporal keeps in clear, names the message and the SMTP code only.
  const history = await harness.client.workflow.getHandle(`email:${row.id}`).fetchHistory();
  const failure = history.events?.find((e) => e.activityTaskStartedEventAttributes?.lastFailure)?.activityTaskStartedEventAttributes?.lastFailure;
  expect(failure?.message).toBe(`email ${row.id}: temporary failure (SMTP 451); the mail server's answer is recorded with the message`);
  expect(JSON.stringify(history)).not.toMatch(/certs@|acme-group|Rejected/);
});

test('a webhook disabled in an account without notification contacts is told to its owners, in the account language', async () => {
  const account = await harness.customer('No contacts');
  await inviteAccountUser(harness.db, account.id, { email: 'owner@no-contacts.com', name: 'Owner', role: 'owner' }, parseDuration('1d'));
  await inviteAccountUser(harness.db, account.id, { email: 'member@no-contacts.com', name: 'Member', role: 'member' }, parseDuration('1d'));
  const receiver = await startReceiver();
  try {
    receiver.answer = () => ({ status: 503 });
    const hook = await account.request('POST', '/v1/webhooks', { url: receiver.url, eventTypes: ['organization.submitted'] });
    expect(hook.status).toBe(201);
    const created = await account.request('POST', '/v1/organizations', { organization: ORGANIZATION, administrator: ADMINISTRATOR });
    expect(created.status).toBe(201);
    const [mail] = await waitForMail('owner@no-contacts.com', /^Webhook disabled/);
    expect(mail.recipients).toEqual(['owner@no-contacts.com']);
    expect(mail.mail.text).toContain(`PATCH /v1/webhooks/${hook.body.id}`);
    // Members and the organization's administrator are not the ones to fix an endpoint.
    expect(mailsTo('member@no-contacts.com', /Webhook/)).toEqual([]);
    expect(mailsTo(ADMINISTRATOR.email, /Webhook/)).toEqual([]);
  } finally {
    await receiver.close();
  }
});

test('an event whose snapshot cannot be rendered holds nothing up: null data in the feed, no email, and the emails after it are sent', async () => {
  const account = await harness.customer('Old snapshots');
  const event = (type: string, snapshot: string) =>
    harness.db
      .insertInto('account_events')
      .values({ account_id: account.id, type, object_kind: 'organization', object_id: randomUUID(), snapshot })
      .returning('id')
      .executeTakeFirstOrThrow();
  // A snapshot the views cannot read (administrators not a list); its sibling, a snapshot from before a
  // column existed (no submittedAt), still renders, with that field null.
  const unreadable = await event('organization.submitted', '{"name":"Unreadable Ltd.","administrators":42}');
  const older = await event('organization.approved', '{"name":"Older","administrators":[]}');
  const created = await account.request('POST', '/v1/organizations', {
    organization: { ...ORGANIZATION, name: 'After Broken Ltd.' },
    administrator: ADMINISTRATOR,
  });
  expect(created.status).toBe(201);
  await waitForMail('desk@ca.example', /待审核：组织“After Broken Ltd\.”/);
  const ids = [`evt_${unreadable.id}`, `evt_${older.id}`];
  const listed = (await account.request('GET', '/v1/events?limit=100')).body.items.filter((e: any) => ids.includes(e.id));
  expect(listed.map((e: any) => [e.id, e.data])).toEqual([
    [ids[0], null],
    [ids[1], expect.objectContaining({ name: 'Older', submittedAt: null, administrators: [] })],
  ]);
  expect(mailsTo('desk@ca.example', /Unreadable/)).toEqual([]);
});

test('without SMTP_URL each message is written as an .eml file under DATA_DIR, and the log says where', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-mail-'));
  const lines: string[] = [];
  const mailer = mailerOf(loadConfig({ DATA_DIR: dataDir }).notify.email, (line) => lines.push(line));
  const rendered = renderEmail('approved', 'zh-CN', { kind: 'organization', id: 'o-1', name: '示例 <公司>', accountId: 'a-1', validUntil: '2027-12-31 10:00' });
  await mailer.send({ id: '42', to: 'li.lei@acme.cn', ...rendered, language: 'zh-CN' });
  const file = path.join(dataDir, 'email-outbox', '42.eml');
  expect(lines).toEqual([`emails are written to ${path.join(dataDir, 'email-outbox')} as <id>.eml (SMTP_URL is not set)`]);
  await mailer.send({ id: '43', to: 'li.lei@acme.cn', ...rendered, language: 'zh-CN' });
  expect(lines).toHaveLength(1);
  const mail = await simpleParser(readFileSync(file));
  expect(mail.subject).toBe('审核通过：组织“示例 <公司>”');
  expect(mail.text).toContain('证书颁发机构已审核通过组织“示例 <公司>”');
  expect(mail.html).toContain('示例 &lt;公司&gt;');
  expect(mail.messageId).toBe('<email-42@certificate-profiles.invalid>');
});
