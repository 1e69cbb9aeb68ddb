/**
 * Domain name normalization for DCV: one canonical A-label form, and refusal of
 * names a CA must never validate (IP addresses, public suffixes, Internal Names).
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import { parse as parseDomain } from 'tldts';

export type NormalizedDomainName =
  | {
      ok: true;
      /** Canonical A-label form, lowercase, no trailing dot; keeps a leading `*.` for wildcards. */
      name: string;
      isWildcard: boolean;
      /** The name without `*.`: where DNS records and the CAA climb start. */
      baseName: string;
    }
  | { ok: false; reason: string };

export interface NormalizeOptions {
  /**
   * Accept names whose top-level domain is not in the ICANN section of the Public Suffix
   * List (`.test`, `.local`, `.internal`…). Such names are Internal Names (BR §4.2.2), so
   * this is for tests and lab setups only.
   */
  allowInternalNames?: boolean;
}

const MAX_NAME_LENGTH = 253;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function fail(reason: string): NormalizedDomainName {
  return { ok: false, reason };
}

function looksLikeIp(value: string): boolean {
  const unbracketed = value.replace(/^\[(.*)\]$/, '$1');
  return isIP(unbracketed) !== 0;
}

export function normalizeDomainName(input: string, options: NormalizeOptions = {}): NormalizedDomainName {
  let raw = input.trim().toLowerCase();
  if (raw.endsWith('.')) raw = raw.slice(0, -1);
  if (raw === '') return fail('The domain name is empty.');
  if (looksLikeIp(raw)) return fail('IP addresses are not domain names.');

  let isWildcard = false;
  if (raw.startsWith('*.')) {
    isWildcard = true;
    raw = raw.slice(2);
  }
  if (raw.includes('*')) return fail('A wildcard is allowed only as the whole leftmost label ("*.").');

  // domainToASCII applies UTS #46 (IDN → A-labels) but also rewrites things like "0x7f.1" into
  // an IPv4 address, so the IP test runs again on its output.
  const ascii = domainToASCII(raw);
  if (ascii === '') {
    // The URL parser also refuses names whose last label is numeric but not a valid IPv4 address.
    if (/(^|\.)[0-9]+$/.test(raw)) return fail('The top-level domain cannot be all digits.');
    return fail('The domain name is not a valid internationalized domain name.');
  }
  if (looksLikeIp(ascii) || /^[0-9.]+$/.test(ascii)) return fail('IP addresses are not domain names.');

  if (ascii.length > MAX_NAME_LENGTH) return fail('The domain name is longer than 253 characters.');
  const labels = ascii.split('.');
  if (labels.length < 2 && isWildcard) return fail(`A wildcard directly under the public suffix "${ascii}" cannot be validated.`);
  if (labels.length < 2) return fail('The domain name needs at least two labels (like example.com).');
  for (const label of labels) {
    if (label.length === 0) return fail('The domain name has an empty label (two dots in a row).');
    if (label.length > 63) return fail(`The label "${label.slice(0, 20)}…" is longer than 63 characters.`);
    if (!LDH_LABEL.test(label)) {
      return fail(`The label "${label}" may contain only letters, digits and inner hyphens.`);
    }
  }

  const tld = labels[labels.length - 1];
  if (tld === 'arpa') return fail('Names under .arpa (reverse DNS zones) cannot be validated.');
  if (/^[0-9]+$/.test(tld)) return fail('The top-level domain cannot be all digits.');

  // Only the ICANN section counts (BR §3.2.2.6): private suffixes such as github.io are
  // registrable by their operator and stay allowed.
  const parsed = parseDomain(ascii, { allowPrivateDomains: false });
  if (!options.allowInternalNames && parsed.isIcann !== true) {
    return fail(`".${tld}" is not a registered top-level domain (Internal Names cannot be validated).`);
  }
  if (parsed.publicSuffix === ascii) {
    return fail(
      isWildcard ? `A wildcard directly under the public suffix "${ascii}" cannot be validated.` : `"${ascii}" is a public suffix, not a registrable domain.`,
    );
  }

  const name = isWildcard ? `*.${ascii}` : ascii;
  return { ok: true, name, isWildcard, baseName: ascii };
}
