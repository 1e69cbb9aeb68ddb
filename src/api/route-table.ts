import type { Request, RequestHandler } from 'express';
import { Problem } from '../problem';

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** One path of the API document: its template, a pattern matching concrete paths, and its operations by method. */
export interface Route {
  template: string;
  pattern: RegExp;
  operations: Record<string, { operationId?: string; requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }>;
}

/** The OpenAPI Paths Object as routes, so the app (405s, body reading) and the test suite's validator match paths alike. */
export function routeTable(paths: Record<string, object>): Route[] {
  return Object.entries(paths).map(([template, item]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    operations: Object.fromEntries(Object.entries(item).filter(([method]) => HTTP_METHODS.has(method))),
  }));
}

/** The route of a concrete path (without its query), or undefined. */
export function routeOf(routes: Route[], path: string): Route | undefined {
  return routes.find((r) => r.pattern.test(path));
}

/**
 * Does the request's operation take a body? Only those read one: a body sent to any other (a GET, a DELETE,
 * a resubmit) is not read, so it cannot make the request fail (RFC 9110 §9.3: such content has no meaning).
 */
export function takesBody(routes: Route[]): (req: Request) => boolean {
  return (req) => routeOf(routes, req.baseUrl + req.path)?.operations[req.method.toLowerCase()]?.requestBody !== undefined;
}

/**
 * Refuses query parameters the request's operation does not declare, 400 naming each (rule
 * `unknown-field`), as a body's unknown fields are: a misspelt `?stauts=approved` or `?status[]=approved`
 * would otherwise be ignored and the unfiltered list answered as if it were the filtered one.
 */
export function declaredQueryOnly(routes: Route[]): RequestHandler {
  return (req, _res, next) => {
    const names = Object.keys(req.query ?? {});
    const operation = names.length ? routeOf(routes, req.baseUrl + req.path)?.operations[req.method.toLowerCase()] : undefined;
    if (!operation) return next();
    const declared = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    const unknown = names.filter((name) => !declared.includes(name));
    if (unknown.length === 0) return next();
    const message = `not a query parameter of this operation (${declared.length ? `it takes ${declared.join(', ')}` : 'it takes none'})`;
    const errors = unknown.map((field) => ({ field, message, rule: 'unknown-field' as const, values: { keys: field } }));
    next(new Problem(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors }));
  };
}
