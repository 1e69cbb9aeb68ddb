import { DECISION_EXAMPLES } from '../domain/decision-schemas';

// Examples of the API document, one per request and response. Redocly's `no-invalid-media-type-examples`
// (test/unit/openapi-document.test.ts) checks each against its schema, so they cannot drift from it.

const ORGANIZATION_ID = '3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90';
const ADMINISTRATOR_ID = '7c9e2a14-5b3f-4d8e-a6c1-0f2b9d4e8a37';
const DOMAIN_ID = 'b2d4f6a8-1c3e-4a5b-8d7f-9e0a2c4b6d81';
const PROVIDER_ID = 'e5a7c9b1-3d5f-4b7a-9c1e-2f4a6b8d0c13';
const ACCOUNT_ID = '91c3e5a7-b9d1-4f3a-8c5e-7a9b1d3f5e24';
const CREATED = '2026-11-28T02:10:00.000Z';

const reviewState = {
  status: 'under_review',
  submittedAt: CREATED,
  dueAt: '2026-11-29T02:10:00.000Z',
  approvedAt: null,
  validUntil: null,
  rejectionReason: null,
  createdAt: CREATED,
  updatedAt: CREATED,
};

const administratorInput = { firstName: 'Lei', lastName: 'Li', position: 'CTO', phone: '138 0013 8000', email: 'li.lei@acme.cn' };
const organizationInput = {
  name: 'Acme Network Technology Co., Ltd.',
  displayName: 'Acme Beijing',
  department: 'IT',
  country: 'CN',
  province: 'Beijing',
  city: 'Beijing',
  address: '1 Zhongguancun Street, Haidian District',
  postalCode: '100080',
  landline: '+86 10 6552 9988 ext. 8001',
};

const administrator = {
  id: ADMINISTRATOR_ID,
  organizationId: ORGANIZATION_ID,
  firstName: 'Lei',
  lastName: 'Li',
  position: 'CTO',
  phone: '+8613800138000',
  email: 'li.lei@acme.cn',
  ...reviewState,
};

const organization = {
  id: ORGANIZATION_ID,
  ...organizationInput,
  landline: '+861065529988;ext=8001',
  ...reviewState,
  administrators: [administrator],
};

const randomValue = 'x7k2m9q4w8e1r5t3y6u0i2o4p8a1s3d5';
const domain = {
  id: DOMAIN_ID,
  administratorId: ADMINISTRATOR_ID,
  domain: 'www.acme.cn',
  autoValidation: true,
  method: 'dns',
  dnsProviderId: null,
  status: 'pending',
  usable: false,
  needsAttention: false,
  attentionReason: null,
  instructions: {
    method: 'dns_cname',
    brMethod: '3.2.2.4.7',
    automatic: true,
    domain: 'www.acme.cn',
    randomValue,
    summary:
      'Add a CNAME record "_dnsauth.www.acme.cn" pointing to "k3j5h7g9f1d3s5a7.dcv.example-ca.com" once; the service keeps the value behind it up to date.',
    record: { type: 'CNAME', name: '_dnsauth.www.acme.cn', value: 'k3j5h7g9f1d3s5a7.dcv.example-ca.com' },
    serviceRecord: { type: 'TXT', name: 'k3j5h7g9f1d3s5a7.dcv.example-ca.com', value: randomValue },
  },
  randomValueExpiresAt: '2026-12-28T02:10:00.000Z',
  validatedAt: null,
  validUntil: null,
  brMethod: null,
  brVersion: null,
  failureReason: null,
  lastCheck: null,
  createdAt: CREATED,
  updatedAt: CREATED,
};

const perspectives = [
  {
    perspective: 'primary',
    code: 'passed',
    passed: true,
    expected: `CNAME to k3j5h7g9f1d3s5a7.dcv.example-ca.com with TXT "${randomValue}"`,
    observed: [randomValue],
    detail: 'found',
  },
  {
    perspective: 'eu',
    code: 'record_not_found',
    passed: false,
    expected: `CNAME to k3j5h7g9f1d3s5a7.dcv.example-ca.com with TXT "${randomValue}"`,
    observed: [],
    detail: 'NXDOMAIN for _dnsauth.www.acme.cn',
  },
];
const quorum = { summary: '1/2', required: 2, passedPerspectives: ['primary'], failedPerspectives: ['eu'] };
const precheck = { passed: false, code: 'record_not_found', quorum, perspectives };

const customerActor = { kind: 'customer', id: '5d7f9b1c-3e5a-4c7e-9a1b-3d5f7b9c1e42', name: 'deploy script' };
const reviewerActor = { kind: 'reviewer', id: '8a0c2e4f-6b8d-4a0c-8e2f-4b6d8f0a2c51', name: 'Zhang Wei' };

const event = {
  id: '1042',
  at: CREATED,
  actor: customerActor,
  action: 'edited',
  before: { city: 'Beijing' },
  after: { city: 'Haidian, Beijing' },
  note: null,
};

const reviewHistory = {
  id: '77',
  status: 'rejected',
  reason: 'Nobody answered the landline on three attempts; check the number and its extension, then resubmit.',
  submittedAt: CREATED,
  decidedAt: '2026-11-30T08:40:00.000Z',
  decidedBy: reviewerActor,
  callback: { number: '+861065529988;ext=8001', calledAt: '2026-11-30T08:40:00.000Z', outcome: 'no_answer' },
  verification: null,
};
const reviewRecord = {
  ...reviewHistory,
  kind: 'organization',
  subjectId: ORGANIZATION_ID,
  callback: { ...reviewHistory.callback, answeredBy: null, note: 'Three attempts, 09:00, 11:30 and 16:40.' },
};

const rfc2136Input = {
  kind: 'rfc2136',
  name: 'Primary BIND',
  server: 'ns1.acme.cn',
  port: 53,
  zone: 'acme.cn',
  tsigKeyName: 'dcv-update.',
  tsigAlgorithm: 'hmac-sha256',
  tsigSecret: 'c2VjcmV0LXRzaWcta2V5LWZvci1kY3Y=',
};
const { tsigSecret: _secret, ...rfc2136Settings } = rfc2136Input;

const payloads = { payloads: [{ metadata: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==', 'encryption-key-id': 'c2stMGExYjJjM2Q0ZTVm' }, data: 'q83vEjRWeJA=' }] };

const pageOf = (item: unknown) => ({ items: [item], nextCursor: null });

const WEBHOOK_ID = '0c8a4f4e-2b9e-4b8e-9d51-6f1f0d6b7a90';
const feedEvent = {
  id: 'evt_1042',
  type: 'organization.approved',
  timestamp: '2026-11-30T10:16:02.114Z',
  objectKind: 'organization',
  objectId: ORGANIZATION_ID,
  data: { ...organization, status: 'approved', approvedAt: '2026-11-30T10:16:02.114Z', validUntil: '2027-12-31T10:16:02.114Z' },
};
const webhookInput = {
  url: 'https://hooks.acme.cn/certificate-profiles',
  eventTypes: ['organization.approved', 'organization.rejected', 'domain.needs_attention'],
  description: 'Production console',
};
const webhook = {
  id: WEBHOOK_ID,
  ...webhookInput,
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
};
const webhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/EqPVVbZJJg=';
const delivery = {
  id: '731',
  messageId: 'evt_1042',
  kind: 'event',
  eventId: 'evt_1042',
  eventType: 'organization.approved',
  status: 'delivered',
  nextAttemptAt: null,
  createdAt: '2026-11-30T10:16:02.300Z',
  finishedAt: '2026-11-30T10:16:08.012Z',
  attempts: [
    { at: '2026-11-30T10:16:02.410Z', durationMs: 15002, statusCode: null, error: 'no answer from hooks.acme.cn within 15000 ms', responseBody: null },
    { at: '2026-11-30T10:16:07.950Z', durationMs: 61, statusCode: 204, error: null, responseBody: null },
  ],
};
const notificationSettings = {
  language: 'zh-CN',
  contacts: [
    { email: 'certs@acme.cn', name: 'Certificate desk', language: null },
    { email: 'ops@acme.cn', name: null, language: 'en' },
  ],
};

/** Request bodies: each a named example (`summary` + `value`). */
export const REQUEST_EXAMPLES = {
  CreateOrganization: {
    first: {
      summary: "The account's first organization, with its first administrator",
      value: { organization: organizationInput, administrator: administratorInput },
    },
    alone: {
      summary: 'A later organization, alone',
      value: { organization: { ...organizationInput, name: 'Acme Cloud Services Co., Ltd.', displayName: null, department: null, postalCode: null } },
    },
  },
  OrganizationPatch: { city: { summary: 'Correct the city (sends the organization back to review)', value: { city: 'Haidian, Beijing' } } },
  AdministratorInput: {
    add: { summary: 'Another administrator', value: { ...administratorInput, firstName: 'Mei', lastName: 'Han', email: 'han.mei@acme.cn' } },
  },
  AdministratorPatch: { position: { summary: 'New job title', value: { position: 'Chief Technology Officer' } } },
  CreateDomain: {
    cname: { summary: 'Automatic DNS validation (CNAME delegation)', value: { domain: 'www.acme.cn' } },
    provider: {
      summary: "The service writes the TXT record through the customer's DNS provider",
      value: { domain: '*.acme.cn', autoValidation: false, method: 'dns_provider', dnsProviderId: PROVIDER_ID },
    },
  },
  CreateDnsProvider: {
    rfc2136: { summary: 'RFC 2136 dynamic updates signed with TSIG', value: rfc2136Input },
    dnspod: { summary: 'DNSPod API token', value: { kind: 'dnspod', name: 'DNSPod', tokenId: '123456', token: '0123456789abcdef0123456789abcdef' } },
  },
  OrganizationDecision: {
    approve: { summary: 'Approve after an answered callback', value: DECISION_EXAMPLES.organizationApproval },
    reject: { summary: 'Reject after a call nobody answered', value: DECISION_EXAMPLES.organizationRejection },
  },
  AdministratorDecision: { approve: { summary: 'Approve after an email confirmation', value: DECISION_EXAMPLES.administratorApproval } },
  CodecPayloads: { payloads: { summary: 'One payload as the Temporal UI sends it', value: payloads } },
  CreateWebhook: {
    some: { summary: 'Approvals, rejections and domains needing attention', value: webhookInput },
    all: { summary: 'Every event type, disabled until tested', value: { url: 'https://hooks.acme.cn/all', enabled: false } },
  },
  WebhookPatch: {
    enable: { summary: 'Enable it again (after the service disabled it)', value: { enabled: true } },
    types: { summary: 'Every event type from now on', value: { eventTypes: null } },
  },
  RotateWebhookSecret: { overlap: { summary: 'The current secret keeps signing for a day', value: { previousSecretExpiresInSeconds: 86400 } } },
  Redelivery: { event: { summary: 'Send an event of the feed again', value: { eventId: 'evt_1042' } } },
  NotificationSettingsInput: {
    contacts: {
      summary: 'Chinese for the administrators and the desk, English for operations',
      value: {
        language: 'zh-CN',
        contacts: [
          { email: 'certs@acme.cn', name: 'Certificate desk' },
          { email: 'ops@acme.cn', language: 'en' },
        ],
      },
    },
  },
} as const;

/** Successful answers, by the component schema they follow. */
export const RESPONSE_EXAMPLES = {
  Organization: organization,
  OrganizationPage: pageOf(organization),
  Administrator: administrator,
  AdministratorPage: pageOf(administrator),
  EventPage: pageOf(event),
  ReviewHistoryPage: pageOf(reviewHistory),
  ReviewRecordPage: pageOf(reviewRecord),
  ReviewPage: pageOf({
    kind: 'organization',
    id: ORGANIZATION_ID,
    accountId: ACCOUNT_ID,
    organizationId: ORGANIZATION_ID,
    submittedAt: CREATED,
    dueAt: '2026-11-29T02:10:00.000Z',
    overdue: false,
    subject: organization,
    lastReview: null,
  }),
  Domain: domain,
  DomainPage: pageOf(domain),
  Precheck: precheck,
  CheckPage: pageOf({ id: '311', at: CREATED, kind: 'precheck', ...precheck }),
  DnsProvider: { id: PROVIDER_ID, createdAt: CREATED, ...rfc2136Settings },
  DnsProviderPage: pageOf({ id: PROVIDER_ID, createdAt: CREATED, ...rfc2136Settings }),
  CodecPayloads: payloads,
  FeedEventPage: pageOf(feedEvent),
  Webhook: webhook,
  WebhookWithSecret: { ...webhook, secret: webhookSecret },
  WebhookPage: pageOf(webhook),
  RotatedWebhookSecret: { id: WEBHOOK_ID, secret: webhookSecret, previousSecretExpiresAt: '2026-12-01T09:00:00.000Z' },
  WebhookDelivery: delivery,
  WebhookDeliveryPage: pageOf(delivery),
  QueuedRedelivery: {
    ...delivery,
    id: '744',
    kind: 'redelivery',
    status: 'pending',
    nextAttemptAt: '2026-11-30T11:00:00.000Z',
    finishedAt: null,
    attempts: [],
  },
  QueuedTest: {
    id: '745',
    messageId: 'evt_test_5f0c2a9d41be7c03a8e4d2f1',
    kind: 'test',
    eventId: null,
    eventType: 'webhook.test',
    status: 'pending',
    nextAttemptAt: '2026-11-30T11:00:00.000Z',
    createdAt: '2026-11-30T11:00:00.000Z',
    finishedAt: null,
    attempts: [],
  },
  NotificationSettings: notificationSettings,
  Health: { status: 'ok' },
  Readiness: { status: 'ready', checks: { database: true, migrations: true, temporal: true, searchAttributes: true } },
  Unready: {
    status: 'not ready',
    checks: { database: true, migrations: false, temporal: true, searchAttributes: null },
    missing: ['migrations'],
    details: { migrations: '2 migrations pending: run `npm run setup`' },
  },
} as const;

/** A problem+json body for an example. */
export function problemExample(status: number, title: string, detail: string, instance: string, extra: Record<string, unknown> = {}) {
  return { type: 'about:blank', title, status, detail, instance, ...extra };
}

export const EXAMPLE_IDS = { organization: ORGANIZATION_ID, administrator: ADMINISTRATOR_ID, domain: DOMAIN_ID, provider: PROVIDER_ID } as const;
