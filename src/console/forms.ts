import type { FieldError } from '../problem';
import { Problem } from '../problem';
import { hasMessage, type Translate } from './i18n';

/**
 * A form's flat fields (`organization.name`, `administrator.email`) as the nested object the use cases
 * take (the API's JSON shape). Fields the console adds (`_csrf`, `_idempotency`) are left out; so are
 * empty optional values when `dropEmpty` is set (a blank optional input means "not given").
 */
export function nest(body: Record<string, unknown>, dropEmpty = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body ?? {})) {
    if (name.startsWith('_')) continue;
    if (dropEmpty && (value === '' || value === undefined)) continue;
    const path = name.split('.');
    let at = out;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1]] = value;
  }
  return out;
}

/**
 * The problem's field errors by field path, for the form that sent the request; `undefined` when it names
 * no field. A rule the catalog words (`rule.<name>`) is said in the viewer's language, others as the rule says it.
 */
export function fieldErrors(problem: Problem, t?: Translate): Record<string, string> | undefined {
  const errors = problem.extra.errors as FieldError[] | undefined;
  if (!errors?.length) return undefined;
  const words = (e: FieldError) => {
    const key = `rule.${e.rule}`;
    return t && e.rule && hasMessage(key) ? t(key) : e.message;
  };
  return Object.fromEntries(errors.map((e) => [e.field, words(e)]));
}

/** A problem a form can show next to its fields (a 4xx naming fields), as opposed to one the error page shows. */
export function isFormProblem(error: unknown): error is Problem {
  return error instanceof Problem && error.status >= 400 && error.status < 500 && error.status !== 404 && error.status !== 403;
}

/** The `id` of a field's input: `organization.name` → `f-organization-name`. */
export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
