import type { z } from 'zod';
import type { FieldRule, RuleValues } from './domain/field-rules';

export interface FieldError {
  field: string;
  message: string;
  /** The stable name of the rule the value breaks (src/domain/field-rules.ts: `required`, `reserved-ldh-label`, …). */
  rule?: FieldRule;
  /** The rule's numbers and words for this field (`{ maximum: 64 }`), where it has any. */
  values?: RuleValues;
}

/** An RFC 9457 problem: thrown by any layer, rendered by the API's `problemHandler`. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: {
      errors?: FieldError[];
      type?: string;
      headers?: Record<string, string>;
      /** RFC 9457 §3.2 extension members, added to the body as they are. */
      members?: Record<string, unknown>;
    } = {},
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what: string) => new Problem(404, 'Not Found', `${what} was not found`);
export const conflict = (detail: string, type?: string) => new Problem(409, 'Conflict', detail, { type });

/** The profile an account already holds, which a create or an edit would have duplicated. */
export interface ExistingProfile {
  kind: 'organization' | 'administrator';
  id: string;
}

/**
 * 409: an organization or a person entered twice in one account (issue 7, item 9). `existing` names the
 * profile already there, also as an extension member with its URL; `field` is where the duplicate shows.
 */
export function duplicateProblem(existing: ExistingProfile, field: string): Problem {
  const what = existing.kind === 'organization' ? 'this organization' : 'this administrator';
  const detail = `the account already holds ${what} as ${existing.kind} ${existing.id}`;
  return new Problem(409, 'Duplicate', detail, {
    type: 'https://certificate-profiles.dev/problems/duplicate',
    errors: [{ field, message: `the same as ${existing.kind} ${existing.id}`, rule: 'duplicate' }],
    members: { existing: { ...existing, href: `/v1/${existing.kind}s/${existing.id}` } },
  });
}

/** What a zod issue may carry in `params`: the rule's name and values, and 422 for well-formed input no rule allows. */
export interface IssueParams {
  rule?: FieldRule;
  values?: RuleValues;
  status?: 422;
}

/** `params` of a zod issue for a value that is well formed but can never be accepted: 422 naming `rule`. */
export const unprocessable = (rule: FieldRule, values?: RuleValues): IssueParams => ({ status: 422, rule, ...(values ? { values } : {}) });

/** `params` of a zod issue that names its rule (answered 400). */
export const brokenRule = (rule: FieldRule, values?: RuleValues): IssueParams => ({ rule, ...(values ? { values } : {}) });

/**
 * The rule a zod check of its own (not a `custom` one) stands for, with its limits: a string's length, a
 * number's bounds, an array's size, a format, a choice (a discriminator's variants too). `invalid` for the rest.
 */
function builtInRule(issue: z.core.$ZodIssue): { rule: FieldRule; values?: RuleValues } {
  const sizes = { string: ['min-length', 'max-length'], array: ['min-items', 'max-items'], set: ['min-items', 'max-items'] } as const;
  switch (issue.code) {
    case 'invalid_type':
      return { rule: 'type', values: { expected: issue.expected } };
    case 'too_small': {
      const rule = sizes[issue.origin as keyof typeof sizes]?.[0] ?? 'minimum';
      return { rule, values: { minimum: Number(issue.minimum) } };
    }
    case 'too_big': {
      const rule = sizes[issue.origin as keyof typeof sizes]?.[1] ?? 'maximum';
      return { rule, values: { maximum: Number(issue.maximum) } };
    }
    case 'invalid_format':
      return { rule: 'format', values: { format: issue.format } };
    case 'invalid_value':
      return { rule: 'one-of', values: { options: issue.values.map(String).join(', ') } };
    case 'unrecognized_keys':
      return { rule: 'unknown-field', values: { keys: issue.keys.join(', ') } };
    case 'invalid_union':
      // A discriminator (a DNS provider's `kind`) naming no variant: zod lists the variants.
      if ('options' in issue && issue.options?.length) return { rule: 'one-of', values: { options: issue.options.map(String).join(', ') } };
      return { rule: 'invalid' };
    default:
      return { rule: 'invalid' };
  }
}

/** The value at an issue's path in what the client sent (undefined when absent). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * The problem for a failed zod parse: each issue becomes `{ field, message, rule? }` with the zod path as
 * the field. A field the client left out reads "required" (zod would say "expected string, received
 * undefined"); `input` is what was parsed, to tell absent fields apart. 422 when every issue is a rule
 * refusal of well-formed input (`unprocessable`), else 400.
 */
export function validationProblem(error: z.ZodError, prefix: string[] = [], input?: unknown): Problem {
  const errors = error.issues.map((issue): FieldError => {
    const field = [...prefix, ...issue.path.map(String)].join('.') || '(body)';
    const params = (issue as { params?: IssueParams }).params;
    if (issue.code !== 'custom' && issue.path.length > 0 && valueAt(input, issue.path) === undefined) return { field, message: 'required', rule: 'required' };
    if (issue.code !== 'custom') return { field, message: issue.message, ...builtInRule(issue) };
    if (!params?.rule) return { field, message: issue.message };
    return { field, message: issue.message, rule: params.rule, ...(params.values ? { values: params.values } : {}) };
  });
  const unprocessableOnly = error.issues.every((issue) => (issue as { params?: IssueParams }).params?.status === 422);
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return unprocessableOnly ? new Problem(422, 'Unprocessable Content', detail, { errors }) : new Problem(400, 'Invalid request', detail, { errors });
}

/** Parses with zod or throws a 400 (or 422, see validationProblem) naming each field at fault. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: string[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(result.error, prefix, value);
  return result.data;
}
