import type { RuleValues } from '../domain/field-rules';
import type { FieldError } from '../problem';
import { Problem } from '../problem';
import { fill, type Translate } from './i18n';
import { RULE_VALUE_WORDING, RULE_WORDING } from './messages/rules';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A form's flat fields (`organization.name`, `administrator.email`) as the nested object the use cases
 * take (the API's JSON shape). Fields the console adds (`_csrf`, `_idempotency`) are left out; so are
 * empty optional values when `dropEmpty` is set (a blank optional input means "not given").
 *
 * The names come from whoever sent the form, so the objects have no prototype and only own keys are
 * followed: `__proto__.x` or `constructor.prototype.x` are plain (unknown) fields that the use case's schema
 * refuses, never a write into Object.prototype. A name that would nest under a value already given
 * (`organization=x&organization.name=y`) is dropped, so the schema refuses the value, not the server.
 */
export function nest(body: Record<string, unknown>, dropEmpty = true): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  fields: for (const [name, value] of Object.entries(body ?? {})) {
    if (name.startsWith('_')) continue;
    if (dropEmpty && (value === '' || value === undefined)) continue;
    const path = name.split('.');
    let at = out;
    for (const key of path.slice(0, -1)) {
      if (!Object.hasOwn(at, key)) at[key] = Object.create(null);
      const next = at[key];
      if (!isRecord(next)) continue fields;
      at = next;
    }
    const last = path[path.length - 1];
    if (!Object.hasOwn(at, last)) at[last] = value;
  }
  return out;
}

/** A field error's values in `locale`'s words (src/console/messages/rules.ts `RULE_VALUE_WORDING`). */
function localValues(values: RuleValues, locale: Translate['locale']): RuleValues {
  const words = RULE_VALUE_WORDING[locale];
  if (!words) return values;
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, typeof value === 'string' && words[name] ? words[name](value) : value]));
}

/**
 * The problem's field errors by field path, for the form that sent the request; `undefined` when it names
 * no field. Each is said in the viewer's language (`t.locale`) by its rule's wording with the error's values
 * (src/console/messages/rules.ts); without a wording there (English mostly), as the error's own message says it.
 */
export function fieldErrors(problem: Problem, t?: Translate): Record<string, string> | undefined {
  const errors = problem.extra.errors as FieldError[] | undefined;
  if (!errors?.length) return undefined;
  const words = (e: FieldError) => {
    const wording = t && e.rule ? RULE_WORDING[t.locale][e.rule] : undefined;
    return wording ? fill(wording, e.values && localValues(e.values, t!.locale)) : e.message;
  };
  return Object.fromEntries(errors.map((e) => [e.field, words(e)]));
}

/** A problem a form can show next to its fields (a 4xx naming fields), as opposed to one the error page shows. */
export function isFormProblem(error: unknown): error is Problem {
  return error instanceof Problem && error.status >= 400 && error.status < 500 && error.status !== 404 && error.status !== 403;
}

/** The `id` of a field's input: `organization.name` → `f-organization-name`. */
export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
