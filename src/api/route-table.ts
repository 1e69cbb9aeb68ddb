import type { Request } from 'express';

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** One path of the API document: its template, a pattern matching concrete paths, and its operations by method. */
export interface Route {
  template: string;
  pattern: RegExp;
  operations: Record<string, { operationId?: string; requestBody?: unknown }>;
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
