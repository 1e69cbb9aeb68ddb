import path from 'node:path';
import type { Response } from 'express';
import nunjucks from 'nunjucks';
import { fieldId } from './forms';
import type { Locale, Translate } from './i18n';
import { formatInstant } from './time';

/**
 * Server-rendered pages: nunjucks templates under ./views, escaping every value by default (autoescape;
 * nothing in the templates is marked safe), so customer-entered text never becomes markup.
 */
const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.join(__dirname, 'views')), {
  autoescape: true,
  throwOnUndefined: false,
  trimBlocks: true,
  lstripBlocks: true,
});
environment.addGlobal('fieldId', fieldId);

/** What every page's templates read, set on `res.locals` by the console's middleware. */
export interface PageLocals {
  t: Translate;
  lang: Locale;
  timeZone: string;
  /** The CSRF token of the visitor's session (or pre-session), for every form. */
  csrf: string;
  /** The signed-in user, if any. */
  user?: { id: string; name: string; email: string; role: string; accountId: string | null; reviewerId: string | null };
  /** The path being shown, for the language switch's way back. */
  here: string;
}

/** Renders `template` with the page locals and `data`, with `status` (200 unless told). */
export function render(res: Response, template: string, data: Record<string, unknown> = {}, status = 200): void {
  const locals = res.locals as unknown as PageLocals;
  const when = (value: Date | string | null | undefined) => formatInstant(value, locals.lang, locals.timeZone);
  // Words for values from data (statuses, audit actions, result codes): translated when the catalog has them.
  const words = (prefix: string, value: unknown) => {
    const key = `${prefix}.${value}`;
    const text = locals.t(key as never);
    return text === key ? String(value) : text;
  };
  const html = environment.render(template, { ...locals, when, words, now: new Date().toISOString(), ...data });
  res.status(status).type('html').send(html);
}
