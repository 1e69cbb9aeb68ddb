/**
 * Whether customers' reverse proxies can reach DCV_PUBLIC_URL, the upstream the automatic file
 * method (BR §3.2.2.4.18) hands them. An IP literal outside public unicast space (loopback, private,
 * link-local and the rest, as the SSRF guard classifies them) or a `localhost` name cannot be reached.
 * Other names are not resolved: what they resolve to inside the CA's network says nothing of what the
 * customers see.
 */
import { classifyAddress } from './ssrf-guard';

/**
 * @param publicUrl DCV_PUBLIC_URL, e.g. `https://dcv.example-ca.com`
 * @returns one sentence naming the address and why customers cannot reach it, or `undefined`
 */
export function publicUrlConcern(publicUrl: string): string | undefined {
  let host: string;
  try {
    host = new URL(publicUrl).hostname.toLowerCase();
  } catch {
    return `DCV_PUBLIC_URL (${publicUrl}) is not a URL, so customers' reverse proxies have nothing to reach`;
  }
  const verdict = host === 'localhost' || host.endsWith('.localhost') ? { allowed: false, range: 'Loopback' } : classifyAddress(host);
  if (verdict.allowed || verdict.range === 'invalid') return undefined;
  // The range is the IANA special-purpose registry's name of the block (RFC 6890), e.g. "Private-Use".
  return `DCV_PUBLIC_URL (${publicUrl}) is not a public address (${verdict.range.replace(/^"|"$/g, '')}): customers' reverse proxies cannot reach it, so the automatic file method cannot pass until it names the service's public address`;
}
