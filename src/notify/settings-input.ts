import { z } from 'zod';
import { emailAddress, readable } from '../domain/schemas';
import { brokenRule } from '../problem';

/** The languages emails are written in (src/notify/email-templates.ts). */
export const EMAIL_LANGUAGES = ['en', 'zh-CN'] as const;
export const emailLanguage = z.enum(EMAIL_LANGUAGES);
const language = emailLanguage;

/** At most this many contacts per account. */
export const MAX_CONTACTS = 10;

/**
 * A contact's name, the display name of the emails to them: held, like every person's name the service
 * keeps, to the `unprintable-character` rule (src/domain/subject-attributes.ts: no bidi control, zero-width
 * or other default-ignorable character, no blank such as U+2800; ZWNJ/ZWJ kept), answered 422 naming it.
 */
const contactName = readable(z.string().trim().min(1).max(100));

/**
 * `PUT /v1/notification-settings`: the account's language (its administrators' emails) and the
 * contacts who get its emails too, each in their own language or the account's.
 */
export const notificationSettingsInput = z.strictObject({
  language: language.describe('Language of the emails to the administrators, and to contacts without one: en or zh-CN'),
  contacts: z
    .array(
      z.strictObject({
        email: emailAddress,
        name: contactName.nullable().optional(),
        language: language.nullable().optional(),
      }),
    )
    .max(MAX_CONTACTS)
    .refine((contacts) => new Set(contacts.map((c) => c.email.toLowerCase())).size === contacts.length, {
      message: 'each address once',
      params: brokenRule('unique-addresses'),
    })
    .describe('Who gets the account emails besides the administrators (approvals, rejections, expiry, domains needing attention, a disabled webhook)'),
});
export type NotificationSettingsInput = z.output<typeof notificationSettingsInput>;
