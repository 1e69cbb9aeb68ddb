// The OpenAPI part of notifications (issue 11): the account event feed, webhooks and notification
// settings. Self-contained, so src/api/openapi.ts only merges `notifySchemas` and `notifyPaths`.
import { z } from 'zod';
import { EVENT_TYPES } from '../notify/event-types';

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

export const notifySchemas = {
  FeedEvent: json(feedEvent),
  FeedEventPage: json(feedPage),
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
};
