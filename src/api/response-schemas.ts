import { z } from 'zod';
import { CALLBACK_OUTCOMES, VERIFICATION_METHODS, VERIFICATION_OUTCOMES } from '../domain/review-records';
import { PROFILE_STATUSES } from '../domain/status';
import { DOMAIN_STATUSES } from '../domain/vocabulary';
import { RESULT_CODES } from '../dcv/result-codes';
import { READINESS_CHECKS } from './readiness';
import { EVENT_TYPES } from '../notify/event-types';
import { emailLanguage } from '../notify/settings-input';

// What the API answers (src/api/views.ts), as zod schemas the OpenAPI document is generated from. Objects
// are closed (`additionalProperties: false`), so the response validator of the test suite
// (test/support/contract.ts) catches a field the document does not name.

const timestamp = z.iso.datetime().nullable();
const E164 = /^\+[1-9][0-9]{1,14}$/;

const review = {
  status: z.enum(PROFILE_STATUSES),
  submittedAt: timestamp,
  dueAt: timestamp.describe('End of the review SLA'),
  approvedAt: timestamp,
  validUntil: timestamp.describe('End of the identity reuse period (398 days under the Baseline Requirements)'),
  rejectionReason: z.string().nullable().describe('Why the last review rejected it; kept until the next review decides (see the review history)'),
  createdAt: timestamp,
  updatedAt: timestamp,
};

export const administrator = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  firstName: z.string(),
  lastName: z.string(),
  position: z.string(),
  phone: z.string().regex(E164).describe('The mobile, E.164'),
  email: z.string().meta({ format: 'idn-email' }).describe('Stored form: the domain in lowercase A-labels, the local part as entered'),
  ...review,
});

export const organization = z.object({
  id: z.uuid(),
  name: z.string(),
  displayName: z.string().nullable(),
  department: z.string().nullable(),
  country: z.string().regex(/^[A-Z]{2}$/),
  province: z.string(),
  city: z.string(),
  address: z.string(),
  postalCode: z.string().nullable(),
  landline: z
    .string()
    .regex(/^\+[1-9][0-9]{1,14}(;ext=[0-9]+)?$/)
    .describe('E.164, followed by RFC 3966 `;ext=<digits>` when the number has an extension: `+861065529988;ext=8001`'),
  ...review,
  administrators: z.array(administrator),
});

const actor = z.object({
  kind: z.enum(['customer', 'reviewer', 'system']),
  id: z.string().nullable().describe("The customer's API key id or the reviewer's id; null for the service"),
  name: z.string().nullable().describe('Readable: the API key\'s name, the reviewer\'s display name, or "system"; null once the key or reviewer is gone'),
});

const callbackSummary = {
  number: z.string().describe('The number dialled: the landline, E.164 with RFC 3966 `;ext=`'),
  calledAt: z.iso.datetime(),
  outcome: z.enum(CALLBACK_OUTCOMES),
};
const verificationSummary = {
  method: z.enum(VERIFICATION_METHODS),
  contact: z.string().describe("The administrator's email address or mobile the CA used"),
  contactedAt: z.iso.datetime(),
  outcome: z.enum(VERIFICATION_OUTCOMES),
};
const reviewShape = {
  id: z.string(),
  status: z.enum(['approved', 'rejected']).describe('What the review decided'),
  reason: z.string().nullable().describe('Why it was rejected'),
  submittedAt: z.iso.datetime().describe('Start of the review'),
  decidedAt: z.iso.datetime(),
  decidedBy: actor.describe('The reviewer, or the service (an administrator rejected with its organization)'),
};

export const reviewHistory = z
  .object({
    ...reviewShape,
    callback: z.object(callbackSummary).nullable().describe("Outcome of the CA's call to the organization's landline"),
    verification: z.object(verificationSummary).nullable().describe("Outcome of the CA's confirmation of the administrator"),
  })
  .describe("A completed review as the customer sees it; the reviewer's note and who answered the call stay with the CA");

export const reviewRecord = z
  .object({
    ...reviewShape,
    kind: z.enum(['organization', 'administrator']),
    subjectId: z.uuid(),
    callback: z
      .object({
        ...callbackSummary,
        answeredBy: z.object({ name: z.string(), role: z.string().nullable() }).nullable(),
        note: z.string().nullable().describe("The reviewer's note"),
      })
      .nullable(),
    verification: z.object({ ...verificationSummary, note: z.string().nullable() }).nullable(),
  })
  .describe('A completed review with the full record, for reviewers');

const json = z.unknown().describe('Any JSON value');

export const event = z.object({
  id: z.string().regex(/^[0-9]+$/),
  at: z.iso.datetime(),
  actor,
  action: z.string(),
  before: json.describe('The changed fields before (null for a creation)'),
  after: json.describe('The changed fields after'),
  note: z.string().nullable(),
});

export const reviewItem = z.object({
  kind: z.enum(['organization', 'administrator']),
  id: z.uuid(),
  accountId: z.uuid(),
  organizationId: z.uuid(),
  submittedAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  overdue: z.boolean(),
  subject: z
    .union([organization, administrator.extend({ organization: z.object({ id: z.uuid(), name: z.string(), status: z.enum(PROFILE_STATUSES) }) })])
    .optional()
    .describe('The submitted fields under review: the organization, or the administrator with its organization; absent if the profile was deleted meanwhile'),
  lastReview: reviewRecord.nullable().describe('The previous review of a resubmission, with its record; null on a first submission'),
});

export const checkResult = z.object({
  perspective: z.string(),
  code: z.enum(RESULT_CODES),
  passed: z.boolean(),
  expected: z.string(),
  observed: z.array(z.string()).describe('What it saw, short and truncated'),
  detail: z.string().describe('One sentence for people'),
  hops: z
    .array(z.object({ url: z.string(), address: z.string().optional(), status: z.number().int().optional() }))
    .optional()
    .describe('HTTP checks: each request of the redirect chain, the address connected to and its status'),
  lookup: z.object({ name: z.string(), error: z.string().optional() }).optional().describe("DNS checks: the name looked up and the resolver's error code"),
  faultSide: z.enum(['ca', 'customer']).optional().describe("Whose side a failure is on: the CA's (it retries) or the customer's"),
});

export const quorum = z.object({
  summary: z.string().describe('corroborating/total, e.g. 2/3'),
  required: z.number().int(),
  passedPerspectives: z.array(z.string()),
  failedPerspectives: z.array(z.string()),
});

const dnsRecord = z.object({ type: z.enum(['TXT', 'CNAME']), name: z.string(), value: z.string() });
const instructions = z
  .object({
    method: z.enum(['dns_txt', 'dns_provider', 'dns_cname', 'file', 'file_proxy']),
    brMethod: z.string(),
    automatic: z.boolean(),
    domain: z.string(),
    randomValue: z.string(),
    summary: z.string().describe('One short paragraph for the customer'),
    record: dnsRecord.optional().describe('The DNS record to publish (DNS methods)'),
    serviceRecord: dnsRecord.optional().describe('The TXT record the service keeps at the delegation target (dns_cname)'),
    file: z.object({ url: z.string(), content: z.string() }).optional().describe('The file the CA fetches (file methods)'),
    proxy: z.object({ path: z.string(), upstream: z.string(), warning: z.string().optional() }).optional().describe('What to reverse-proxy where (file_proxy)'),
  })
  .nullable()
  .describe('Exact record or file to publish; null when the service is not configured for the method');

export const domain = z.object({
  id: z.uuid(),
  administratorId: z.uuid(),
  domain: z.string().describe('Normalized: lowercase A-labels, no trailing dot'),
  autoValidation: z.boolean(),
  method: z.enum(['dns', 'file', 'dns_provider']),
  dnsProviderId: z.uuid().nullable(),
  status: z.enum(DOMAIN_STATUSES),
  usable: z.boolean().describe('Validated and within the reuse period in force today (BR §4.2.1)'),
  needsAttention: z
    .boolean()
    .describe("Held up by something someone must fix: a failed automatic revalidation, the customer's DNS, or a fault on the CA's side"),
  attentionReason: z
    .string()
    .nullable()
    .describe('Why, starting with the side at fault: "CA side: …" (the CA retries and alerts; the domain never fails for it) or "customer side: …"'),
  instructions,
  randomValueExpiresAt: timestamp,
  validatedAt: timestamp,
  validUntil: timestamp,
  brMethod: z.string().nullable().describe('Baseline Requirements method, e.g. 3.2.2.4.7'),
  brVersion: z.string().nullable(),
  failureReason: z.string().nullable(),
  lastCheck: z.record(z.string(), z.unknown()).nullable().describe('The last check: when, what passed, and each perspective'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const precheck = z.object({ passed: z.boolean(), code: z.string(), quorum, perspectives: z.array(checkResult) });

export const check = z.object({
  id: z.string().regex(/^[0-9]+$/),
  at: z.iso.datetime(),
  kind: z.enum(['precheck', 'recheck', 'scan']),
  passed: z.boolean(),
  code: z.string(),
  quorum,
  perspectives: z.array(checkResult),
});

const providerCommon = { id: z.uuid(), name: z.string(), createdAt: z.iso.datetime() };
export const dnsProvider = z
  .discriminatedUnion('kind', [
    z.object({
      ...providerCommon,
      kind: z.literal('rfc2136'),
      server: z.string(),
      port: z.number().int(),
      zone: z.string(),
      tsigKeyName: z.string(),
      tsigAlgorithm: z.string(),
    }),
    z.object({ ...providerCommon, kind: z.literal('dnspod'), tokenId: z.string() }),
  ])
  .describe('Settings without the secret');

export const page = (item: z.ZodType) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page') });

export const health = z.object({ status: z.literal('ok') });

const readinessChecks = z.object(Object.fromEntries(READINESS_CHECKS.map((name) => [name, z.boolean().nullable().optional()])));
export const readiness = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: readinessChecks.describe('Each probe: true passed, false failed, null not asked (its dependency is down)'),
  missing: z.array(z.enum(READINESS_CHECKS)).optional().describe('The failed checks (503 only)'),
  details: z.record(z.string(), z.string()).optional().describe('What is missing, for people: `npm run setup` provides it'),
});

/** RFC 9457 problem details, with the API's extension members. */
export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string(),
    errors: z
      .array(
        z.object({
          field: z.string().describe('Path of the field at fault, e.g. `organization.landline`; `(body)` for the body as a whole'),
          message: z.string().describe('"required" when the field is missing'),
          rule: z.string().optional().describe('Name of the rule broken, where there is one (see below)'),
          values: z
            .record(z.string(), z.union([z.string(), z.number()]))
            .optional()
            .describe('The rule\'s numbers and words for this field, e.g. `{"maximum": 64}` for `max-length`'),
        }),
      )
      .optional(),
    existing: z
      .object({ kind: z.enum(['organization', 'administrator', 'domain']), id: z.uuid(), href: z.string() })
      .optional()
      .describe('With a 409 duplicate: the profile or domain the account already holds'),
    claim: z
      .object({ reviewerId: z.uuid(), reviewerName: z.string(), claimedAt: z.iso.datetime(), expiresAt: z.iso.datetime() })
      .optional()
      .describe('With a 409 review-claimed: the reviewer who holds the review in the console, and until when'),
  })
  .describe('RFC 9457 problem details');

// Notifications (issue 11): the account event feed, webhook endpoints and their deliveries, email settings.

export const feedEvent = z
  .object({
    id: z
      .string()
      .regex(/^evt_[1-9][0-9]*$/)
      .describe('`evt_<n>`; also the `webhook-id` of its deliveries'),
    type: z.enum(EVENT_TYPES),
    timestamp: z.iso.datetime().describe('When the change happened'),
    objectKind: z.enum(['organization', 'administrator', 'domain', 'webhook']),
    objectId: z.uuid(),
    data: z
      .unknown()
      .describe(
        'The object as it was in that change, in its public view (Organization, Administrator, Domain, Webhook); null for an object deleted before its snapshot was taken, or a snapshot that cannot be rendered (the service logs it as an error)',
      ),
  })
  .describe('An event of the account feed, as webhooks send it too (the Standard Webhooks payload shape: `type`, `timestamp`, `data`)');

export const feedPage = z.object({
  items: z.array(feedEvent),
  nextCursor: z.string().nullable().describe('Id of the last event of this page when more follow (pass it as `after`); null on the last page'),
});

export const webhook = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.enum(EVENT_TYPES)).nullable().describe('The event types sent; null: all of them'),
  enabled: z.boolean(),
  disabledReason: z
    .string()
    .nullable()
    .describe('Why the service disabled it: a delivery failed through the whole retry schedule (about three days), or the endpoint answered 410 Gone'),
  disabledAt: timestamp,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const webhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+=*$/)
  .nullable()
  .describe(
    'The signing secret, `whsec_` + base64 of 32 random bytes: shown here once (and to a retry with the same Idempotency-Key); null in a retry once the secret signs nothing any more (rotated out past its overlap, or the endpoint deleted)',
  );

export const webhookWithSecret = webhook.extend({ secret: webhookSecret });

export const rotatedWebhookSecret = z.object({
  id: z.uuid(),
  secret: webhookSecret,
  previousSecretExpiresAt: z.iso.datetime().describe('Until then deliveries carry a signature with the previous secret too'),
});

const webhookAttempt = z.object({
  at: z.iso.datetime(),
  durationMs: z.number().int(),
  statusCode: z.number().int().nullable().describe("The endpoint's HTTP status; null when none came back"),
  error: z.string().nullable().describe('Why no status came back: the address guard, DNS, the connection, TLS or the timeout'),
  responseBody: z.string().nullable().describe("The start of the endpoint's answer (at most 1 KiB)"),
});

export const webhookDelivery = z.object({
  id: z.string().regex(/^[1-9][0-9]*$/),
  messageId: z.string().describe('The `webhook-id` sent: the event id (the same for every attempt and redelivery of it), or the test message id'),
  kind: z.enum(['event', 'redelivery', 'test']),
  eventId: z.string().nullable(),
  eventType: z.string(),
  status: z
    .enum(['pending', 'delivered', 'failed'])
    .describe('delivered: a 2xx answer; failed: the retry schedule used up, 410 Gone, or a test that failed once'),
  nextAttemptAt: timestamp.describe('When a pending message is tried (again)'),
  createdAt: z.iso.datetime(),
  finishedAt: timestamp,
  attempts: z.array(webhookAttempt),
});

export const notificationSettings = z.object({
  language: emailLanguage,
  contacts: z.array(z.object({ email: z.string(), name: z.string().nullable(), language: emailLanguage.nullable() })),
});
