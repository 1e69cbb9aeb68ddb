import { z } from 'zod';
import { administratorInput, administratorPatch, organizationFields, organizationPatchFields } from '../domain/schemas';
import { decisionBody } from '../domain/decision-schemas';
import { dnsProviderInput } from '../domain/dns-provider-schemas';
import { createDomainBody, domainListQuery } from '../domain/domain-input';
import { profileListQuery, reviewQueueQuery } from '../domain/query-params';
import { FIELD_RULES } from '../domain/field-rules';
import { DOMAIN_NAME_RULES } from '../dcv/domain-name';
import { codecPayloads } from './codec-server';
import { feedQuery } from '../notify/feed-query';
import { notificationSettingsInput } from '../notify/settings-input';
import { deliveryListQuery, redeliveryInput, rotateSecretInput, webhookInput, webhookPatch } from '../notify/webhook-input';
import { pageQuery } from './pagination';
import { type HttpMethod, type OperationSpec, pathsOf } from './openapi-operation';
import { REQUEST_EXAMPLES, RESPONSE_EXAMPLES } from './openapi-examples';
import * as response from './response-schemas';

/** A zod schema as a JSON Schema (2020-12, the dialect of OpenAPI 3.1): `input` for what clients send, `output` for what they get. */
const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

// The input shape of a decision does not depend on the profile it is checked against.
const PLACEHOLDER_CONTEXT = { subject: { kind: 'organization' as const, submittedAt: new Date(0) }, country: 'CN', now: new Date(0) };

const RULES_NOTE = `\`errors[].rule\` names the rule each field breaks, one of: ${Object.entries(FIELD_RULES)
  .map(([rule, source]) => `\`${rule}\` (${source})`)
  .join(
    ', ',
  )}. \`errors[].values\` carries the rule's numbers and words for the field where it has any (\`{"maximum": 64}\` for \`max-length\`), so a client can word the rule itself, in its own language. A fault that no rule of the value names (malformed JSON, an unknown cursor, a reused Idempotency-Key) has no \`rule\``;

const schemas = {
  Organization: json(response.organization),
  Administrator: json(response.administrator),
  OrganizationPage: json(response.page(response.organization)),
  AdministratorPage: json(response.page(response.administrator)),
  EventPage: json(response.page(response.event)),
  ReviewPage: json(response.page(response.reviewItem)),
  ReviewHistoryPage: json(response.page(response.reviewHistory)),
  ReviewRecordPage: json(response.page(response.reviewRecord)),
  Domain: json(response.domain),
  DomainPage: json(response.page(response.domain)),
  Precheck: json(response.precheck),
  CheckPage: json(response.page(response.check)),
  DnsProvider: json(response.dnsProvider),
  DnsProviderPage: json(response.page(response.dnsProvider)),
  Health: json(response.health),
  Readiness: json(response.readiness),
  Problem: { ...json(response.problem), description: `RFC 9457 problem details. ${RULES_NOTE}` },
  CreateOrganization: json(
    z
      .strictObject({
        organization: organizationFields,
        administrator: administratorInput().optional().describe("The organization's first administrator: required with the account's first organization"),
      })
      .describe('Every field at fault, in the organization and the administrator alike, is answered at once'),
    'input',
  ),
  OrganizationPatch: json(organizationPatchFields, 'input'),
  AdministratorInput: json(administratorInput(), 'input'),
  AdministratorPatch: json(administratorPatch(), 'input'),
  OrganizationDecision: json(decisionBody('organization', PLACEHOLDER_CONTEXT), 'input'),
  AdministratorDecision: json(decisionBody('administrator', PLACEHOLDER_CONTEXT), 'input'),
  CreateDomain: json(createDomainBody, 'input'),
  CreateDnsProvider: json(dnsProviderInput, 'input'),
  CodecPayloads: { ...json(codecPayloads, 'input'), description: "Temporal's Payloads message in proto3 JSON: metadata values and data in base64" },
  FeedEventPage: json(response.feedPage),
  Webhook: json(response.webhook),
  WebhookWithSecret: json(response.webhookWithSecret),
  WebhookPage: json(response.page(response.webhook)),
  RotatedWebhookSecret: json(response.rotatedWebhookSecret),
  WebhookDelivery: json(response.webhookDelivery),
  WebhookDeliveryPage: json(response.page(response.webhookDelivery)),
  NotificationSettings: json(response.notificationSettings),
  CreateWebhook: json(webhookInput, 'input'),
  WebhookPatch: json(webhookPatch, 'input'),
  RotateWebhookSecret: json(rotateSecretInput, 'input'),
  Redelivery: json(redeliveryInput, 'input'),
  NotificationSettingsInput: json(notificationSettingsInput, 'input'),
};
type SchemaName = keyof typeof schemas;

const ok = <S extends SchemaName & keyof typeof RESPONSE_EXAMPLES>(schema: S, description = 'OK', status: 200 | 201 | 202 = 200) => ({
  status,
  description,
  schema,
  example: RESPONSE_EXAMPLES[schema],
});
const deleted = { status: 204 as const, description: 'Deleted' };
const body = (schema: SchemaName & keyof typeof REQUEST_EXAMPLES) => ({ schema, examples: REQUEST_EXAMPLES[schema] });
const customer = { tag: 'Customer' as const, access: 'customer' as const };
const reviewer = { tag: 'Reviewer' as const, access: 'reviewer' as const };
const notifications = { tag: 'Notifications' as const, access: 'customer' as const };
const list = (query: z.ZodObject = pageQuery) => ({ query });
const withStatus = (query: z.ZodObject) => pageQuery.extend(query.shape);

/** Well-formed profile data no rule allows (the body's `errors` lists every field at fault, with its rule). */
const SUBJECT_REFUSAL = {
  description:
    "A value a CA could not put in a certificate subject (`errors[].rule`: a subject rule, `iso-3166-2` for a province that is not one of the country's subdivisions, or an email rule)",
  title: 'Unprocessable Content',
  detail: 'organization.city: says the value is absent or not applicable',
  extra: { errors: [{ field: 'organization.city', message: 'says the value is absent or not applicable', rule: 'not-applicable' }] },
};
const DELETED_MEANWHILE = 'Deleted meanwhile (the request raced a delete)';

function duplicate(kind: 'organization' | 'administrator', also = '') {
  const same = kind === 'organization' ? 'same legal name and country' : 'same given name, surname and mailbox';
  return {
    description: `${also}This ${kind} is already in the account (${same}, compared after NFKC, case folding and whitespace/punctuation removal): \`existing\` names it`,
    title: 'Duplicate',
    detail: `the account already holds this ${kind} as ${kind} 3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90`,
    extra: {
      type: 'https://certificate-profiles.dev/problems/duplicate',
      errors: [{ field: kind === 'organization' ? 'name' : 'email', message: `the same as ${kind} 3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90`, rule: 'duplicate' }],
      existing: { kind, id: '3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90', href: `/v1/${kind}s/3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90` },
    },
  };
}

/** GET, PATCH and DELETE of one organization or administrator, its resubmit, audit trail and review history. */
function profileOperations(kind: 'organization' | 'administrator') {
  const Kind = kind === 'organization' ? 'Organization' : 'Administrator';
  const id = { pathParams: { id: kind } };
  return {
    [`/v1/${kind}s/{id}`]: {
      get: { ...customer, ...id, operationId: `get${Kind}`, summary: `Get an ${kind}`, answer: ok(Kind) },
      patch: {
        ...customer,
        ...id,
        operationId: `update${Kind}`,
        summary: `Edit an ${kind}; a change to a reviewed field sends it back to under_review`,
        idempotencyKey: true,
        body: body(`${Kind}Patch`),
        answer: ok(Kind),
        refusals: { '409': duplicate(kind, `${DELETED_MEANWHILE}. Or: `), '422': SUBJECT_REFUSAL },
      },
      delete: {
        ...customer,
        ...id,
        operationId: `delete${Kind}`,
        summary: `Delete an ${kind}${kind === 'organization' ? ' with its administrators and their domains (frees a slot)' : ' with its domains'}`,
        idempotencyKey: true,
        answer: deleted,
        refusals: { '409': DELETED_MEANWHILE },
      },
    },
    [`/v1/${kind}s/{id}/resubmit`]: {
      post: {
        ...customer,
        ...id,
        operationId: `resubmit${Kind}`,
        summary: `Resubmit an ${kind} after a rejection, or to renew it when expiring or expired`,
        idempotencyKey: true,
        answer: ok(Kind),
        refusals: { '409': 'Not rejected, expiring or expired' },
      },
    },
    [`/v1/${kind}s/{id}/events`]: {
      get: {
        ...customer,
        ...id,
        operationId: `list${Kind}Events`,
        summary: `Audit trail of an ${kind}, oldest first; readable after a delete`,
        ...list(),
        answer: ok('EventPage'),
      },
    },
    [`/v1/${kind}s/{id}/reviews`]: {
      get: {
        ...customer,
        ...id,
        operationId: `list${Kind}Reviews`,
        summary:
          kind === 'organization'
            ? "Review history of an organization, oldest first: each decision, its reason, the reviewer's name and what came of the CA's call"
            : "Review history of an administrator, oldest first: each decision, its reason, the reviewer's name and how the CA confirmed the administrator",
        ...list(),
        answer: ok('ReviewHistoryPage'),
      },
    },
  } satisfies Record<string, Record<string, OperationSpec>>;
}

function decisionOperations(kind: 'organization' | 'administrator') {
  const Kind = kind === 'organization' ? 'Organization' : 'Administrator';
  const id = { pathParams: { id: kind } };
  const record =
    kind === 'organization'
      ? "Approval needs the record of the CA's call to the organization's landline (the number as stored, extension included; answered; who answered and their role; when; the reviewer's note)"
      : "Approval needs the record of how the CA confirmed the administrator (email or phone, at the administrator's own address or mobile; confirmed; when; the reviewer's note)";
  const rules = kind === 'organization' ? '`callback-answered`, `callback-number`' : '`verification-confirmed`, `verification-contact`';
  return {
    [`/v1/reviews/${kind}s/{id}/decision`]: {
      post: {
        ...reviewer,
        ...id,
        operationId: `decide${Kind}`,
        summary: `Approve or reject an ${kind}`,
        description: `${record}. A rejection needs its \`reason\`.`,
        idempotencyKey: true,
        body: body(`${Kind}Decision`),
        answer: ok(Kind),
        refusals: {
          '409': {
            description: `${kind === 'organization' ? 'Not under review' : 'Not under review, or its organization is not approved'}. Or: another reviewer holds the review in the console (\`claim\` names them and until when); nothing was sent`,
            title: 'Review held by another reviewer',
            detail: `Zhang Wei is reviewing this ${kind} (claimed at 2026-11-30T03:00:00.000Z, until 2026-11-30T03:30:00.000Z); your decision was not sent`,
            extra: {
              type: 'https://certificate-profiles.dev/problems/review-claimed',
              claim: {
                reviewerId: '3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90',
                reviewerName: 'Zhang Wei',
                claimedAt: '2026-11-30T03:00:00.000Z',
                expiresAt: '2026-11-30T03:30:00.000Z',
              },
            },
          },
          '422': {
            description: `The record does not fit the ${kind}: \`errors[]\` names each field and rule (\`required\`, ${rules}, \`not-in-future\`, \`not-before-submission\`). Nothing changed`,
            title: 'Unprocessable Content',
            detail:
              kind === 'organization' ? 'callback.outcome: the call must have been answered to approve' : 'verification.outcome: must be confirmed to approve',
          },
        },
      },
    },
    [`/v1/reviews/${kind}s/{id}/history`]: {
      get: {
        ...reviewer,
        ...id,
        operationId: `list${Kind}ReviewRecords`,
        summary: `An ${kind}'s review history with the full records (who answered, the reviewer's notes), oldest first`,
        ...list(),
        answer: ok('ReviewRecordPage'),
      },
    },
  } satisfies Record<string, Record<string, OperationSpec>>;
}

const WEBHOOK = { pathParams: { id: 'webhook' } };
const WEBHOOK_DISABLED = 'The endpoint is disabled: enable it first (`PATCH` with `enabled: true`)';
const PUBLIC_ADDRESS = {
  description: '`url` names a literal address that is not public unicast (`errors[].rule` `public-address`); a host name is judged at each delivery',
  title: 'Unprocessable Content',
  detail: 'url: 10.0.0.8 is a private address (RFC 1918)',
  extra: { errors: [{ field: 'url', message: '10.0.0.8 is a private address (RFC 1918)', rule: 'public-address' }] },
};

/** The account's event feed, its webhook endpoints with their deliveries, and its email settings (issue 11). */
const NOTIFICATION_PATHS = {
  '/v1/events': {
    get: {
      ...notifications,
      operationId: 'listEvents',
      summary: "The account's event feed, oldest first",
      description:
        'Every public event of the account in commit order: a change is listed once its transaction committed, and never after an event a later page could precede, so a client that passes the last id it handled as `after` misses nothing and sees nothing twice. The same events are sent to webhooks.',
      query: feedQuery,
      answer: ok('FeedEventPage'),
      refusals: { '400': '`type` names an unknown event type (`errors[].rule` `event-type`), or `after` is not an event of this account' },
    },
  },
  '/v1/webhooks': {
    post: {
      ...notifications,
      operationId: 'createWebhook',
      summary: 'Add a webhook endpoint; its signing secret is in the answer, once',
      description:
        'Deliveries are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`); verify them with a Standard Webhooks library and the secret. The URL must reach a public unicast address: a literal address is judged now, a host name at each delivery (and must be a name of the public DNS: `localhost`, `intranet` or `*.internal` answer 400 with the rule broken).',
      idempotencyKey: true,
      body: body('CreateWebhook'),
      answer: ok('WebhookWithSecret', 'Created, with its secret', 201),
      refusals: { '409': 'The account already has 20 webhooks', '422': PUBLIC_ADDRESS },
    },
    get: {
      ...notifications,
      operationId: 'listWebhooks',
      summary: "The account's webhook endpoints, oldest first (never their secrets)",
      ...list(),
      answer: ok('WebhookPage'),
    },
  },
  '/v1/webhooks/{id}': {
    get: { ...notifications, ...WEBHOOK, operationId: 'getWebhook', summary: 'One webhook endpoint', answer: ok('Webhook') },
    patch: {
      ...notifications,
      ...WEBHOOK,
      operationId: 'updateWebhook',
      summary: 'Change the URL, event types, description, or enable / disable it',
      description:
        'Enabling an endpoint the service disabled resumes its queue after the message that failed (redeliver that one if needed); events of the time it was disabled are not sent (redeliver them from the feed).',
      idempotencyKey: true,
      body: body('WebhookPatch'),
      answer: ok('Webhook', 'Changed'),
      refusals: { '422': PUBLIC_ADDRESS },
    },
    delete: {
      ...notifications,
      ...WEBHOOK,
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook endpoint with its secrets and delivery records',
      idempotencyKey: true,
      answer: deleted,
    },
  },
  '/v1/webhooks/{id}/rotate-secret': {
    post: {
      ...notifications,
      ...WEBHOOK,
      operationId: 'rotateWebhookSecret',
      summary: 'A new signing secret; the previous one keeps signing beside it for a while',
      description:
        'Until `previousSecretExpiresAt`, each delivery carries two signatures (space-separated in `webhook-signature`), one per secret, so receivers can switch secrets without losing a message. The body may be left out (WEBHOOK_SECRET_OVERLAP applies).',
      idempotencyKey: true,
      body: { ...body('RotateWebhookSecret'), optional: true },
      answer: ok('RotatedWebhookSecret', 'The new secret, shown once'),
    },
  },
  '/v1/webhooks/{id}/deliveries': {
    get: {
      ...notifications,
      ...WEBHOOK,
      operationId: 'listWebhookDeliveries',
      summary: "The endpoint's messages, newest first, each with every attempt and what the endpoint answered",
      ...list(withStatus(deliveryListQuery)),
      answer: ok('WebhookDeliveryPage'),
    },
  },
  '/v1/webhooks/{id}/deliveries/{deliveryId}': {
    get: {
      ...notifications,
      pathParams: {
        id: 'webhook',
        deliveryId: { description: "The delivery's id (`id` of a delivery)", schema: { type: 'string', pattern: '^[1-9][0-9]*$' } },
      },
      operationId: 'getWebhookDelivery',
      summary: 'One message to the endpoint with its attempts',
      answer: ok('WebhookDelivery'),
    },
  },
  '/v1/webhooks/{id}/redeliver': {
    post: {
      ...notifications,
      ...WEBHOOK,
      operationId: 'redeliverWebhookEvent',
      summary: "Send one of the account's events to the endpoint again (any type), with its original `webhook-id`",
      description: "Queued ahead of the endpoint's events and retried on the same schedule.",
      idempotencyKey: true,
      body: body('Redelivery'),
      answer: { status: 202, description: 'Queued', schema: 'WebhookDelivery', example: RESPONSE_EXAMPLES.QueuedRedelivery },
      refusals: { '400': '`eventId` is not an event of this account', '409': WEBHOOK_DISABLED },
    },
  },
  '/v1/webhooks/{id}/test': {
    post: {
      ...notifications,
      ...WEBHOOK,
      operationId: 'sendWebhookTest',
      summary: 'Send a `webhook.test` message to the endpoint now (tried once; see its delivery for the answer)',
      idempotencyKey: true,
      answer: { status: 202, description: "Queued ahead of the endpoint's events", schema: 'WebhookDelivery', example: RESPONSE_EXAMPLES.QueuedTest },
      refusals: { '409': WEBHOOK_DISABLED },
    },
  },
  '/v1/notification-settings': {
    get: {
      ...notifications,
      operationId: 'getNotificationSettings',
      summary: "The account's email language and contacts",
      answer: ok('NotificationSettings', 'The settings (English and no contacts until set)'),
    },
    put: {
      ...notifications,
      operationId: 'putNotificationSettings',
      summary: "Set the account's email language and contacts",
      description:
        "Administrators are emailed in the account's language about approvals, rejections (with the reason), expiring approvals and validations (30 and 7 days before by default) and domains needing attention; contacts get the same, and a disabled webhook, in their own language or the account's.",
      body: body('NotificationSettingsInput'),
      answer: ok('NotificationSettings', 'Saved'),
      refusals: { '422': 'An address no rule allows (`errors[].rule`: an email rule)' },
    },
  },
} satisfies Record<string, Partial<Record<HttpMethod, OperationSpec>>>;

/** CORS answers to the Temporal UI's origins (TEMPORAL_UI_ORIGIN). */
const CORS = {
  'Access-Control-Allow-Origin': { description: "The request's Origin, when it is allowed (never `*`)", schema: { type: 'string' } },
  'Access-Control-Allow-Credentials': { description: 'With an allowed Origin', schema: { type: 'string', const: 'true' } },
};

/** Temporal's codec-server protocol for the Temporal UI and CLI (README: Personal data in Temporal). */
function codecOperations(direction: 'encode' | 'decode', summary: string) {
  const Direction = direction === 'encode' ? 'Encode' : 'Decode';
  return {
    post: {
      ...reviewer,
      tag: 'Operations',
      operationId: `codec${Direction}`,
      summary,
      description: 'Reviewer keys only. Browsers: only the origins in TEMPORAL_UI_ORIGIN (CORS).',
      headers: [{ name: 'X-Namespace', description: 'Sent by the Temporal UI and CLI; not needed', schema: { type: 'string' } }],
      body: { ...body('CodecPayloads'), limit: '8 MB', description: 'Payloads, at most 1000' },
      answer: { ...ok('CodecPayloads', 'The payloads, one for each sent, in the same order'), headers: CORS },
      refusals: {
        '400': 'A payload the codec cannot open (unknown key id, altered): `errors` names `payloads.<index>`',
        '403': 'An `Origin` not in TEMPORAL_UI_ORIGIN',
      },
    },
    options: {
      tag: 'Operations',
      access: 'public',
      operationId: `codec${Direction}Preflight`,
      summary: "CORS preflight of the Temporal UI's requests",
      answer: {
        status: 204,
        description: 'Allowed: `Access-Control-Allow-Origin` echoes the origin, with the methods and headers the UI sends',
        headers: {
          Allow: { description: 'The methods of the path', required: true, schema: { type: 'string', const: 'POST, OPTIONS' } },
          ...CORS,
          'Access-Control-Allow-Methods': { description: 'With an allowed Origin', schema: { type: 'string' } },
          'Access-Control-Allow-Headers': { description: 'With an allowed Origin: Authorization, Content-Type, X-Namespace', schema: { type: 'string' } },
          'Access-Control-Max-Age': { description: 'With an allowed Origin: seconds the preflight may be cached', schema: { type: 'integer' } },
        },
      },
      refusals: { '403': 'Origin not in TEMPORAL_UI_ORIGIN' },
    },
  } satisfies Record<string, OperationSpec>;
}

/**
 * Every operation, one OperationSpec each (./openapi-operation.ts adds the shared statuses, headers and
 * examples). A new one is, for example:
 *
 *   '/v1/webhooks': { post: { ...customer, operationId: 'createWebhook', summary: 'Subscribe to events',
 *     idempotencyKey: true, body: body('CreateWebhook'), answer: ok('Webhook', 'Created', 201),
 *     refusals: { '409': 'The account already has 10 webhooks' } } },
 *
 * with its schemas in `schemas` (from the zod schemas the route parses with and answers) and its examples
 * in ./openapi-examples.ts. The test suite then validates its answers and fuzzes it.
 */
const PATHS = {
  '/healthz': {
    get: { tag: 'Operations', access: 'public', operationId: 'getHealth', summary: 'Liveness: the process is up', answer: ok('Health', 'Up') },
  },
  '/readyz': {
    get: {
      tag: 'Operations',
      access: 'public',
      operationId: 'getReadiness',
      summary: 'Readiness: database and Temporal reachable, migrations applied, search attributes registered',
      description: 'Each probe is bounded by a timeout, so this answers within the request deadline.',
      answer: ok('Readiness', 'Ready'),
      responses: {
        '503': {
          description:
            'Not ready: `missing` names the failed checks; `checks` holds each result, null when it could not be asked (migrations without the database, search attributes without Temporal); `details` says what is missing and that `npm run setup` provides it',
          headers: { 'Retry-After': { description: 'Seconds to wait before asking again', required: true, schema: { type: 'integer', minimum: 0 } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' }, example: RESPONSE_EXAMPLES.Unready } },
        },
      },
    },
  },
  '/codec/encode': codecOperations('encode', 'Encrypt payloads with the current codec key (Temporal codec-server protocol)'),
  '/codec/decode': codecOperations('decode', 'Decrypt payloads so an operator can read a history in the Temporal UI or CLI (Temporal codec-server protocol)'),
  '/v1/organizations': {
    post: {
      ...customer,
      operationId: 'createOrganization',
      summary: 'Submit an organization (with its first administrator) for CA review',
      idempotencyKey: true,
      body: body('CreateOrganization'),
      answer: ok('Organization', 'Created, under review', 201),
      refusals: { '409': duplicate('organization', 'The account already holds 10 organizations. Or: '), '422': SUBJECT_REFUSAL },
    },
    get: {
      ...customer,
      operationId: 'listOrganizations',
      summary: 'List organizations',
      ...list(withStatus(profileListQuery)),
      answer: ok('OrganizationPage'),
    },
  },
  ...profileOperations('organization'),
  '/v1/organizations/{id}/administrators': {
    post: {
      ...customer,
      pathParams: { id: 'organization' },
      operationId: 'createAdministrator',
      summary: 'Add an administrator (reviewed on its own)',
      idempotencyKey: true,
      body: body('AdministratorInput'),
      answer: ok('Administrator', 'Created, under review', 201),
      refusals: { '409': duplicate('administrator'), '422': SUBJECT_REFUSAL },
    },
    get: {
      ...customer,
      pathParams: { id: 'organization' },
      operationId: 'listAdministrators',
      summary: "List an organization's administrators",
      ...list(),
      answer: ok('AdministratorPage'),
    },
  },
  ...profileOperations('administrator'),
  '/v1/administrators/{id}/domains': {
    post: {
      ...customer,
      pathParams: { id: 'administrator' },
      operationId: 'createDomain',
      summary: 'Add a domain under an approved administrator, with its DCV method',
      idempotencyKey: true,
      body: body('CreateDomain'),
      answer: ok('Domain', 'Created, pending, with exact instructions', 201),
      refusals: {
        '409': {
          description:
            'The administrator is not approved (`detail` says its status). Or: the name is already in the account (compared after normalization to A-labels): `existing` names that domain',
          title: 'Duplicate',
          detail: 'www.example.com is already in this account as domain 3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90',
          extra: {
            type: 'https://certificate-profiles.dev/problems/duplicate',
            errors: [{ field: 'domain', message: 'the same as domain 3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90', rule: 'duplicate' }],
            existing: { kind: 'domain', id: '3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90', href: '/v1/domains/3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90' },
          },
        },
        '422': {
          description: `A name that can never be validated or certified, with \`errors[].rule\` naming the rule (${Object.keys(DOMAIN_NAME_RULES).join(', ')}); the validation name (\`_dnsauth.<name>\` for the DNS methods) must fit 253 characters. Or a method this service cannot offer now`,
          title: 'Unprocessable Content',
          detail: 'domain: the label "ab--cd" has hyphens in positions 3 and 4 but is not a valid A-label',
          extra: {
            errors: [
              { field: 'domain', message: 'the label "ab--cd" has hyphens in positions 3 and 4 but is not a valid A-label', rule: 'reserved-ldh-label' },
            ],
          },
        },
      },
    },
    get: {
      ...customer,
      pathParams: { id: 'administrator' },
      operationId: 'listAdministratorDomains',
      summary: "List an administrator's domains",
      ...list(),
      answer: ok('DomainPage'),
    },
  },
  '/v1/domains': {
    get: { ...customer, operationId: 'listDomains', summary: 'List domains', ...list(withStatus(domainListQuery)), answer: ok('DomainPage') },
  },
  '/v1/domains/{id}': {
    get: { ...customer, pathParams: { id: 'domain' }, operationId: 'getDomain', summary: 'Get a domain', answer: ok('Domain') },
    delete: {
      ...customer,
      pathParams: { id: 'domain' },
      operationId: 'deleteDomain',
      summary: 'Delete a domain (removes the records the service wrote)',
      idempotencyKey: true,
      answer: deleted,
      refusals: { '409': DELETED_MEANWHILE },
    },
  },
  '/v1/domains/{id}/validate': {
    post: {
      ...customer,
      pathParams: { id: 'domain' },
      operationId: 'precheckDomain',
      summary: 'Pre-check now: what each perspective expected and observed',
      answer: ok('Precheck'),
      refusals: {
        '409': DELETED_MEANWHILE,
        '429': {
          description: 'Pre-checked too recently: retry after `Retry-After` seconds',
          title: 'Too Many Requests',
          detail: 'pre-checks of one domain are limited to one every 10s; retry in 7s',
        },
      },
    },
  },
  '/v1/domains/{id}/revalidate': {
    post: {
      ...customer,
      pathParams: { id: 'domain' },
      operationId: 'revalidateDomain',
      summary: 'Start over with a fresh random value',
      idempotencyKey: true,
      answer: ok('Domain'),
      refusals: { '409': `A CA scan is running. Or: ${DELETED_MEANWHILE}` },
    },
  },
  '/v1/domains/{id}/events': {
    get: {
      ...customer,
      pathParams: { id: 'domain' },
      operationId: 'listDomainEvents',
      summary: 'Audit trail of a domain, oldest first',
      ...list(),
      answer: ok('EventPage'),
    },
  },
  '/v1/domains/{id}/checks': {
    get: {
      ...customer,
      pathParams: { id: 'domain' },
      operationId: 'listDomainChecks',
      summary: "Evidence: every pre-check, recheck and CA scan with each perspective's result and the quorum, newest first",
      ...list(),
      answer: ok('CheckPage'),
    },
  },
  '/v1/dns-providers': {
    post: {
      ...customer,
      operationId: 'createDnsProvider',
      summary: 'Connect a DNS provider (RFC 2136 + TSIG, or DNSPod); the secret is encrypted and never returned',
      idempotencyKey: true,
      body: body('CreateDnsProvider'),
      answer: ok('DnsProvider', 'Created', 201),
      refusals: {
        '422': {
          description: '`server` names a literal address that is not public unicast (`errors[].rule` `public-address`); a host name is judged at each update',
          title: 'Unprocessable Content',
          detail: 'server: 10.0.0.53 is a private address (RFC 1918)',
          extra: { errors: [{ field: 'server', message: '10.0.0.53 is a private address (RFC 1918)', rule: 'public-address' }] },
        },
      },
    },
    get: { ...customer, operationId: 'listDnsProviders', summary: 'List DNS providers', ...list(), answer: ok('DnsProviderPage') },
  },
  '/v1/dns-providers/{id}': {
    get: { ...customer, pathParams: { id: 'DNS provider' }, operationId: 'getDnsProvider', summary: 'Get a DNS provider', answer: ok('DnsProvider') },
    delete: {
      ...customer,
      pathParams: { id: 'DNS provider' },
      operationId: 'deleteDnsProvider',
      summary: 'Delete a DNS provider',
      idempotencyKey: true,
      answer: deleted,
      refusals: { '409': 'Domains use it (`detail` names them with their ids): delete them first' },
    },
  },
  '/dcv/{label}/fileauth.txt': {
    get: {
      tag: 'DCV',
      access: 'public',
      unavailable: true,
      operationId: 'getProxiedValidationFile',
      summary: "The public DCV address: what a customer's reverse proxy forwards the CA's file fetch to",
      pathParams: {
        label: { description: "The domain's proxy label, from its instructions' `proxy.upstream`", schema: { type: 'string', pattern: '^[a-z2-7]{32}$' } },
      },
      answer: {
        status: 200,
        description: 'The current random value',
        contentType: 'text/plain',
        schema: { type: 'string' },
        example: 'x7k2m9q4w8e1r5t3y6u0i2o4p8a1s3d5',
        headers: { 'Cache-Control': { description: 'Never cached: the value rotates', required: true, schema: { type: 'string', const: 'no-store' } } },
      },
    },
  },
  '/v1/reviews': {
    get: {
      ...reviewer,
      operationId: 'listReviewQueue',
      summary: 'Review queue across accounts, oldest first; a resubmission carries its previous review',
      ...list(withStatus(reviewQueueQuery)),
      answer: ok('ReviewPage'),
    },
  },
  ...decisionOperations('organization'),
  ...decisionOperations('administrator'),
  ...NOTIFICATION_PATHS,
} satisfies Record<string, Partial<Record<HttpMethod, OperationSpec>>>;

const KEY_FORMAT = 'API keys are `cps_ck_` (customer) or `cps_rk_` (reviewer) followed by 43 base64url characters (256 random bits)';

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Certificate profile service',
      version: '1.0.0',
      description:
        'Organization profiles, administrators and domains pre-validated with the certificate authority, so certificate applications skip organization review and DCV. Authenticate with `Authorization: Bearer <apiKey>`. Errors are RFC 9457 `application/problem+json`. Text fields are normalized (NFC, trimmed, inner whitespace collapsed) before their length rules apply; the schemas describe values without surrounding whitespace, which the service ignores where it normalizes a value (names, addresses, emails, phone numbers, country codes, DNS provider settings).',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This service' }],
    tags: [
      { name: 'Customer', description: "A customer account's organizations, administrators, domains and DNS providers (customer keys)" },
      { name: 'Notifications', description: "The account's event feed, webhooks (Standard Webhooks) and email settings (customer keys)" },
      { name: 'Reviewer', description: "The CA's review desk (reviewer keys)" },
      { name: 'Operations', description: 'Probes, and the payload codec for the Temporal UI' },
      { name: 'DCV', description: "What the CA's validation fetches reach" },
    ],
    components: {
      schemas,
      securitySchemes: {
        customerKey: { type: 'http', scheme: 'bearer', bearerFormat: 'cps_ck_…', description: `A customer key: sees only its own account. ${KEY_FORMAT}` },
        reviewerKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'cps_rk_…',
          description: `A reviewer key: the review desk and the codec endpoint. ${KEY_FORMAT}`,
        },
      },
    },
    paths: pathsOf(PATHS),
  };
}

/** The document's type, for code that reads it (the app's body reader and 405s, the test suite's validator). */
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
