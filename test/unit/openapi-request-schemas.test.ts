import fc from 'fast-check';
import type { z } from 'zod';
import { openApiDocument } from '../../src/api/openapi';
import { REQUEST_EXAMPLES } from '../../src/api/openapi-examples';
import { codecPayloads } from '../../src/api/codec-server';
import { decisionBody } from '../../src/domain/decision-schemas';
import { dnsProviderInputFor } from '../../src/domain/dns-provider-schemas';
import { createDomainBody } from '../../src/domain/domain-input';
import { administratorInput, administratorPatch, createOrganizationBodyFor, organizationPatch } from '../../src/domain/schemas';
import { notificationSettingsInput } from '../../src/notify/settings-input';
import { redeliveryInput, rotateSecretInput, webhookInputFor, webhookPatchFor } from '../../src/notify/webhook-input';
import { documentAjv } from '../support/contract';

/**
 * The document is never stricter than the server: every body a route's own zod schema accepts, the
 * document's schema for that body accepts too (lengths, patterns, formats, closed objects, minProperties
 * declared from the zod rules), once surrounding whitespace is taken off (the server ignores it where it
 * normalizes a value; the document describes values without it). Bodies: the document's examples with one field changed the ways clients
 * get them wrong or slightly different (spaces, case, empty, long, removed, an extra key).
 */
const document = openApiDocument();
const ajv = documentAjv(document);

const decisionContext = (kind: 'organization' | 'administrator') => ({
  subject:
    kind === 'organization'
      ? { kind, submittedAt: new Date('2026-11-29T00:00:00Z'), landline: '+861065529988;ext=8001' }
      : { kind, submittedAt: new Date('2026-11-29T00:00:00Z'), email: 'li.lei@acme.cn', phone: '+8613800138000' },
  country: 'CN',
  now: new Date('2026-12-01T00:00:00Z'),
});

const SERVER_SCHEMAS: Record<keyof typeof REQUEST_EXAMPLES, z.ZodType> = {
  CreateOrganization: createOrganizationBodyFor(false),
  OrganizationPatch: organizationPatch('CN', 'Beijing'),
  AdministratorInput: administratorInput('CN'),
  AdministratorPatch: administratorPatch('CN'),
  CreateDomain: createDomainBody,
  CreateDnsProvider: dnsProviderInputFor({}),
  OrganizationDecision: decisionBody('organization', decisionContext('organization') as never),
  AdministratorDecision: decisionBody('administrator', decisionContext('administrator') as never),
  CodecPayloads: codecPayloads,
  CreateWebhook: webhookInputFor({}),
  WebhookPatch: webhookPatchFor({}),
  RotateWebhookSecret: rotateSecretInput,
  Redelivery: redeliveryInput,
  NotificationSettingsInput: notificationSettingsInput,
};

type Json = Record<string, unknown>;

/** Paths of the string and other leaves of a JSON value. */
function leaves(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [path];
  return Object.entries(value).flatMap(([key, child]) => [[...path, key], ...leaves(child, [...path, key]).filter((p) => p.length > path.length + 1)]);
}

function changed(example: Json, path: string[], change: (value: unknown) => unknown): Json {
  const copy = structuredClone(example);
  let node: any = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1];
  const value = change(node[last]);
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const trimmed = (value: unknown): unknown =>
  typeof value === 'string'
    ? value.trim()
    : Array.isArray(value)
      ? value.map(trimmed)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmed(v)]))
        : value;

const variants: Array<(value: unknown) => unknown> = [
  (v) => (typeof v === 'string' ? `  ${v}  ` : v),
  (v) => (typeof v === 'string' ? v.toLowerCase() : v),
  (v) => (typeof v === 'string' ? v.toUpperCase() : v),
  (v) => (typeof v === 'string' ? '' : v),
  (v) => (typeof v === 'string' ? v.repeat(4) : v),
  (v) => (typeof v === 'string' ? `${v}\u00a0${v}` : v),
  () => undefined,
  () => null,
  () => 'x',
];

describe.each(Object.keys(SERVER_SCHEMAS) as Array<keyof typeof REQUEST_EXAMPLES>)('%s', (name) => {
  test('what the server accepts, the document accepts', () => {
    const validate = ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
    const examples = Object.values(REQUEST_EXAMPLES[name]).map((e) => e.value as Json);
    const body = fc.constantFrom(...examples).chain((example) =>
      fc.oneof(
        fc
          .tuple(fc.constantFrom(...leaves(example).filter((p) => p.length > 0)), fc.constantFrom(...variants))
          .map(([path, change]) => changed(example, path, change)),
        fc.string({ minLength: 1, maxLength: 10 }).map((key) => ({ ...example, [key]: 'extra' })),
      ),
    );
    let accepted = 0;
    fc.assert(
      fc.property(body, (sent) => {
        if (!SERVER_SCHEMAS[name].safeParse(sent).success) return;
        accepted++;
        // The document describes values without surrounding whitespace, which the server ignores where it normalizes (see info.description).
        if (!validate(trimmed(sent)))
          throw new Error(`the server accepts ${JSON.stringify(sent)} but the document refuses it: ${ajv.errorsText(validate.errors)}`);
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
