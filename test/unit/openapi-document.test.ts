import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openApiDocument } from '../../src/api/openapi';
import { Contract } from '../support/contract';

/** The API document itself: lint-clean under Redocly's recommended rules, complete, and its examples true to its schemas. */
const document = openApiDocument();
const operations = Object.entries(document.paths).flatMap(([template, item]) =>
  Object.entries(item as Record<string, any>).map(([method, operation]) => ({ template, method, operation })),
);

// Liveness and readiness answer no 4xx by design: nothing a client sends them can be wrong.
const ACCEPTED = new Set(['operation-4xx-response #/paths/~1healthz/get/responses', 'operation-4xx-response #/paths/~1readyz/get/responses']);

test("lints clean under Redocly's recommended rules (errors and warnings)", () => {
  const output = execFileSync(process.execPath, [path.join(__dirname, '../support/redocly-lint.mjs')], {
    input: JSON.stringify(document),
    encoding: 'utf8',
    timeout: 60_000,
  });
  const problems = (JSON.parse(output) as Array<{ rule: string; severity: string; message: string; at: string }>).filter(
    (p) => !ACCEPTED.has(`${p.rule} ${p.at}`),
  );
  expect(problems).toEqual([]);
});

test('every operation has a unique operationId, a summary, a tag and a 4xx or probe answer', () => {
  const ids = operations.map((o) => o.operation.operationId);
  expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  for (const { operation } of operations) {
    expect(operation.summary).toEqual(expect.any(String));
    expect(operation.tags).toHaveLength(1);
  }
});

test('every request body and every response with content has an example that follows its schema', () => {
  const contract = new Contract(document);
  let checked = 0;
  for (const { template, method, operation } of operations) {
    for (const [mediaType, media] of Object.entries<any>(operation.requestBody?.content ?? {})) {
      expect([template, method, mediaType, Object.keys(media.examples ?? {}).length > 0]).toEqual([template, method, mediaType, true]);
    }
    for (const [status, response] of Object.entries<any>(operation.responses)) {
      for (const [mediaType, media] of Object.entries<any>(response.content ?? {})) {
        expect([template, method, status, media.example !== undefined]).toEqual([template, method, status, true]);
        const concrete = template.replace(/\{[^}]+\}/g, '3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90');
        const headers = new Headers({ 'content-type': mediaType });
        for (const [name, header] of Object.entries<any>(response.headers ?? {})) {
          headers.set(name, header.schema.type === 'integer' ? '5' : (header.schema.const ?? '/v1/x'));
        }
        const text = typeof media.example === 'string' ? media.example : JSON.stringify(media.example);
        expect(contract.problems({ method, path: concrete, status: Number(status), headers, text })).toEqual([]);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(200);
});

test('the shared parts of the service are declared on every operation they apply to', () => {
  for (const { template, method, operation } of operations) {
    const statuses = Object.keys(operation.responses);
    const where = `${method.toUpperCase()} ${template}`;
    const keyed = operation.security.length > 0;
    if (keyed) expect([where, ...['401', '403', '503'].filter((s) => !statuses.includes(s))]).toEqual([where]);
    if (template.includes('{')) expect([where, statuses.includes('404')]).toEqual([where, true]);
    if (operation.requestBody) expect([where, ...['400', '413', '415'].filter((s) => !statuses.includes(s))]).toEqual([where]);
    if (operation.parameters?.some((p: any) => p.name === 'Idempotency-Key')) expect([where, statuses.includes('422')]).toEqual([where, true]);
    if (operation.responses['201']) expect([where, operation.responses['201'].headers?.Location?.required]).toEqual([where, true]);
    for (const status of ['429', '503']) {
      if (operation.responses[status]) expect([where, status, operation.responses[status].headers?.['Retry-After']?.required]).toEqual([where, status, true]);
    }
    expect([where, statuses.some((s) => s.startsWith('5') && s !== '503')]).toEqual([where, false]);
  }
});

test('server-enforced rules are in the schemas: lengths, patterns, formats, closed objects, non-empty patches, query bounds, key length', () => {
  const s = document.components.schemas as Record<string, any>;
  const org = s.CreateOrganization.properties.organization;
  expect(s.CreateOrganization.additionalProperties).toBe(false);
  expect(org.additionalProperties).toBe(false);
  expect(org.properties.name).toMatchObject({ minLength: 1, maxLength: 64 });
  expect(org.properties.country.pattern).toBe('^[A-Za-z]{2}$');
  expect(s.AdministratorInput.properties.email).toMatchObject({ format: 'idn-email', maxLength: 320 });
  expect(s.OrganizationPatch).toMatchObject({ minProperties: 1, additionalProperties: false });
  expect(s.AdministratorPatch).toMatchObject({ minProperties: 1, additionalProperties: false });
  const domains = (document.paths['/v1/domains'] as any).get.parameters;
  expect(domains.find((p: any) => p.name === 'expiringWithinDays').schema).toMatchObject({ type: 'integer', minimum: 0, maximum: 3650 });
  expect(domains.find((p: any) => p.name === 'limit').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
  const key = (document.paths['/v1/organizations'] as any).post.parameters.find((p: any) => p.name === 'Idempotency-Key');
  expect(key.schema).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
});

test('the response validator refuses what the document does not allow, naming the operation, the status and the fault', () => {
  const contract = new Contract(document);
  const json = (extra: Record<string, string> = {}) => new Headers({ 'content-type': 'application/json', ...extra });
  const problemJson = new Headers({ 'content-type': 'application/problem+json' });
  const id = '3f0b6c2e-8a4d-4f61-9a7e-2c5d8b1e4a90';
  const organization = (document.paths['/v1/organizations/{id}'] as any).get.responses['200'].content['application/json'].example;
  const ok = { method: 'GET', path: `/v1/organizations/${id}`, status: 200, headers: json(), text: JSON.stringify(organization) };
  expect(contract.problems(ok)).toEqual([]);
  expect(contract.problems({ ...ok, status: 500 })[0]).toMatch(/^status 500 is not declared/);
  expect(contract.problems({ ...ok, text: JSON.stringify({ ...organization, secret: 'x' }) })[0]).toMatch(/must NOT have additional properties/);
  expect(contract.problems({ ...ok, headers: new Headers({ 'content-type': 'text/html' }) })[0]).toMatch(/media type text\/html is not declared/);
  const created = { method: 'POST', path: '/v1/organizations?x=1', status: 201, headers: json(), text: JSON.stringify(organization) };
  expect(contract.problems(created)).toEqual(['header Location is required but absent']);
  const unavailable = {
    method: 'GET',
    path: '/v1/domains',
    status: 503,
    headers: problemJson,
    text: JSON.stringify({ type: 'about:blank', title: 'x', status: 503, instance: '/v1/domains' }),
  };
  expect(contract.problems(unavailable)).toEqual(['header Retry-After is required but absent']);
  expect(contract.problems({ ...ok, method: 'PUT' })).toEqual([]); // not an operation of the document: a 405, judged elsewhere
  expect(() => contract.assert({ ...ok, status: 418 })).toThrow(`GET /v1/organizations/${id} (operation getOrganization) answered 418`);
});
