import { z } from 'zod';
import { idempotencyKeyHeader } from './idempotency-key';
import { problemExample } from './openapi-examples';
import { requestIdHeader, requestIdParameter } from './request-id-header';

/**
 * One operation of the API document, declared once: what it takes and answers on success, plus the
 * refusals only it has. `operation()` adds every status the service's shared parts answer for it, with
 * an example each, so a new operation is complete by construction:
 *
 * - a key (`access` customer or reviewer): 401 (with `WWW-Authenticate`), 403, 503 (with `Retry-After`);
 * - a path parameter: 404 (not a UUID, not found, or another account's);
 * - query parameters (from the zod schema the route parses them with): 400 naming the parameter;
 * - an `Idempotency-Key` (length from ./idempotency-key.ts): 400 when malformed, 422 when reused;
 * - a request body: 400, 413 and 415 (a body is read only by operations that declare one: see app.ts);
 * - 201 and 202: `Location` (of what was created, or queued); 429: `Retry-After`; every answer: `X-Request-Id` (and every request may send one).
 *
 * The test suite validates every response it receives against the document and fuzzes every operation
 * (test/support/contract.ts, test/integration/api-contract-fuzz.test.ts), so a status the route can
 * answer and the document lacks fails `npm test`.
 */
export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tag: 'Customer' | 'Notifications' | 'Reviewer' | 'Operations' | 'DCV';
  /** Whose key it needs; `public`: none. */
  access: 'customer' | 'reviewer' | 'public';
  /** What each path parameter names, e.g. `{ id: 'organization' }`; ids are UUIDs. */
  pathParams?: Record<string, string | { description: string; schema: Record<string, unknown> }>;
  /** The zod schema of the query, as the route parses it. */
  query?: z.ZodObject;
  idempotencyKey?: boolean;
  /**
   * Request body: a component schema name with named examples; `limit` as body-parser reads it (default 64 kB);
   * `optional`: the body may be left out (the route then reads `{}`).
   */
  body?: { schema: string; examples: Record<string, { summary: string; value: unknown }>; limit?: string; description?: string; optional?: boolean };
  /** Further request headers. */
  headers?: Array<{ name: string; description: string; schema: Record<string, unknown> }>;
  answer: {
    status: 200 | 201 | 202 | 204;
    description: string;
    /** Component schema name of the body, or an inline schema (none for 204). */
    schema?: string | Record<string, unknown>;
    example?: unknown;
    /** `text/plain` and the like; default application/json. */
    contentType?: string;
    headers?: Record<string, { description: string; schema: Record<string, unknown>; required?: boolean }>;
  };
  /** The operation's own refusals: why it answers this status (appended to the shared reasons). */
  refusals?: Partial<Record<'400' | '403' | '404' | '409' | '422' | '429', Refusal>>;
  /** Responses outside the pattern (e.g. /readyz's 503), as they are. */
  responses?: Record<string, unknown>;
  /** 503 when PostgreSQL or Temporal is down or slow: always with a key; say so for a public operation that reads the database. */
  unavailable?: boolean;
}

/** Why an operation answers a status, and an example of the problem it sends. */
export type Refusal = string | { description: string; title: string; detail: string; extra?: Record<string, unknown> };

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const RETRY_AFTER = { description: 'Seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } };
const LOCATION = { description: 'Path of the created (or queued) object', required: true, schema: { type: 'string', format: 'uri-reference' } };
const WWW_AUTHENTICATE = { description: 'The Bearer scheme (RFC 6750)', required: true, schema: { type: 'string' } };
const ACCEPT_POST = { description: 'The media type to send instead (RFC 9110 §15.5.16), when the type was wrong', schema: { type: 'string' } };
const PROBLEM_HEADERS: Record<string, Record<string, unknown> | undefined> = {
  '401': { 'WWW-Authenticate': WWW_AUTHENTICATE },
  '415': { 'Accept-Post': ACCEPT_POST },
  '429': { 'Retry-After': RETRY_AFTER },
  '503': { 'Retry-After': RETRY_AFTER },
};

const TITLES: Record<string, string> = {
  '400': 'Invalid request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '409': 'Conflict',
  '413': 'Request body too large',
  '415': 'Unsupported Media Type',
  '422': 'Unprocessable Content',
  '429': 'Too Many Requests',
  '503': 'Service Unavailable',
};

interface Reason {
  description: string;
  example: Record<string, unknown>;
}

const refusalReason = (status: string, refusal: Refusal, instance: string): Reason =>
  typeof refusal === 'string'
    ? { description: refusal, example: problemExample(Number(status), TITLES[status], refusal.split(/[.;:]/)[0], instance) }
    : { description: refusal.description, example: problemExample(Number(status), refusal.title, refusal.detail, instance, refusal.extra) };

/** Path template with example values, e.g. `/v1/organizations/3f0b…`. */
const EXAMPLE_ID = '3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90';
const exampleInstance = (path: string) => path.replace(/\{[^}]+\}/g, EXAMPLE_ID);

function queryParameters(query: z.ZodObject) {
  const schema = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(schema.properties).map(([name, { description, ...rest }]) => {
    // zod leaves out the default of a transformed value (a decimal integer); the route applies it all the same.
    const field = query.shape[name];
    const fallback = field instanceof z.ZodDefault ? { default: field.def.defaultValue } : {};
    return {
      name,
      in: 'query',
      ...(schema.required?.includes(name) ? { required: true } : {}),
      ...(description ? { description } : {}),
      schema: { ...fallback, ...rest },
    };
  });
}

/** The OpenAPI Operation Object of `method path`. */
export function operation(path: string, spec: OperationSpec): Record<string, unknown> {
  const instance = exampleInstance(path);
  const reasons: Record<string, Reason[]> = {};
  const add = (status: string, description: string, title: string, detail: string, extra?: Record<string, unknown>) =>
    (reasons[status] ??= []).push({ description, example: problemExample(Number(status), title, detail, instance, extra) });

  const parameters: unknown[] = [];
  const templateParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const name of templateParams) {
    const declared = spec.pathParams?.[name];
    if (declared === undefined) throw new Error(`${path}: path parameter {${name}} is not described in pathParams`);
    const { description, schema } =
      typeof declared === 'string' ? { description: `The ${declared}'s id`, schema: { type: 'string', format: 'uuid' } } : declared;
    parameters.push({ name, in: 'path', required: true, description, schema });
    if (typeof declared === 'string')
      add(
        '404',
        `No such ${declared} (another account's answers the same), or an id that is not a UUID`,
        'Not Found',
        `${declared} ${EXAMPLE_ID} was not found`,
      );
    else add('404', `Unknown ${name}`, 'Not Found', `${name} ${EXAMPLE_ID} was not found`);
  }
  if (spec.query) {
    parameters.push(...queryParameters(spec.query));
    add('400', 'A query parameter breaks its rule: `errors[].field` names it', 'Invalid request', 'limit: must be from 1 to 100', {
      errors: [{ field: 'limit', message: 'must be from 1 to 100', rule: 'integer-range' }],
    });
  }
  // The API's own operations (behind a key) refuse a query parameter they do not take (src/api/route-table.ts `declaredQueryOnly`).
  if (spec.access !== 'public') {
    add(
      '400',
      'A query parameter this operation does not take (`errors[].rule` `unknown-field`)',
      'Invalid request',
      'stauts: not a query parameter of this operation',
      {
        errors: [
          {
            field: 'stauts',
            message: 'not a query parameter of this operation (it takes limit, cursor, status)',
            rule: 'unknown-field',
            values: { keys: 'stauts' },
          },
        ],
      },
    );
  }
  if (spec.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      description:
        'A retried request with the same key gets the first answer back and changes nothing more (also after the object moved on or was deleted). Keys are kept per account (per reviewer for reviewer keys).',
      schema: idempotencyKeyHeader,
    });
    add('400', 'An empty Idempotency-Key, or one longer than its maximum', 'Invalid request', 'Idempotency-Key: must not be empty', {
      errors: [{ field: 'Idempotency-Key', message: 'must not be empty' }],
    });
    add('422', 'The Idempotency-Key was used with a different request', 'Unprocessable Content', 'the Idempotency-Key was used with a different request');
  }
  for (const header of spec.headers ?? []) parameters.push({ in: 'header', ...header });
  parameters.push(requestIdParameter);

  let requestBody: unknown;
  if (spec.body) {
    const limit = spec.body.limit ?? '64 kB';
    requestBody = {
      required: !spec.body.optional,
      ...(spec.body.description ? { description: spec.body.description } : {}),
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${spec.body.schema}` }, examples: spec.body.examples } },
    };
    add(
      '400',
      'The body is not valid JSON, not valid UTF-8, or breaks the schema: `errors` names every field at fault, each with the rule it breaks where there is one',
      'Malformed JSON',
      'the request body is not valid JSON',
      { errors: [{ field: '(body)', message: 'Unexpected end of JSON input' }] },
    );
    add('413', `The body is larger than ${limit}`, TITLES['413'], `the request body is larger than ${limit}`);
    add('415', 'The body is not `application/json`, not UTF-8, or compressed', TITLES['415'], 'the request body must be application/json, not text/plain');
  }

  if (spec.access !== 'public') {
    add('401', 'Missing or unknown API key', 'Unauthorized', 'the API key is not valid');
    add(
      '403',
      spec.access === 'customer' ? 'A reviewer key: customer endpoints need a customer key' : 'A customer key: this endpoint needs a reviewer key',
      'Forbidden',
      spec.access === 'customer' ? 'reviewer keys reach only /v1/reviews' : 'reviewer endpoints need a reviewer key',
    );
  }
  for (const [status, refusal] of Object.entries(spec.refusals ?? {})) (reasons[status] ??= []).push(refusalReason(status, refusal, instance));
  if (spec.access !== 'public' || spec.unavailable) {
    add(
      '503',
      'PostgreSQL or Temporal is unavailable, or did not answer within the request deadline: retry after `Retry-After` seconds. A create whose rows were written answers 201 even when its workflow start has to wait',
      TITLES['503'],
      'the database is unavailable; retry the request',
    );
  }

  const responses: Record<string, unknown> = { [String(spec.answer.status)]: success(spec.answer) };
  for (const status of Object.keys(reasons).sort()) {
    const list = reasons[status];
    const headers = PROBLEM_HEADERS[status];
    responses[status] = {
      description: list.map((r) => r.description).join('. Or: '),
      ...(headers ? { headers } : {}),
      content: { 'application/problem+json': { schema: PROBLEM, example: list[list.length - 1].example } },
    };
  }
  Object.assign(responses, spec.responses);
  for (const [status, response] of Object.entries(responses) as Array<[string, { headers?: Record<string, unknown> }]>)
    responses[status] = { ...response, headers: { ...response.headers, 'X-Request-Id': requestIdHeader } };

  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    security: spec.access === 'public' ? [] : [{ [`${spec.access}Key`]: [] }],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

function success(answer: OperationSpec['answer']) {
  const headers = { ...(answer.status === 201 || answer.status === 202 ? { Location: LOCATION } : {}), ...answer.headers };
  const withHeaders = Object.keys(headers).length ? { headers } : {};
  if (!answer.schema) return { description: answer.description, ...withHeaders };
  return {
    description: answer.description,
    ...withHeaders,
    content: {
      [answer.contentType ?? 'application/json']: {
        schema: typeof answer.schema === 'string' ? { $ref: `#/components/schemas/${answer.schema}` } : answer.schema,
        example: answer.example,
      },
    },
  };
}

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete' | 'options';

/** `{ path: { method: spec } }` → OpenAPI Paths Object. */
export function pathsOf(paths: Record<string, Partial<Record<HttpMethod, OperationSpec>>>) {
  return Object.fromEntries(
    Object.entries(paths).map(([path, methods]) => [
      path,
      Object.fromEntries(Object.entries(methods).map(([method, spec]) => [method, operation(path, spec as OperationSpec)])),
    ]),
  );
}
