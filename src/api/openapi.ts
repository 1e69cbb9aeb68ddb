import { z } from 'zod';
import { administratorInput, administratorPatch, organizationFields, organizationPatchFields } from '../domain/schemas';
import { DECISION_EXAMPLES, decisionBody } from '../domain/decision-schemas';
import { CALLBACK_OUTCOMES, VERIFICATION_METHODS, VERIFICATION_OUTCOMES } from '../domain/review-records';
import { SUBJECT_RULES } from '../domain/subject-attributes';
import { EMAIL_RULES } from '../domain/email';
import { PROFILE_STATUSES } from '../domain/status';
import { DOMAIN_STATUSES } from '../domain/vocabulary';
import { dnsProviderInput } from '../domain/dns-provider-schemas';
import { createDomainBody } from '../domain/domain-input';
import { RESULT_CODES } from '../dcv/result-codes';
import { DOMAIN_NAME_RULES } from '../dcv/domain-name';
import { codecPayloads } from './codec-server';
import { notifyPaths, notifySchemas } from './openapi-notify';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const timestamp = z.iso.datetime().nullable();
const review = {
  status: z.enum(PROFILE_STATUSES),
  submittedAt: timestamp,
  dueAt: timestamp.describe('End of the review SLA'),
  approvedAt: timestamp,
  validUntil: timestamp.describe('End of the identity reuse period (398 days under the Baseline Requirements)'),
  rejectionReason: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
};
const administrator = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  firstName: z.string(),
  lastName: z.string(),
  position: z.string(),
  phone: z
    .string()
    .regex(/^\+[1-9][0-9]{1,14}$/)
    .describe('The mobile, E.164'),
  email: z.string(),
  ...review,
});
const organization = z.object({
  id: z.uuid(),
  name: z.string(),
  displayName: z.string().nullable(),
  department: z.string().nullable(),
  country: z.string(),
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
const reviewHistory = z
  .object({
    ...reviewShape,
    callback: z.object(callbackSummary).nullable().describe("Outcome of the CA's call to the organization's landline"),
    verification: z.object(verificationSummary).nullable().describe("Outcome of the CA's confirmation of the administrator"),
  })
  .describe("A completed review as the customer sees it; the reviewer's note and who answered the call stay with the CA");
const reviewRecord = z
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
const event = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: actor,
  action: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  note: z.string().nullable(),
});
const reviewItem = z.object({
  kind: z.enum(['organization', 'administrator']),
  id: z.uuid(),
  accountId: z.uuid(),
  organizationId: z.uuid(),
  submittedAt: z.iso.datetime(),
  dueAt: z.iso.datetime(),
  overdue: z.boolean(),
  subject: z.unknown().describe('The submitted fields under review'),
  lastReview: reviewRecord.nullable().describe('The previous review of a resubmission, with its record; null on a first submission'),
});
const checkResult = z.object({
  perspective: z.string(),
  code: z.enum(RESULT_CODES),
  passed: z.boolean(),
  expected: z.string(),
  observed: z.array(z.string()),
  detail: z.string(),
});
const quorum = z.object({
  summary: z.string().describe('corroborating/total, e.g. 2/3'),
  required: z.number(),
  passedPerspectives: z.array(z.string()),
  failedPerspectives: z.array(z.string()),
});
const domain = z.object({
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
  instructions: z.unknown().describe('Exact record or file to publish: record {type, name, value}, file {url, content} or proxy {path, upstream, warning?}'),
  randomValueExpiresAt: z.iso.datetime(),
  validatedAt: timestamp,
  validUntil: timestamp,
  brMethod: z.string().nullable().describe('Baseline Requirements method, e.g. 3.2.2.4.7'),
  brVersion: z.string().nullable(),
  failureReason: z.string().nullable(),
  lastCheck: z.unknown(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const precheck = z.object({ passed: z.boolean(), code: z.string(), quorum, perspectives: z.array(checkResult) });
const dnsProvider = z
  .object({ id: z.uuid(), kind: z.enum(['rfc2136', 'dnspod']), name: z.string(), createdAt: z.iso.datetime() })
  .catchall(z.unknown())
  .describe('Settings without the secret');
// The input shape of a decision does not depend on the profile it is checked against.
const PLACEHOLDER_CONTEXT = { subject: { kind: 'organization' as const, submittedAt: new Date(0) }, country: 'CN', now: new Date(0) };
const page = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

const schemas = {
  Organization: json(organization),
  Administrator: json(administrator),
  Event: json(event),
  ReviewItem: json(reviewItem),
  OrganizationPage: json(page(organization)),
  AdministratorPage: json(page(administrator)),
  EventPage: json(page(event)),
  ReviewPage: json(page(reviewItem)),
  CreateOrganization: json(z.object({ organization: organizationFields, administrator: administratorInput().optional() }), 'input'),
  OrganizationInput: json(organizationFields, 'input'),
  OrganizationPatch: json(organizationPatchFields, 'input'),
  AdministratorInput: json(administratorInput(), 'input'),
  AdministratorPatch: json(administratorPatch(), 'input'),
  OrganizationDecision: json(decisionBody('organization', PLACEHOLDER_CONTEXT), 'input'),
  AdministratorDecision: json(decisionBody('administrator', PLACEHOLDER_CONTEXT), 'input'),
  ReviewHistory: json(reviewHistory),
  ReviewHistoryPage: json(page(reviewHistory)),
  ReviewRecord: json(reviewRecord),
  ReviewRecordPage: json(page(reviewRecord)),
  Domain: json(domain),
  DomainPage: json(page(domain)),
  CreateDomain: json(createDomainBody, 'input'),
  Precheck: json(precheck),
  CheckPage: json(
    page(
      z.object({
        id: z.string(),
        at: z.iso.datetime(),
        kind: z.enum(['precheck', 'recheck', 'scan']),
        passed: z.boolean(),
        code: z.string(),
        quorum,
        perspectives: z.array(checkResult),
      }),
    ),
  ),
  DnsProvider: json(dnsProvider),
  DnsProviderPage: json(page(dnsProvider)),
  CreateDnsProvider: json(dnsProviderInput, 'input'),
  CodecPayloads: { ...json(codecPayloads, 'input'), description: "Temporal's Payloads message in proto3 JSON: metadata values and data in base64" },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      existing: {
        type: 'object',
        description: 'With a 409 duplicate: the profile the account already holds',
        properties: { kind: { type: 'string', enum: ['organization', 'administrator'] }, id: { type: 'string', format: 'uuid' }, href: { type: 'string' } },
      },
      errors: {
        description: 'Every field at fault, in the organization and the administrator alike, and every rule across fields',
        type: 'array',
        items: {
          type: 'object',
          properties: {
            field: { type: 'string', description: 'Path of the field at fault, e.g. `organization.landline`; `(body)` for the body as a whole' },
            message: { type: 'string', description: '"required" when the field is missing' },
            rule: {
              type: 'string',
              description: `Name of the rule broken, where there is one: \`required\`, \`decimal-integer\`, \`integer-range\`, \`utf-8\`, \`phone-number\`, \`phone-type\`, \`mobile-extension\`, a subject rule (${Object.keys(SUBJECT_RULES).join(', ')}, iso-3166-2), an email rule (${Object.keys(EMAIL_RULES).join(', ')}), \`duplicate\`, a review record rule (\`callback-answered\`, \`callback-number\`, \`verification-confirmed\`, \`verification-contact\`, \`not-in-future\`, \`not-before-submission\`), or a domain name rule (\`reserved-ldh-label\`, \`a-label\`, \`name-length\`, \`public-suffix\`, …)`,
            },
          },
          required: ['field', 'message'],
        },
      },
    },
  },
};

const ref = (name: keyof typeof schemas) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const ok = (status: string, name: keyof typeof schemas, description = 'OK') => ({
  [status]: { description, content: { 'application/json': { schema: ref(name) } } },
});
const body = (name: keyof typeof schemas, examples?: Record<string, { summary: string; value: unknown }>) => ({
  required: true,
  content: { 'application/json': { schema: ref(name), ...(examples ? { examples } : {}) } },
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page' },
];
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  schema: { type: 'string', maxLength: 255 },
  description: 'A retried request with the same key gets the first answer back and changes nothing more (also after the object moved on or was deleted)',
};
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
/** PostgreSQL or Temporal unreachable, or no answer within REQUEST_DEADLINE (authentication included): retry later. */
const unavailable = {
  '503': {
    ...problem(
      'The database or the workflow service is unavailable, or did not answer within the request deadline; retry after Retry-After seconds. Nothing was created (a create whose rows were written answers 201 even when its workflow start has to wait).',
    ),
    headers: retryAfter,
  },
};
const common = {
  '400': problem('Invalid input; `errors` names each field at fault and, where there is one, the rule it breaks'),
  '401': problem('Missing or unknown API key'),
  '403': problem('Wrong kind of key'),
  ...unavailable,
};
const customer = { tags: ['Customer'], security: [{ bearer: [] }] };
/** Well-formed profile data no rule allows (the body's `errors` lists every field at fault, with its rule). */
const SUBJECT_REFUSAL =
  "A value a CA could not put in a certificate subject (`errors[].rule`: a subject rule, `iso-3166-2` for a province that is not one of the country's subdivisions, or an email rule), or an Idempotency-Key reused with a different request";
const reviewer = { tags: ['Reviewer'], security: [{ bearer: [] }] };

const bodyRefusals = { '413': problem('Request body larger than 64 kB'), '415': problem('Request body not UTF-8 application/json') };
const keyReused = { '422': problem('Idempotency-Key reused with a different request') };

function operation(summary: string, extra: { parameters?: unknown[]; requestBody?: unknown }, responses: Record<string, unknown>, scope = customer) {
  const refusals = { ...('requestBody' in extra ? bodyRefusals : {}), ...(extra.parameters?.includes(idempotencyKey) ? keyReused : {}) };
  return { summary, ...scope, ...extra, responses: { ...common, ...refusals, ...responses } };
}

const profileOps = (kind: 'organization' | 'administrator', schema: 'Organization' | 'Administrator', patch: 'OrganizationPatch' | 'AdministratorPatch') => ({
  get: operation(`Get an ${kind}`, { parameters: [idParam] }, { ...ok('200', schema), '404': problem("Not found (or another account's)") }),
  patch: operation(
    `Edit an ${kind}; a change to a reviewed field sends it back to under_review`,
    { parameters: [idParam, idempotencyKey], requestBody: body(patch) },
    {
      ...ok('200', schema),
      '404': problem('Not found'),
      '409': problem(
        `Deleted meanwhile, or the edit would duplicate ${kind === 'organization' ? 'an organization of the account (same legal name and country)' : 'an administrator of the organization (same given name, surname and mailbox)'}: \`existing\` names it`,
      ),
      '422': problem(SUBJECT_REFUSAL),
    },
  ),
  delete: operation(
    `Delete an ${kind}${kind === 'organization' ? ' with its administrators (frees a slot)' : ''}`,
    { parameters: [idParam, idempotencyKey] },
    { '204': { description: 'Deleted' }, '404': problem('Not found') },
  ),
});

/** Temporal's codec-server protocol for the Temporal UI and CLI (README: Temporal UI and encrypted payloads). */
const codecOperations = (summary: string) => ({
  post: {
    summary,
    tags: ['Operations'],
    security: [{ bearer: [] }],
    description: 'Reviewer keys only. Browsers: only the origins in TEMPORAL_UI_ORIGIN (CORS).',
    parameters: [{ name: 'X-Namespace', in: 'header', schema: { type: 'string' }, description: 'Sent by the Temporal UI and CLI; not needed' }],
    requestBody: { ...body('CodecPayloads'), description: 'Payloads, up to 8 MB in all' },
    responses: {
      ...ok('200', 'CodecPayloads', 'The payloads, one for each sent, in the same order'),
      '400': problem('Invalid body, or a payload the codec cannot open (unknown key id, altered); `errors` names `payloads.<index>`'),
      '401': problem('Missing or unknown API key'),
      '403': problem('Not a reviewer key, or an Origin not in TEMPORAL_UI_ORIGIN'),
      '413': problem('Request body larger than 8 MB'),
      '415': problem('Request body not application/json'),
      ...unavailable,
    },
  },
  options: {
    summary: "CORS preflight of the Temporal UI's requests",
    tags: ['Operations'],
    responses: {
      '204': { description: 'Allowed: Access-Control-Allow-Origin echoes the origin, with the methods and headers the UI sends' },
      '403': problem('Origin not in TEMPORAL_UI_ORIGIN'),
    },
  },
});

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Certificate profile service',
      version: '1.0.0',
      description:
        'Organization profiles, administrators and domains pre-validated with the certificate authority, so certificate applications skip organization review and DCV. Authenticate with `Authorization: Bearer <apiKey>`.',
    },
    components: { schemas: { ...schemas, ...notifySchemas }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths: {
      '/healthz': { get: { summary: 'Liveness', tags: ['Operations'], responses: { '200': { description: 'Process is up' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: database and Temporal reachable, migrations applied, search attributes registered',
          tags: ['Operations'],
          responses: {
            '200': {
              description: 'Ready: `{ "status": "ready", "checks": { "database": true, "migrations": true, "temporal": true, "searchAttributes": true } }`',
            },
            '503': {
              description:
                'Not ready: `missing` names the failed checks (`database`, `migrations`, `temporal`, `searchAttributes`); `checks` holds each result, null when it could not be asked (migrations without the database, search attributes without Temporal); `details` says what is missing and that `npm run setup` provides it. Each probe is bounded by a timeout',
              headers: retryAfter,
            },
          },
        },
      },
      '/codec/encode': codecOperations('Encrypt payloads with the current codec key (Temporal codec-server protocol)'),
      '/codec/decode': codecOperations('Decrypt payloads so an operator can read a history in the Temporal UI or CLI (Temporal codec-server protocol)'),
      '/v1/organizations': {
        post: operation(
          'Submit an organization (with its first administrator) for CA review',
          { parameters: [idempotencyKey], requestBody: body('CreateOrganization') },
          {
            ...ok('201', 'Organization', 'Created, under review'),
            '409': problem(
              'The account already holds 10 organizations, or this organization (same legal name and country after NFKC, case folding and whitespace/punctuation removal): `existing` names it',
            ),
            '422': problem(SUBJECT_REFUSAL),
          },
        ),
        get: operation(
          'List organizations',
          { parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: [...PROFILE_STATUSES] } }, ...pageParams] },
          ok('200', 'OrganizationPage'),
        ),
      },
      '/v1/organizations/{id}': profileOps('organization', 'Organization', 'OrganizationPatch'),
      '/v1/organizations/{id}/resubmit': {
        post: operation(
          'Resubmit after rejection, or to renew when expiring or expired',
          { parameters: [idParam, idempotencyKey] },
          { ...ok('200', 'Organization'), '409': problem('Not rejected, expiring or expired') },
        ),
      },
      '/v1/organizations/{id}/administrators': {
        post: operation(
          'Add an administrator (reviewed on its own)',
          { parameters: [idParam, idempotencyKey], requestBody: body('AdministratorInput') },
          {
            ...ok('201', 'Administrator'),
            '404': problem('Organization not found'),
            '409': problem(
              'The organization already has this administrator (same given name, surname and mailbox, compared case-insensitively): `existing` names it',
            ),
            '422': problem(SUBJECT_REFUSAL),
          },
        ),
        get: operation("List an organization's administrators", { parameters: [idParam, ...pageParams] }, ok('200', 'AdministratorPage')),
      },
      '/v1/organizations/{id}/events': { get: operation('Audit trail of an organization', { parameters: [idParam, ...pageParams] }, ok('200', 'EventPage')) },
      '/v1/organizations/{id}/reviews': {
        get: operation(
          "Review history of an organization, oldest first: each decision, its reason, the reviewer's name and what came of the CA's call",
          { parameters: [idParam, ...pageParams] },
          { ...ok('200', 'ReviewHistoryPage'), '404': problem("Not found (or another account's)") },
        ),
      },
      '/v1/administrators/{id}': profileOps('administrator', 'Administrator', 'AdministratorPatch'),
      '/v1/administrators/{id}/resubmit': {
        post: operation(
          'Resubmit an administrator',
          { parameters: [idParam, idempotencyKey] },
          { ...ok('200', 'Administrator'), '409': problem('Not rejected, expiring or expired') },
        ),
      },
      '/v1/administrators/{id}/events': { get: operation('Audit trail of an administrator', { parameters: [idParam, ...pageParams] }, ok('200', 'EventPage')) },
      '/v1/administrators/{id}/reviews': {
        get: operation(
          "Review history of an administrator, oldest first: each decision, its reason, the reviewer's name and how the CA confirmed the administrator",
          { parameters: [idParam, ...pageParams] },
          { ...ok('200', 'ReviewHistoryPage'), '404': problem("Not found (or another account's)") },
        ),
      },
      '/v1/administrators/{id}/domains': {
        post: operation(
          'Add a domain under an approved administrator, with its DCV method',
          { parameters: [idParam, idempotencyKey], requestBody: body('CreateDomain') },
          {
            ...ok('201', 'Domain', 'Created, pending, with exact instructions'),
            '404': problem('Administrator not found'),
            '409': problem('Administrator not approved, or the name is already in the account'),
            '422': problem(
              `A name that can never be validated or certified, with \`errors[].rule\` naming the rule (${Object.keys(DOMAIN_NAME_RULES).join(', ')}); the validation name (\`_dnsauth.<name>\` for the DNS methods) must fit 253 characters. Also: a method this service cannot offer now, or an Idempotency-Key reused with a different request`,
            ),
          },
        ),
        get: operation("List an administrator's domains", { parameters: [idParam, ...pageParams] }, ok('200', 'DomainPage')),
      },
      '/v1/domains': {
        get: operation(
          'List domains',
          {
            parameters: [
              { name: 'status', in: 'query', schema: { type: 'string', enum: DOMAIN_STATUSES } },
              {
                name: 'expiringWithinDays',
                in: 'query',
                schema: { type: 'integer', minimum: 0, maximum: 3650 },
                description: 'Validated domains whose validUntil is within this many days',
              },
              ...pageParams,
            ],
          },
          ok('200', 'DomainPage'),
        ),
      },
      '/v1/domains/{id}': {
        get: operation('Get a domain', { parameters: [idParam] }, { ...ok('200', 'Domain'), '404': problem('Not found') }),
        delete: operation(
          'Delete a domain (removes the records the service wrote)',
          { parameters: [idParam, idempotencyKey] },
          { '204': { description: 'Deleted' }, '404': problem('Not found') },
        ),
      },
      '/v1/domains/{id}/validate': {
        post: operation(
          'Pre-check now: what each perspective expected and observed',
          { parameters: [idParam] },
          {
            ...ok('200', 'Precheck'),
            '429': problem('Pre-checked too recently; see Retry-After'),
          },
        ),
      },
      '/v1/domains/{id}/revalidate': {
        post: operation(
          'Start over with a fresh random value',
          { parameters: [idParam, idempotencyKey] },
          { ...ok('200', 'Domain'), '409': problem('A CA scan is running') },
        ),
      },
      '/v1/domains/{id}/events': { get: operation('Audit trail of a domain', { parameters: [idParam, ...pageParams] }, ok('200', 'EventPage')) },
      '/v1/domains/{id}/checks': {
        get: operation(
          "Evidence: every pre-check, recheck and CA scan with each perspective's result and the quorum, newest first",
          { parameters: [idParam, ...pageParams] },
          ok('200', 'CheckPage'),
        ),
      },
      '/v1/dns-providers': {
        post: operation(
          'Connect a DNS provider (RFC 2136 + TSIG, or DNSPod); the secret is encrypted and never returned',
          { parameters: [idempotencyKey], requestBody: body('CreateDnsProvider') },
          ok('201', 'DnsProvider'),
        ),
        get: operation('List DNS providers', { parameters: pageParams }, ok('200', 'DnsProviderPage')),
      },
      '/v1/dns-providers/{id}': {
        get: operation('Get a DNS provider', { parameters: [idParam] }, { ...ok('200', 'DnsProvider'), '404': problem('Not found') }),
        delete: operation('Delete a DNS provider', { parameters: [idParam] }, { '204': { description: 'Deleted' }, '409': problem('Used by domains') }),
      },
      '/dcv/{label}/fileauth.txt': {
        get: {
          summary: "The public DCV address: what a customer's reverse proxy forwards the CA's file fetch to",
          tags: ['DCV'],
          parameters: [{ name: 'label', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The current random value', content: { 'text/plain': { schema: { type: 'string' } } } },
            '404': { description: 'Unknown label' },
            ...unavailable,
          },
        },
      },
      '/v1/reviews': {
        get: operation(
          'Review queue across accounts, oldest first; a resubmission carries its previous review',
          { parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: ['pending', 'overdue'], default: 'pending' } }, ...pageParams] },
          ok('200', 'ReviewPage'),
          reviewer,
        ),
      },
      '/v1/reviews/organizations/{id}/decision': {
        post: operation(
          "Approve or reject an organization. Approval needs the record of the CA's call to the organization's landline (the number as stored, extension included; answered; who answered and their role; when; the reviewer's note)",
          {
            parameters: [idParam, idempotencyKey],
            requestBody: body('OrganizationDecision', {
              approve: { summary: 'Approve after an answered callback', value: DECISION_EXAMPLES.organizationApproval },
              reject: { summary: 'Reject after a call nobody answered', value: DECISION_EXAMPLES.organizationRejection },
            }),
          },
          {
            ...ok('200', 'Organization'),
            '404': problem('Not found'),
            '409': problem('Not under review'),
            '422': problem(
              'The record does not fit the organization: `errors[]` names each field and rule (`required`, `callback-answered`, `callback-number`, `not-in-future`, `not-before-submission`); or an Idempotency-Key reused with a different request. Nothing changed',
            ),
          },
          reviewer,
        ),
      },
      '/v1/reviews/organizations/{id}/history': {
        get: operation(
          "An organization's review history with the full records (who answered, the reviewer's notes), oldest first",
          { parameters: [idParam, ...pageParams] },
          { ...ok('200', 'ReviewRecordPage'), '404': problem('Not found') },
          reviewer,
        ),
      },
      '/v1/reviews/administrators/{id}/decision': {
        post: operation(
          "Approve or reject an administrator. Approval needs the record of how the CA confirmed the administrator (email or phone, at the administrator's own address or mobile; confirmed; when; the reviewer's note)",
          {
            parameters: [idParam, idempotencyKey],
            requestBody: body('AdministratorDecision', {
              approve: { summary: 'Approve after an email confirmation', value: DECISION_EXAMPLES.administratorApproval },
            }),
          },
          {
            ...ok('200', 'Administrator'),
            '404': problem('Not found'),
            '409': problem('Not under review, or its organization is not approved'),
            '422': problem(
              'The record does not fit the administrator: `errors[]` names each field and rule (`required`, `verification-confirmed`, `verification-contact`, `not-in-future`, `not-before-submission`); or an Idempotency-Key reused with a different request. Nothing changed',
            ),
          },
          reviewer,
        ),
      },
      '/v1/reviews/administrators/{id}/history': {
        get: operation(
          "An administrator's review history with the full records, oldest first",
          { parameters: [idParam, ...pageParams] },
          { ...ok('200', 'ReviewRecordPage'), '404': problem('Not found') },
          reviewer,
        ),
      },
      ...notifyPaths,
    },
  };
}
