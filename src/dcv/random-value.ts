/**
 * Random Values for DCV (BR §1.6.1 needs ≥112 bits; RFC 8555 tokens ≥128 bits). We use 256
 * bits from the CSPRNG, base64url without padding (43 characters, same as Boulder's tokens):
 * safe in DNS TXT data, in a file body and in URLs.
 */
import { randomBytes } from 'node:crypto';

export const RANDOM_VALUE_BYTES = 32;
/** BR §3.2.2.4.7 / §3.2.2.4.18: a Random Value is good for at most 30 days from creation. */
export const MAX_RANDOM_VALUE_LIFETIME_MS = 30 * 86_400_000;
export const DEFAULT_RANDOM_VALUE_LIFETIME_MS = MAX_RANDOM_VALUE_LIFETIME_MS;

export interface RandomValue {
  value: string;
  issuedAt: Date;
  expiresAt: Date;
}

const BASE64URL_43 = /^[A-Za-z0-9_-]{43}$/;

export function generateRandomValue(lifetimeMs: number = DEFAULT_RANDOM_VALUE_LIFETIME_MS, now: Date = new Date()): RandomValue {
  if (!Number.isFinite(lifetimeMs) || lifetimeMs <= 0) throw new RangeError('lifetimeMs must be a positive number');
  if (lifetimeMs > MAX_RANDOM_VALUE_LIFETIME_MS) {
    throw new RangeError('A Random Value may live at most 30 days (BR §3.2.2.4.7, §3.2.2.4.18)');
  }
  return {
    value: randomBytes(RANDOM_VALUE_BYTES).toString('base64url'),
    issuedAt: new Date(now.getTime()),
    expiresAt: new Date(now.getTime() + lifetimeMs),
  };
}

/** Shape check for values we generated (43 base64url characters). */
export function isWellFormedRandomValue(value: string): boolean {
  return BASE64URL_43.test(value);
}

/** A value is usable from its issue time up to and including its expiry instant. */
export function isRandomValueUsable(rv: Pick<RandomValue, 'issuedAt' | 'expiresAt'>, at: Date = new Date()): boolean {
  const t = at.getTime();
  return t >= rv.issuedAt.getTime() && t <= rv.expiresAt.getTime();
}
