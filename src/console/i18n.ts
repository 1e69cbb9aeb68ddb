import type { Request } from 'express';
import { en } from './messages/en';
import { zhCN } from './messages/zh-CN';

/** The console's languages: English, and Simplified Chinese for the customers this product comes from. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageKey = keyof typeof en;

const CATALOGS: Record<Locale, Partial<Record<MessageKey, string>>> = { en, 'zh-CN': zhCN };

export const LANGUAGE_COOKIE = 'cps_lang';

export const isLocale = (value: unknown): value is Locale => (LOCALES as readonly unknown[]).includes(value);

/**
 * The viewer's language: the one they chose with the switch (a cookie), else the best of
 * `Accept-Language` (RFC 9110 §12.5.4; `zh`, `zh-Hans`, `zh-CN` and `zh-SG` read as Simplified Chinese), else English.
 */
export function localeOf(req: Request, cookies: Record<string, string | undefined>): Locale {
  const chosen = cookies[LANGUAGE_COOKIE];
  if (isLocale(chosen)) return chosen;
  const best = req.acceptsLanguages('en', 'zh-CN', 'zh-Hans', 'zh-SG', 'zh');
  return typeof best === 'string' && best.startsWith('zh') ? 'zh-CN' : 'en';
}

/** `t(key, { name })`, knowing its locale (for words chosen from data, such as a field error's rule). */
export type Translate = ((key: MessageKey, params?: Record<string, string | number>) => string) & { readonly locale: Locale };

/** `{name}` in `text` replaced by `params.name`; a placeholder without its value stays as it is. */
export const fill = (text: string, params?: Record<string, string | number>) =>
  params ? text.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match)) : text;

/** `t(key, { name })`: the message in `locale` (English where a translation is missing), `{name}` replaced. */
export function translator(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  return Object.assign((key: MessageKey, params?: Record<string, string | number>) => fill(catalog[key] ?? en[key] ?? key, params), { locale });
}

/** Whether the catalog has `key` (for messages chosen from data, such as result codes and statuses). */
export const hasMessage = (key: string): key is MessageKey => key in en;
