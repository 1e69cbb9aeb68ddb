import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem: thrown by any layer, rendered by the API's `problemHandler`. */
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
