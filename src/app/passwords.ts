import { hash, verify } from '@node-rs/argon2';

/**
 * Console passwords are stored as argon2id PHC strings (RFC 9106; OWASP Password Storage Cheat Sheet:
 * argon2id, 19 MiB memory, 2 iterations, 1 lane, which are the library's defaults and written here so a
 * library upgrade cannot lower them). Verification reads the parameters from the stored string.
 */
// `Algorithm.Argon2id` of the library (2); its ambient const enum cannot be read under isolatedModules.
const ARGON2ID = 2;
const PARAMETERS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMETERS);
}

// Verified against when the email has no user (or no password yet), so the answer takes as long either way.
let decoy: Promise<string> | undefined;

/** Whether `password` matches the stored hash; with no hash, spends the same time and answers false. */
export async function passwordMatches(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hashPassword('decoy password, never matches anything');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
