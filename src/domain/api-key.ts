import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits; the prefix tells a leaked key's kind at a glance (and to secret scanners). */
export function generateApiKey(role: 'customer' | 'reviewer'): string {
  return `cps_${role === 'customer' ? 'ck' : 'rk'}_${randomBytes(32).toString('base64url')}`;
}

/** Keys are high-entropy, so a plain SHA-256 is enough to make the stored value useless to a thief. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
