// The OpenAPI part of notifications (issue 11): the account event feed, webhooks and notification
// settings. Self-contained, so src/api/openapi.ts only merges `notifySchemas` and `notifyPaths`.
import { z } from 'zod';
import { EVENT_TYPES } from '../notify/event-types';
import { rotateSecretInput, webhookInput, webhookPatch } from '../notify/webhook-input';
import { notificationSettingsInput } from '../notify/settings-input';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const feedEvent = z.object({
  id: z.string().describe('`evt_<n>`; also the `webhook-id` of its deliveries'),
  type: z.enum(EVENT_TYPES),
  timestamp: z.iso.datetime().describe('When the change happened'),
  objectKind: z.enum(['organization', 'administrator', 'domain', 'webhook']),
  objectId: z.uuid(),
  data: z
    .unknown()
    .describe(
      'The object as it was in that change, in its public view (Organization, Administrator, Domain, Webhook); null for an object deleted before its snapshot was taken',
    ),
});
const feedPage = z.object({
  items: z.array(feedEvent),
  nextCursor: z.string().nullable().describe('Id of the last event of this page when more follow (pass it as `after`); null on the last page'),
});

const EXAMPLE_EVENT = {
  id: 'evt_1042',
  type: 'organization.approved',
  timestamp: '2026-11-30T10:16:02.114Z',
  objectKind: 'organization',
  objectId: '5b0f3f7e-8a53-4a55-9d0e-0f5c8a3a2b11',
  data: { id: '5b0f3f7e-8a53-4a55-9d0e-0f5c8a3a2b11', name: 'Acme Network Technology Co., Ltd.', status: 'approved', validUntil: '2027-12-31T10:16:02.114Z' },
};

const webhook = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  eventTypes: z.array(z.enum(EVENT_TYPES)).nullable().describe('The event types sent; null: all of them'),
  enabled: z.boolean(),
  disabledReason: z
    .string()
    .nullable()
    .describe('Why the service disabled it: a delivery failed through the whole retry schedule (about three days), or the endpoint answered 410 Gone'),
  disabledAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
const secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+=*$/)
  .describe('The signing secret, `whsec_` + base64 of 32 random bytes: shown here once (and to a retry with the same Idempotency-Key)');
const webhookWithSecret = webhook.extend({ secret });
const rotatedSecret = z.object({
  id: z.uuid(),
  secret,
  previousSecretExpiresAt: z.iso.datetime().describe('Until then deliveries carry a signature with the previous secret too'),
});

const attempt = z.object({
  at: z.iso.datetime(),
  durationMs: z.number().int(),
  statusCode: z.number().int().nullable().describe("The endpoint's HTTP status; null when none came back"),
  error: z.string().nullable().describe('Why no status came back: the address guard, DNS, the connection, TLS or the timeout'),
  responseBody: z.string().nullable().describe("The start of the endpoint's answer (at most 1 KiB)"),
});
const delivery = z.object({
  id: z.string(),
  messageId: z.string().describe('The `webhook-id` sent: the event id (the same for every attempt and redelivery of it), or the test message id'),
  kind: z.enum(['event', 'redelivery', 'test']),
  eventId: z.string().nullable(),
  eventType: z.string(),
  status: z
    .enum(['pending', 'delivered', 'failed'])
    .describe('delivered: a 2xx answer; failed: the retry schedule used up, 410 Gone, or a test that failed once'),
  nextAttemptAt: z.iso.datetime().nullable().describe('When a pending message is tried (again)'),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  attempts: z.array(attempt),
});

const EXAMPLE_WEBHOOK = {
  id: '0c8a4f4e-2b9e-4b8e-9d51-6f1f0d6b7a90',
  url: 'https://hooks.example.com/certificate-profiles',
  description: 'Production console',
  eventTypes: ['organization.approved', 'organization.rejected', 'domain.needs_attention'],
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
};
const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/EqPVVbZJJg=';

export const notifySchemas = {
  FeedEvent: json(feedEvent),
  FeedEventPage: json(feedPage),
  Webhook: json(webhook),
  WebhookWithSecret: json(webhookWithSecret),
  WebhookPage: json(z.object({ items: z.array(webhook), nextCursor: z.string().nullable() })),
  CreateWebhook: json(webhookInput, 'input'),
  WebhookPatch: json(webhookPatch, 'input'),
  RotateWebhookSecret: json(rotateSecretInput, 'input'),
  RotatedWebhookSecret: json(rotatedSecret),
  WebhookDelivery: json(delivery),
  WebhookDeliveryPage: json(z.object({ items: z.array(delivery), nextCursor: z.string().nullable() })),
  Redelivery: json(z.object({ eventId: z.string().regex(/^evt_[1-9][0-9]*$/) }), 'input'),
  NotificationSettings: json(
    z.object({
      language: z.enum(['en', 'zh-CN']),
      contacts: z.array(z.object({ email: z.string(), name: z.string().nullable(), language: z.enum(['en', 'zh-CN']).nullable() })),
    }),
  ),
  NotificationSettingsInput: json(notificationSettingsInput, 'input'),
};

const EXAMPLE_SETTINGS = {
  language: 'zh-CN',
  contacts: [
    { email: 'certs@acme.cn', name: 'Certificate desk', language: null },
    { email: 'ops@acme.example', name: null, language: 'en' },
  ],
};

const EXAMPLE_DELIVERY = {
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
    { at: '2026-11-30T10:16:02.410Z', durationMs: 15002, statusCode: null, error: 'no answer from hooks.example.com within 15000 ms', responseBody: null },
    { at: '2026-11-30T10:16:07.950Z', durationMs: 61, statusCode: 204, error: null, responseBody: null },
  ],
};

type SchemaName = keyof typeof notifySchemas | 'Problem';
const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string, headers?: Record<string, unknown>) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
  ...(headers ? { headers } : {}),
});
const ok = (status: string, name: SchemaName, description: string, example?: unknown) => ({
  [status]: { description, content: { 'application/json': { schema: ref(name), ...(example === undefined ? {} : { example }) } } },
});
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
const authenticated = {
  '401': problem('Missing or unknown API key', { 'WWW-Authenticate': { schema: { type: 'string' } } }),
  '403': problem('A reviewer key: these endpoints take customer keys'),
  '503': problem(
    'The database or the workflow service is unavailable, or did not answer within the request deadline; retry after Retry-After seconds',
    retryAfter,
  ),
};
const customer = { tags: ['Notifications'], security: [{ bearer: [] }] };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page' },
];
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  schema: { type: 'string', maxLength: 255 },
  description: 'A retried request with the same key gets the first answer back (with the same secret) and changes nothing more',
};
const body = (name: SchemaName, example: unknown) => ({ required: true, content: { 'application/json': { schema: ref(name), example } } });
const bodyRefusals = {
  '413': problem('Request body larger than 64 kB'),
  '415': problem('Request body not UTF-8 application/json', { 'Accept-Post': { schema: { type: 'string' } } }),
};
const location = { Location: { description: 'The new resource', schema: { type: 'string' } } };
const notFound = { '404': problem("No such webhook (or another account's)") };
const deliveryIdParam = { name: 'deliveryId', in: 'path', required: true, schema: { type: 'string', pattern: '^[1-9][0-9]*$' } };
const queued = (description: string, example: unknown) => ({
  '202': { description, headers: location, content: { 'application/json': { schema: ref('WebhookDelivery'), example } } },
});

export const notifyPaths = {
  '/v1/events': {
    get: {
      ...customer,
      operationId: 'listEvents',
      summary: "The account's event feed, oldest first",
      description:
        'Every public event of the account in commit order: a change is listed once its transaction committed, and never after an event a later page could precede, so a client that passes the last id it handled as `after` misses nothing and sees nothing twice. The same events are sent to webhooks.',
      parameters: [
        {
          name: 'type',
          in: 'query',
          schema: { type: 'string' },
          description: `Only these types, comma-separated: ${EVENT_TYPES.join(', ')}`,
          example: 'organization.approved,domain.validated',
        },
        {
          name: 'after',
          in: 'query',
          schema: { type: 'string', pattern: '^evt_[1-9][0-9]*$' },
          description: 'Id of the last event already handled',
          example: 'evt_1041',
        },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      ],
      responses: {
        ...ok('200', 'FeedEventPage', 'A page of events', { items: [EXAMPLE_EVENT], nextCursor: null }),
        '400': problem('`type` names an unknown event type (rule `event-type`), `after` is not an event of this account, or `limit` is out of range'),
        ...authenticated,
      },
    },
  },
  '/v1/webhooks': {
    post: {
      ...customer,
      operationId: 'createWebhook',
      summary: 'Add a webhook endpoint; its signing secret is in the answer, once',
      description:
        'Deliveries are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`); verify them with a Standard Webhooks library and the secret. The URL must reach a public unicast address: a literal address is judged now, a host name at each delivery.',
      parameters: [idempotencyKey],
      requestBody: body('CreateWebhook', { url: EXAMPLE_WEBHOOK.url, eventTypes: EXAMPLE_WEBHOOK.eventTypes, description: EXAMPLE_WEBHOOK.description }),
      responses: {
        '201': {
          description: 'Created, with its secret',
          headers: location,
          content: { 'application/json': { schema: ref('WebhookWithSecret'), example: { ...EXAMPLE_WEBHOOK, secret: EXAMPLE_SECRET } } },
        },
        '400': problem('Invalid body; `errors` names each field (`url` rule `url`, unknown `eventTypes`, unknown fields)'),
        '409': problem('The account already has 20 webhooks'),
        '422': problem('`url` names a non-public address (rule `public-address`), or an Idempotency-Key reused with a different request'),
        ...bodyRefusals,
        ...authenticated,
      },
    },
    get: {
      ...customer,
      operationId: 'listWebhooks',
      summary: "The account's webhook endpoints, oldest first (never their secrets)",
      parameters: pageParams,
      responses: {
        ...ok('200', 'WebhookPage', 'A page of endpoints', { items: [EXAMPLE_WEBHOOK], nextCursor: null }),
        '400': problem('`limit` or `cursor` invalid'),
        ...authenticated,
      },
    },
  },
  '/v1/webhooks/{id}': {
    get: {
      ...customer,
      operationId: 'getWebhook',
      summary: 'One webhook endpoint',
      parameters: [idParam],
      responses: { ...ok('200', 'Webhook', 'The endpoint', EXAMPLE_WEBHOOK), ...notFound, ...authenticated },
    },
    patch: {
      ...customer,
      operationId: 'updateWebhook',
      summary: 'Change the URL, event types, description, or enable / disable it',
      description:
        'Enabling an endpoint the service disabled resumes its queue after the message that failed (redeliver that one if needed); events of the time it was disabled are not sent (redeliver them from the feed).',
      parameters: [idParam],
      requestBody: body('WebhookPatch', { enabled: true }),
      responses: {
        ...ok('200', 'Webhook', 'Changed', EXAMPLE_WEBHOOK),
        '400': problem('Invalid body or no field to change; `errors` names each field'),
        ...notFound,
        '422': problem('`url` names a non-public address (rule `public-address`)'),
        ...bodyRefusals,
        ...authenticated,
      },
    },
    delete: {
      ...customer,
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook endpoint and its delivery records',
      parameters: [idParam],
      responses: { '204': { description: 'Deleted' }, ...notFound, ...authenticated },
    },
  },
  '/v1/webhooks/{id}/rotate-secret': {
    post: {
      ...customer,
      operationId: 'rotateWebhookSecret',
      summary: 'A new signing secret; the previous one keeps signing beside it for a while',
      description:
        'Until `previousSecretExpiresAt`, each delivery carries two signatures (space-separated in `webhook-signature`), one per secret, so receivers can switch secrets without losing a message.',
      parameters: [idParam, idempotencyKey],
      requestBody: { ...body('RotateWebhookSecret', { previousSecretExpiresInSeconds: 86400 }), required: false },
      responses: {
        ...ok('200', 'RotatedWebhookSecret', 'The new secret, shown once', {
          id: EXAMPLE_WEBHOOK.id,
          secret: EXAMPLE_SECRET,
          previousSecretExpiresAt: '2026-12-01T09:00:00.000Z',
        }),
        '400': problem('`previousSecretExpiresInSeconds` not a whole number from 0 to 604800'),
        ...notFound,
        '422': problem('An Idempotency-Key reused with a different request'),
        ...bodyRefusals,
        ...authenticated,
      },
    },
  },
  '/v1/notification-settings': {
    get: {
      ...customer,
      operationId: 'getNotificationSettings',
      summary: "The account's email language and contacts",
      responses: { ...ok('200', 'NotificationSettings', 'The settings (English and no contacts until set)', EXAMPLE_SETTINGS), ...authenticated },
    },
    put: {
      ...customer,
      operationId: 'putNotificationSettings',
      summary: "Set the account's email language and contacts",
      description:
        "Administrators are emailed in the account's language about approvals, rejections (with the reason), expiring approvals and validations (30 and 7 days before by default) and domains needing attention; contacts get the same, and a disabled webhook, in their own language or the account's.",
      requestBody: body('NotificationSettingsInput', {
        language: 'zh-CN',
        contacts: [
          { email: 'certs@acme.cn', name: 'Certificate desk' },
          { email: 'ops@acme.example', language: 'en' },
        ],
      }),
      responses: {
        ...ok('200', 'NotificationSettings', 'Saved', EXAMPLE_SETTINGS),
        '400': problem(
          'Invalid body; `errors` names each field (`language`, `contacts.<n>.email` with its email rule, more than 10 contacts, an address twice)',
        ),
        '422': problem('An address no rule allows (`errors[].rule`: an email rule)'),
        ...bodyRefusals,
        ...authenticated,
      },
    },
  },
  '/v1/webhooks/{id}/deliveries': {
    get: {
      ...customer,
      operationId: 'listWebhookDeliveries',
      summary: "The endpoint's messages, newest first, each with every attempt and what the endpoint answered",
      parameters: [idParam, { name: 'status', in: 'query', schema: { type: 'string', enum: ['pending', 'delivered', 'failed'] } }, ...pageParams],
      responses: {
        ...ok('200', 'WebhookDeliveryPage', 'A page of deliveries', { items: [EXAMPLE_DELIVERY], nextCursor: null }),
        '400': problem('`status`, `limit` or `cursor` invalid'),
        ...notFound,
        ...authenticated,
      },
    },
  },
  '/v1/webhooks/{id}/deliveries/{deliveryId}': {
    get: {
      ...customer,
      operationId: 'getWebhookDelivery',
      summary: 'One message to the endpoint with its attempts',
      parameters: [idParam, deliveryIdParam],
      responses: { ...ok('200', 'WebhookDelivery', 'The delivery', EXAMPLE_DELIVERY), '404': problem('No such webhook or delivery'), ...authenticated },
    },
  },
  '/v1/webhooks/{id}/redeliver': {
    post: {
      ...customer,
      operationId: 'redeliverWebhookEvent',
      summary: "Send one of the account's events to the endpoint again (any type), with its original `webhook-id`",
      description: "Queued ahead of the endpoint's events and retried on the same schedule.",
      parameters: [idParam, idempotencyKey],
      requestBody: body('Redelivery', { eventId: 'evt_1042' }),
      responses: {
        ...queued('Queued', {
          ...EXAMPLE_DELIVERY,
          id: '744',
          kind: 'redelivery',
          status: 'pending',
          nextAttemptAt: '2026-11-30T11:00:00.000Z',
          finishedAt: null,
          attempts: [],
        }),
        '400': problem('`eventId` missing, not an event id, or not an event of this account'),
        ...notFound,
        '409': problem('The endpoint is disabled: enable it first'),
        '422': problem('An Idempotency-Key reused with a different request'),
        ...bodyRefusals,
        ...authenticated,
      },
    },
  },
  '/v1/webhooks/{id}/test': {
    post: {
      ...customer,
      operationId: 'sendWebhookTest',
      summary: 'Send a `webhook.test` message to the endpoint now (tried once; see its delivery for the answer)',
      parameters: [idParam, idempotencyKey],
      responses: {
        ...queued("Queued ahead of the endpoint's events", {
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
        }),
        ...notFound,
        '409': problem('The endpoint is disabled: enable it first'),
        '422': problem('An Idempotency-Key reused with a different request'),
        ...authenticated,
      },
    },
  },
};
