import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem; thrown anywhere in a handler and rendered by `problemHandler`. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; type?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what: string) => new Problem(404, 'Not Found', `${what} was not found`);
export const conflict = (detail: string, type?: string) => new Problem(409, 'Conflict', detail, { type });

export function validationProblem(error: z.ZodError, prefix: string[] = []): Problem {
  const errors = error.issues.map((issue) => ({
    field: [...prefix, ...issue.path.map(String)].join('.') || '(body)',
    message: issue.message,
  }));
  return new Problem(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

/** Parses with zod or throws a 400 naming each field at fault. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: string[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, prefix);
  return result.data;
}

function send(res: Parameters<ErrorRequestHandler>[2], problem: Problem, instance: string): void {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').json({
    type: problem.extra.type ?? 'about:blank',
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
  });
}

export const routeNotFound: RequestHandler = (req, res) => send(res, new Problem(404, 'Not Found', `no route for ${req.method} ${req.path}`), req.originalUrl);

/** Everything a client can cause is a 4xx; an unexpected error is a logged 500 that reveals nothing. */
export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  if (error instanceof Problem) return send(res, error, req.originalUrl);
  const status = typeof error?.status === 'number' ? error.status : undefined;
  if (error?.type === 'entity.parse.failed') {
    return send(res, new Problem(400, 'Malformed JSON', 'the request body is not valid JSON', { errors: [{ field: '(body)', message: String(error.message) }] }), req.originalUrl);
  }
  if (status && status >= 400 && status < 500) return send(res, new Problem(status, String(error.message ?? 'Bad Request')), req.originalUrl);
  console.error(`${req.method} ${req.originalUrl} failed:`, error);
  send(res, new Problem(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged'), req.originalUrl);
};
