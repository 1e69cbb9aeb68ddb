import { isIP } from 'node:net';
import type { Duration } from '../domain/duration';
import { durationSetting, wholeNumberSetting } from '../setting-values';
import { booleanSetting } from '../boolean-setting';

/** The web console's settings (environment only, like the rest of src/config.ts). */
export interface ConsoleSettings {
  /** CONSOLE_PUBLIC_URL: where people open the console; invitation links start with it. Default `http://127.0.0.1:$PORT`. */
  publicUrl: string;
  /** CONSOLE_SECURE_COOKIES: cookies only over HTTPS (`Secure`, `__Host-` names); default on when CONSOLE_PUBLIC_URL is https. */
  secureCookies: boolean;
  /** CONSOLE_SESSION_IDLE: a session unused this long ends (default 2h). */
  sessionIdle: Duration;
  /** CONSOLE_SESSION_LIFETIME: every session ends this long after sign-in, used or not (default 12h). */
  sessionLifetime: Duration;
  /** CONSOLE_INVITATION_LIFETIME: how long an invitation link can be used (default 7d). */
  invitationLifetime: Duration;
  /** LOGIN_MAX_FAILURES: failed sign-ins per email address in a window before sign-in is refused (default 5; 4× that per client address). */
  loginMaxFailures: number;
  /** LOGIN_FAILURE_WINDOW: the window failed sign-ins are counted in (default 15m). */
  loginFailureWindow: Duration;
  /** REVIEW_CLAIM_TTL: how long a reviewer who opened a review holds it (default 30m). */
  reviewClaimTtl: Duration;
  /**
   * TRUST_PROXY: Express's `trust proxy` (a hop count, or addresses and CIDRs of the reverse proxies), so the
   * login rate limit counts the client's address from X-Forwarded-For rather than the proxy's. Unset: none.
   */
  trustProxy?: number | string;
}

/** `localUrl`: where this machine reaches the API (src/config.ts `localApiUrl`), the default CONSOLE_PUBLIC_URL. */
export function consoleSettingsOf(env: NodeJS.ProcessEnv, localUrl: string): ConsoleSettings {
  const publicUrl = (env.CONSOLE_PUBLIC_URL || localUrl).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new Error(`CONSOLE_PUBLIC_URL: "${publicUrl}" is not a URL such as https://console.example.com`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`CONSOLE_PUBLIC_URL: "${publicUrl}" must be http or https`);
  const failures = wholeNumberSetting(env, 'LOGIN_MAX_FAILURES', 5, 1000);
  return {
    publicUrl,
    secureCookies: booleanSetting(env, 'CONSOLE_SECURE_COOKIES') ?? url.protocol === 'https:',
    sessionIdle: durationSetting(env, 'CONSOLE_SESSION_IDLE', '2h'),
    sessionLifetime: durationSetting(env, 'CONSOLE_SESSION_LIFETIME', '12h'),
    invitationLifetime: durationSetting(env, 'CONSOLE_INVITATION_LIFETIME', '7d'),
    loginMaxFailures: failures,
    loginFailureWindow: durationSetting(env, 'LOGIN_FAILURE_WINDOW', '15m'),
    reviewClaimTtl: durationSetting(env, 'REVIEW_CLAIM_TTL', '30m'),
    trustProxy: trustProxyOf(env.TRUST_PROXY?.trim()),
  };
}

/** proxy-addr's names for address ranges (Express's `trust proxy`). */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY: a hop count, or comma-separated addresses, CIDRs and range names; anything else is refused naming it (Express's own error names neither). */
function trustProxyOf(text: string | undefined): number | string | undefined {
  if (!text) return undefined;
  if (/^\d{1,3}$/.test(text)) return Number(text);
  for (const part of text.split(',').map((p) => p.trim())) {
    const [address, bits, extra] = part.split('/');
    const family = isIP(address);
    // A prefix length, or (IPv4, as proxy-addr takes it) a netmask such as 255.0.0.0.
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32)) || (family === 4 && isIP(bits) === 4);
    if (!PROXY_RANGES.has(part) && (!family || !prefixOk || extra !== undefined)) {
      throw new Error(`TRUST_PROXY: "${text}" is not a hop count or addresses and CIDRs of the reverse proxies ("${part}" is neither)`);
    }
  }
  return text;
}
