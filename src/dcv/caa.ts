/**
 * CAA evaluation (RFC 8659 §4, RFC 8657 parameters): pure rules on the relevant record set.
 * Finding that set (the tree climb) is network work and lives in dns-check.ts.
 */

export interface CaaRecord {
  flags: number;
  tag: string;
  value: string;
}

export interface CaaRequest {
  /** Our issuer domain name as disclosed in the CP/CPS, e.g. `ca.example`. */
  issuer: string;
  wildcard: boolean;
  /** When given, records with an `accounturi` parameter must name exactly this account (RFC 8657 §3). */
  accountUri?: string;
  /** When given, records with `validationmethods` must list it (RFC 8657 §4), e.g. `ca-dns-txt`. */
  validationMethod?: string;
}

export type CaaDecision = { permitted: boolean; reason: string };

const KNOWN_TAGS = new Set(['issue', 'issuewild', 'iodef']);

/**
 * RFC 8659 uses bit 128 for "critical"; some software sets bit 1 by mistake. Like Boulder we
 * honour either, which can only refuse more, never permit more.
 */
export function isCritical(flags: number): boolean {
  return (flags & 0x81) !== 0;
}

export interface IssueValue {
  /** Lowercase issuer domain name; empty for `;` ("nobody may issue"). */
  issuer: string;
  parameters: Map<string, string>;
}

/** Parses `issuer-domain-name *(";" tag "=" value)`; null when malformed (such a record authorizes nobody). */
export function parseIssueValue(raw: string): IssueValue | null {
  const parts = raw.split(';');
  const issuer = parts[0].trim().toLowerCase();
  if (issuer !== '' && !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(issuer)) return null;
  const parameters = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const p = part.trim();
    if (p === '') {
      // "ca.example;" with nothing after is tolerated; an empty parameter between others is not.
      if (parts.length === 2) continue;
      return null;
    }
    const eq = p.indexOf('=');
    if (eq <= 0) return null;
    const tag = p.slice(0, eq).trim().toLowerCase();
    const value = p.slice(eq + 1).trim();
    if (!/^[a-z0-9]+$/.test(tag) || !/^[\x21-\x3a\x3c-\x7e]*$/.test(value)) return null;
    if (parameters.has(tag)) return null;
    parameters.set(tag, value);
  }
  return { issuer, parameters };
}

function recordAuthorizes(record: CaaRecord, request: CaaRequest): boolean {
  const parsed = parseIssueValue(record.value);
  if (!parsed || parsed.issuer === '' || parsed.issuer !== request.issuer.toLowerCase()) return false;
  const accountUri = parsed.parameters.get('accounturi');
  if (accountUri !== undefined && request.accountUri !== undefined && accountUri !== request.accountUri) return false;
  const methods = parsed.parameters.get('validationmethods');
  if (methods !== undefined && request.validationMethod !== undefined) {
    const labels = methods.split(',').map((m) => m.trim().toLowerCase());
    if (!labels.includes(request.validationMethod.toLowerCase())) return false;
  }
  return true;
}

/** Decides issuance permission from the relevant CAA RRset (empty set = no restriction). */
export function evaluateCaa(records: readonly CaaRecord[], request: CaaRequest): CaaDecision {
  if (records.length === 0) return { permitted: true, reason: 'No CAA records restrict issuance.' };

  const normalized = records.map((r) => ({ ...r, tag: r.tag.toLowerCase() }));
  const criticalUnknown = normalized.find((r) => !KNOWN_TAGS.has(r.tag) && isCritical(r.flags));
  if (criticalUnknown) {
    return { permitted: false, reason: `A critical CAA record with the unknown tag "${criticalUnknown.tag}" forbids issuance.` };
  }

  const issue = normalized.filter((r) => r.tag === 'issue');
  const issuewild = normalized.filter((r) => r.tag === 'issuewild');
  // RFC 8659 §4.3: for a wildcard, issuewild (when present) replaces issue entirely.
  const relevant = request.wildcard && issuewild.length > 0 ? issuewild : issue;
  const tagName = request.wildcard && issuewild.length > 0 ? 'issuewild' : 'issue';
  if (relevant.length === 0) return { permitted: true, reason: 'The CAA records contain no issue restriction.' };

  if (relevant.some((r) => recordAuthorizes(r, request))) {
    return { permitted: true, reason: `A CAA "${tagName}" record authorizes ${request.issuer}.` };
  }
  return { permitted: false, reason: `No CAA "${tagName}" record authorizes ${request.issuer}.` };
}

/** Names to query, closest first: the name itself, then each parent up to the TLD (RFC 8659 §3). */
export function caaLookupNames(domain: string): string[] {
  const base = domain.toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
  const labels = base.split('.');
  return labels.map((_, i) => labels.slice(i).join('.'));
}
