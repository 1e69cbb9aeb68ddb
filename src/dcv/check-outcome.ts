/**
 * The verdict of one DCV check from every perspective's results, and the attention it leaves on the
 * domain. Pure: the activities that record checks use it, and so do the workflow tests' fakes.
 */
import type { CheckKind, CheckOutcome } from '../../workflows/domain-messages';
import type { DcvMethod } from './instructions';
import { checkFault, type Fault, resultFaultSide } from './fault-side';
import { evaluateQuorum } from './quorum';
import type { CheckResult } from './result-codes';

/**
 * `results` holds one entry per perspective: its method check and its CAA check (activities/perspective.ts).
 * Each failed result gets its `faultSide`; the quorum is the Multi-Perspective Issuance Corroboration
 * rule (BR §3.2.2.9); `code` is `passed` or the most common failure code; a failed check names the side
 * at fault with the evidence (src/dcv/fault-side.ts). `caZone` is the CA's delegation zone.
 */
export function evaluateCheck(kind: CheckKind, results: CheckResult[][], caZone: string): { outcome: CheckOutcome; fault: Fault | null } {
  const marked = results.map((pair) =>
    pair.map((result) => {
      const side = resultFaultSide(result, caZone);
      return side ? { ...result, faultSide: side } : result;
    }),
  );
  const quorum = evaluateQuorum(marked.map((pair) => ({ perspective: pair[0].perspective, passed: pair.every((r) => r.passed) })));
  const failures = marked
    .flat()
    .filter((r) => !r.passed)
    .map((r) => r.code);
  const fault = quorum.passed ? null : checkFault(marked, caZone);
  return {
    outcome: {
      kind,
      passed: quorum.passed,
      code: quorum.passed ? 'passed' : (mostCommon(failures) ?? 'no_perspective'),
      quorum: {
        summary: quorum.summary,
        required: quorum.required,
        passedPerspectives: quorum.passedPerspectives,
        failedPerspectives: quorum.failedPerspectives,
      },
      results: marked.flat(),
      faultSide: fault?.side ?? null,
      reason: fault?.reason ?? null,
    },
    fault,
  };
}

/**
 * The attention a workflow's own recheck or scan leaves on the domain: a CA-side fault flags it, and so
 * does a customer-side failure while renewing (the automatic methods' delegation or proxy may be gone);
 * anything else clears it (null). Pre-checks leave attention alone (their caller does not call this).
 */
export function attentionAfterCheck(outcome: CheckOutcome, fault: Fault | null, context: { renewing: boolean }, method: DcvMethod): Fault | null {
  if (fault?.side === 'ca') return fault;
  if (fault?.side !== 'customer' || !context.renewing) return null;
  const what = method === 'dns_cname' ? 'CNAME delegation' : 'reverse proxy';
  return {
    side: 'customer',
    reason: `customer side: automatic revalidation failed (${outcome.code}, quorum ${outcome.quorum.summary}): is the ${what} still in place? ${fault.reason.replace(/^customer side: /, '')}`,
  };
}

function mostCommon(codes: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
