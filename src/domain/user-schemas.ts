import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
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

/** A password as it is hashed and checked: NFC, so the same characters typed on another system match (NIST SP 800-63B §3.1.1.2). */
export const passwordText = (value: string) => value.normalize('NFC');

/**
 * The zxcvbn score a new password needs (0–4; 3: about 10^8 guesses or more, "safely unguessable"). OWASP
 * ASVS 5.0 §6.2.4 and NIST SP 800-63B §3.1.1.2 ask that common, repetitive and sequential passwords and
 * ones made of the user's own name or address be refused: zxcvbn (Dropbox's estimator, @zxcvbn-ts) finds
 * them in its list of common passwords, keyboard patterns, repeats and sequences, and the user's words.
 */
export const PASSWORD_MIN_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;
const guessable = (password: string, userWords: string[]) =>
  (estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs })).check(password, userWords).score < PASSWORD_MIN_SCORE;

/**
 * A new password, typed twice. Characters are counted as code points after NFC (NIST SP 800-63B §3.1.1.2);
 * no composition rules; whitespace is kept as typed. `userWords` (the user's email and name) make a
 * password built from them too guessable.
 */
export const newPasswordFor = (userWords: string[] = []) =>
  z
    .strictObject({
      password: z.string(),
      confirmation: z.string(),
    })
    .superRefine((value, ctx) => {
      const password = passwordText(value.password);
      const length = [...password].length;
      if (length < PASSWORD_MIN_LENGTH)
        ctx.addIssue({ code: 'custom', path: ['password'], message: `at least ${PASSWORD_MIN_LENGTH} characters`, params: brokenRule('password-length') });
      else if (length > PASSWORD_MAX_LENGTH)
        ctx.addIssue({ code: 'custom', path: ['password'], message: `at most ${PASSWORD_MAX_LENGTH} characters`, params: brokenRule('password-too-long') });
      else if (guessable(password, userWords))
        ctx.addIssue({
          code: 'custom',
          path: ['password'],
          message: 'too easy to guess (a common password, a pattern, or close to your name or email address): use a longer phrase of unrelated words',
          params: brokenRule('password-guessable'),
        });
      if (value.confirmation !== value.password)
        ctx.addIssue({ code: 'custom', path: ['confirmation'], message: 'does not match the password', params: brokenRule('password-confirmation') });
    })
    .transform((value) => passwordText(value.password));
