import { checkCaa, checkCname, checkTxt } from '../src/dcv/dns-check';
import { checkFile } from '../src/dcv/http-check';
import type { Perspective } from '../src/dcv/perspective';
import type { CheckResult } from '../src/dcv/result-codes';
import type { DcvConfig } from '../src/config';
import type { ServiceMetrics } from '../src/metrics';
import type { CheckRequest } from '../workflows/domain-messages';

/** One perspective, the DCV settings its checks use (src/config.ts `DcvConfig`), and where each check's duration is observed (cps_dcv_perspective_check_duration_seconds). */
export type PerspectiveOptions = { perspective: Perspective; metrics?: Pick<ServiceMetrics, 'perspectiveCheckDuration'> } & Pick<
  DcvConfig,
  'caaIssuer' | 'httpPort' | 'httpsPort' | 'addressAllowance' | 'timeoutMs'
>;

/**
 * The checks one network perspective runs, on its own task queue with its own resolvers, so a
 * perspective can be a worker in another region on the same Temporal cluster.
 */
export function createPerspectiveActivities(options: PerspectiveOptions) {
  const { perspective } = options;

  async function methodCheck(request: CheckRequest): Promise<CheckResult> {
    switch (request.method) {
      case 'dns_cname':
        return checkCname(perspective, request.name, request.delegationTarget, request.randomValue, options.timeoutMs);
      case 'dns_txt':
      case 'dns_provider':
        return checkTxt(perspective, request.name, request.randomValue, options.timeoutMs);
      case 'file':
      case 'file_proxy':
        return checkFile(request.name, request.randomValue, {
          perspective,
          timeoutMs: options.timeoutMs,
          httpPort: options.httpPort,
          httpsPort: options.httpsPort,
          ...options.addressAllowance,
        });
    }
  }

  return {
    /** The method's check and the CAA check (RFC 8659), from this perspective. */
    async checkDomain(request: CheckRequest): Promise<CheckResult[]> {
      const done = options.metrics?.perspectiveCheckDuration.startTimer({ perspective: perspective.name });
      const [method, caa] = await Promise.all([methodCheck(request), checkCaa(perspective, request.name, options.caaIssuer, { timeoutMs: options.timeoutMs })]);
      done?.({ code: method.code });
      return [method, caa];
    },
  };
}

export type PerspectiveActivities = ReturnType<typeof createPerspectiveActivities>;
