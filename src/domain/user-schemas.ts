import { z } from 'zod';
import { brokenRule } from '../problem';
import { normalizeEmailAddress } from './email';
import { mailboxKey } from './identity';
import { text } from './schemas';

/** Length bounds of a console password (OWASP ASVS 5.0 §6.2: at least 8, 15 recommended; no composition rules; long passphrases allowed). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** A user's sign-in address: normalized as administrators' are (src/domain/email.ts), with the key that finds it case-insensitively. */
export const userEmail = z
  .string()
  .max(320)
  .transform((value, ctx) => {
    const result = normalizeEmailAddress(value);
    if (result.ok) return { email: result.value, emailKey: mailboxKey(result.value) };
    ctx.addIssue({ code: 'custom', message: result.message, params: brokenRule(result.rule) });
    return z.NEVER;
  });

/** An invitation an owner sends: who, and as owner or member. */
export const invitationInput = z.strictObject({
  email: userEmail,
  name: text(200),
  role: z.enum(['owner', 'member']).default('member'),
});

/**
 * A new password, typed twice. Characters are counted as code points after NFC (NIST SP 800-63B §3.1.1.2);
 * no composition rules; whitespace is kept as typed.
 */
export const newPassword = z
  .strictObject({
    password: z.string(),
    confirmation: z.string(),
  })
  .superRefine((value, ctx) => {
    const length = [...value.password.normalize('NFC')].length;
    if (length < PASSWORD_MIN_LENGTH)
      ctx.addIssue({ code: 'custom', path: ['password'], message: `at least ${PASSWORD_MIN_LENGTH} characters`, params: brokenRule('password-length') });
    else if (length > PASSWORD_MAX_LENGTH)
      ctx.addIssue({ code: 'custom', path: ['password'], message: `at most ${PASSWORD_MAX_LENGTH} characters`, params: brokenRule('password-length') });
    if (value.confirmation !== value.password)
      ctx.addIssue({ code: 'custom', path: ['confirmation'], message: 'does not match the password', params: brokenRule('password-confirmation') });
  })
  .transform((value) => value.password.normalize('NFC'));
