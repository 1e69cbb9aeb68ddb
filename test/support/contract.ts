import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../src/api/openapi';
import { type Route, routeOf, routeTable } from '../../src/api/route-table';

/**
 * The API document as the judge of every response the test suite receives (issue 7, item 12): the
 * request's operation is found by method and path template, and its answer must be one the operation
 * declares: the status, the media type, the body (JSON Schema 2020-12, the dialect of OpenAPI 3.1, with
 * Ajv), the required headers and the schema of each declared header. A request that matches no
 * operation (an unknown route: 404, an undeclared method: 405) is not an operation's answer and is not
 * judged here.
 */

export interface ReceivedResponse {
  method: string;
  /** As requested, query included. */
  path: string;
  status: number;
  headers: Headers;
  /** The body as received. */
  text: string;
}

interface Operation {
  operationId: string;
  responses: Record<string, { headers?: Record<string, { required?: boolean; schema: object }>; content?: Record<string, { schema: object }> }>;
}

/**
 * Ajv for the document's schemas (JSON Schema 2020-12), the document added as `openapi.json`, so
 * `openapi.json#/components/schemas/X` and pointers into paths resolve.
 */
export function documentAjv(document: object): Ajv2020 {
  // strict: false: a schema here is an OpenAPI Schema Object, which may carry OpenAPI's own keywords.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  // RFC 6531 mailboxes (UTF-8 local parts), which ajv-formats does not define: the server checks the rest.
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  // zod's base64 strings carry `format: base64` beside their pattern (which is what checks them).
  ajv.addFormat('base64', true);
  ajv.addSchema(document, 'openapi.json');
  return ajv;
}

const escapePointer = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

export class Contract {
  private readonly ajv: Ajv2020;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document = openApiDocument()) {
    this.ajv = documentAjv(this.document);
    this.routes = routeTable(this.document.paths);
  }

  /** The operation a request reaches, if the document declares one. */
  operationOf(method: string, path: string): { template: string; operation: Operation } | undefined {
    const route = routeOf(this.routes, path.split('?')[0]);
    const operation = route?.operations[method.toLowerCase()] as Operation | undefined;
    return route && operation ? { template: route.template, operation } : undefined;
  }

  /** What in the response the document does not allow (empty when it is allowed, or not an operation's answer). */
  problems(response: ReceivedResponse): string[] {
    const found = this.operationOf(response.method, response.path);
    if (!found) return [];
    const { template, operation } = found;
    const method = response.method.toLowerCase();
    const declared = operation.responses[String(response.status)] ?? operation.responses[`${String(response.status)[0]}XX`] ?? operation.responses.default;
    if (!declared)
      return [`status ${response.status} is not declared (declared: ${Object.keys(operation.responses).join(', ')}); body: ${response.text.slice(0, 300)}`];
    const problems: string[] = [];
    const statusKey = operation.responses[String(response.status)] ? String(response.status) : `${String(response.status)[0]}XX`;
    const pointer = `openapi.json#/paths/${escapePointer(template)}/${method}/responses/${statusKey}`;

    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} is required but absent`);
        continue;
      }
      const typed = (header.schema as { type?: string }).type === 'integer' && /^-?[0-9]+$/.test(value) ? Number(value) : value;
      const validate = this.validator(`${pointer}/headers/${escapePointer(name)}/schema`);
      if (!validate(typed)) problems.push(`header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(validate.errors)}`);
    }

    const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!declared.content) {
      if (response.text !== '') problems.push(`a body was sent (${contentType}) where the document declares none`);
      return problems;
    }
    if (!declared.content[contentType]) {
      problems.push(`media type ${contentType || '(none)'} is not declared (declared: ${Object.keys(declared.content).join(', ')})`);
      return problems;
    }
    let body: unknown = response.text;
    if (/[/+]json$/.test(contentType)) {
      try {
        body = JSON.parse(response.text);
      } catch {
        problems.push(`the ${contentType} body is not JSON: ${response.text.slice(0, 200)}`);
        return problems;
      }
    }
    const validate = this.validator(`${pointer}/content/${escapePointer(contentType)}/schema`);
    if (!validate(body)) {
      const errors = (validate.errors ?? [])
        .slice(0, 8)
        .map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
      problems.push(`the body does not follow the schema: ${errors.join('; ')}; body: ${response.text.slice(0, 500)}`);
    }
    return problems;
  }

  /** Throws, naming the operation, the status and what is wrong, when the document does not allow the response. */
  assert(response: ReceivedResponse): void {
    const problems = this.problems(response);
    if (problems.length === 0) return;
    const operationId = this.operationOf(response.method, response.path)?.operation.operationId;
    throw new Error(
      `OpenAPI contract: ${response.method} ${response.path} (operation ${operationId}) answered ${response.status}, which /openapi.json does not allow:\n- ${problems.join('\n- ')}`,
    );
  }

  private validator(ref: string): ValidateFunction {
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    return validate;
  }
}

let shared: Contract | undefined;

/** One contract per test file (compiling the document's schemas takes a moment). */
export function contract(): Contract {
  return (shared ??= new Contract());
}
