import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens (OWASP CSRF Prevention Cheat Sheet, "signed double-submit"): a form's token is an HMAC of
 * the visitor's session cookie (or, before sign-in, of a pre-session cookie), under a key derived from
 * SECRET_KEY. A forged request from another site carries the cookie but cannot read it, so it cannot
 * compute the token; every POST of the console is checked (`csrfValid`). SameSite cookies are a second line.
 */
export function csrfKeyOf(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'certificate-profiles console csrf', 32));
}

export function csrfToken(key: Buffer, cookieValue: string): string {
  return createHmac('sha256', key).update(cookieValue).digest('base64url');
}

/** Whether `sent` is the token of `cookieValue`, compared in constant time. */
export function csrfValid(key: Buffer, cookieValue: string | undefined, sent: unknown): boolean {
  if (!cookieValue || typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfToken(key, cookieValue));
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
