/**
 * Multi-Perspective Issuance Corroboration quorum (BR §3.2.2.9, Boulder `maxAllowedFailures`):
 * with 2–5 perspectives one may disagree, with 6 or more two may.
 */

export function allowedFailures(perspectiveCount: number): number {
  if (!Number.isInteger(perspectiveCount) || perspectiveCount < 0) {
    throw new RangeError('perspectiveCount must be a non-negative integer');
  }
  if (perspectiveCount < 2) return 0;
  if (perspectiveCount <= 5) return 1;
  return 2;
}

export function requiredCorroborations(perspectiveCount: number): number {
  return perspectiveCount - allowedFailures(perspectiveCount);
}

export interface QuorumOutcome {
  passed: boolean;
  corroborating: number;
  total: number;
  required: number;
  /** Audit form, e.g. "3/4" (BR §5.4.1). */
  summary: string;
  passedPerspectives: string[];
  failedPerspectives: string[];
}

/** No perspectives means no corroboration: an empty set never passes. */
export function evaluateQuorum(results: ReadonlyArray<{ perspective: string; passed: boolean }>): QuorumOutcome {
  const total = results.length;
  const passedPerspectives = results.filter((r) => r.passed).map((r) => r.perspective);
  const failedPerspectives = results.filter((r) => !r.passed).map((r) => r.perspective);
  const required = total === 0 ? 1 : requiredCorroborations(total);
  const corroborating = passedPerspectives.length;
  return {
    passed: total > 0 && corroborating >= required,
    corroborating,
    total,
    required,
    summary: `${corroborating}/${total}`,
    passedPerspectives,
    failedPerspectives,
  };
}
