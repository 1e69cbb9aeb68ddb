/** What /readyz checks, in the order `missing` names them. */
export const READINESS_CHECKS = ['database', 'migrations', 'temporal', 'searchAttributes', 'secretKey'] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];

/**
 * One round of readiness probes: true passed, false failed, null not asked (migrations are read from
 * the database, search attributes from Temporal: unreachable, they cannot be asked). `details` says
 * what is missing, for people.
 */
export interface Readiness {
  database: boolean;
  temporal: boolean;
  /** No migration pending. */
  migrations?: boolean | null;
  /** The namespace holds every search attribute of the service, with its type. */
  searchAttributes?: boolean | null;
  /** This process's SECRET_KEY checked against the database's record (src/db/secret-key-check.ts). */
  secretKey?: boolean;
  details?: Partial<Record<ReadinessCheck, string>>;
}

/** The /readyz body: `missing` names the checks that failed (the answer is 503 when any did). */
export function readinessBody(readiness: Readiness) {
  const asked = READINESS_CHECKS.filter((name) => readiness[name] !== undefined);
  const checks = Object.fromEntries(asked.map((name) => [name, readiness[name]]));
  const missing = READINESS_CHECKS.filter((name) => readiness[name] === false);
  if (missing.length === 0) return { status: 'ready' as const, checks, missing };
  return { status: 'not ready' as const, checks, missing, ...(readiness.details ? { details: readiness.details } : {}) };
}
