import type { ErrorRequestHandler, RequestHandler } from 'express';
import { Problem } from '../problem';

export { conflict, type FieldError, notFound, parse, Problem, validationProblem } from '../problem';

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
