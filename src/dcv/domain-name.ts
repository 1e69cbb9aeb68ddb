/**
 * Domain name normalization for DCV: one canonical A-label form, and refusal of every name a CA could
 * never validate or put in a certificate, each refusal naming its rule and source.
 *
 * Order (issue 7, item 4): UTS #46 processing (nontransitional, every separator and mapping in every
 * position), then the LDH and A-label rules of IDNA2008, then DNS lengths (including the label the
 * validation method adds), then the public-suffix rules. IDNA through `idn-hostname` (UTS #46 mapping
 * plus IDNA2008 code points, CONTEXTJ/CONTEXTO, Bidi and A-label round trip), the Public Suffix List
 * through `tldts`.
 */
import { isIP } from 'node:net';
import { idnHostname, uts46map } from 'idn-hostname';
import { parse as parseDomain } from 'tldts';

/** Each rule a name can break, with the source a refusal cites. */
export const DOMAIN_NAME_RULES = {
  empty: 'RFC 1035 §2.3.1',
  'ip-address': 'BR §7.1.2.7.12: a dNSName is never an IP address',
  'wildcard-position': 'BR §1.6.1 "Wildcard Domain Name"',
  'empty-label': 'RFC 1035 §2.3.1',
  'label-length': 'RFC 1035 §2.3.4: 63 octets per label',
  'name-length': 'RFC 1035 §2.3.4: 253 octets in text form',
  'ldh-syntax': 'RFC 1035 §2.3.1; RFC 5890 §2.3.1',
  'reserved-ldh-label': 'RFC 5890 §2.3.1; BR §7.1.2.7.12',
  'a-label': 'RFC 5890 §2.3.2.1; RFC 5891 §5.4',
  'u-label': 'RFC 5891 §4.2.3; UTS #46 §4.1',
  'idna-code-point': 'RFC 5892; UTS #46 §4.1',
  'idna-context': 'RFC 5892 Appendix A',
  bidi: 'RFC 5893 §2',
  'too-few-labels': 'BR §3.2.2.6',
  'numeric-tld': 'RFC 3696 §2',
  'reverse-zone': 'RFC 3172',
  'internal-name': 'BR §4.2.2; BR §7.1.2.7.12',
  'special-use': 'RFC 6761 §5; IANA Special-Use Domain Names registry; RFC 7686 §2 (.onion)',
  'public-suffix': 'BR §3.2.2.6; Public Suffix List',
} as const;
export type DomainNameRule = keyof typeof DOMAIN_NAME_RULES;

export type NormalizedDomainName =
  | {
      ok: true;
      /** Canonical A-label form, lowercase, no trailing dot; keeps a leading `*.` for wildcards. */
      name: string;
      isWildcard: boolean;
      /** The name without `*.`: where DNS records and the CAA climb start. */
      baseName: string;
    }
  | {
      ok: false;
      rule: DomainNameRule;
      /** One sentence for the customer, ending with the rule's source in parentheses. */
      reason: string;
    };

export interface NormalizeOptions {
  /**
   * Accept names whose top-level domain is not in the ICANN section of the Public Suffix
   * List (`.test`, `.local`, `.internal`…). Such names are Internal Names (BR §4.2.2), so
   * this is for tests and lab setups only.
   */
  allowInternalNames?: boolean;
  /**
   * The label the validation method puts in front of the base name (`_dnsauth` for the DNS methods,
   * none for the file methods): the record's owner name must fit RFC 1035's limits too.
   */
  validationLabel?: string;
}

/** RFC 6761 §6.5: special-use, yet delegated in the public DNS like any name. */
const EXAMPLE_NAMES = new Set(['example.com', 'example.net', 'example.org']);
const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
/** UTS #46 §2.3: FULL STOP and the three characters it maps to it. */
const LABEL_SEPARATORS = /[.\uFF0E\u3002\uFF61]/;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** What the WHATWG URL host parser reads as an IPv4 part (decimal, 0x hex, leading-zero octal). */
const NUMERIC_PART = /^(?:0x[0-9a-f]*|[0-9]+)$/;

function fail(rule: DomainNameRule, detail: string): NormalizedDomainName {
  return { ok: false, rule, reason: `${detail} (${DOMAIN_NAME_RULES[rule]})` };
}

type Label = { ok: true; ascii: string } | { ok: false; failure: NormalizedDomainName };

const isAscii = (value: string) => /^\p{ASCII}*$/u.test(value);

/** The library's own sentence (it cites its RFC), without its trailing period. */
const libraryReason = (error: unknown) => (error instanceof Error ? error.message.replace(/\.$/, '') : String(error));

/** UTS #46 steps 1–2 for one label (map, NFC); a code point UTS #46 disallows even here fails now. */
function mapLabel(raw: string): { ok: true; mapped: string } | { ok: false; error: unknown } {
  try {
    return { ok: true, mapped: uts46map(raw).normalize('NFC') };
  } catch (error) {
    return { ok: false, error };
  }
}

const IDNA_ERROR_RULES: Record<string, DomainNameRule> = {
  IdnaUnicodeError: 'idna-code-point',
  IdnaContextJError: 'idna-context',
  IdnaContextOError: 'idna-context',
  IdnaBidiError: 'bidi',
  IdnaLengthError: 'label-length',
};

const ruleOfIdnaError = (error: unknown, otherwise: DomainNameRule) => IDNA_ERROR_RULES[(error as Error)?.name] ?? otherwise;

/** An ASCII label that is not an A-label: LDH, and not reserved. */
function ldhLabel(label: string): Label {
  const quoted = `the label "${label}"`;
  if (label.slice(2, 4) === '--') {
    return {
      ok: false,
      failure: fail('reserved-ldh-label', `${quoted} has "--" in positions 3 and 4 but is not an A-label ("xn--"): it cannot be validated or certified`),
    };
  }
  if (!LDH_LABEL.test(label)) {
    const bad = [...label].find((c) => !/[a-z0-9-]/.test(c));
    const what = bad === undefined ? 'starts or ends with a hyphen' : `contains "${bad}"`;
    return { ok: false, failure: fail('ldh-syntax', `${quoted} ${what}: labels hold only letters, digits and inner hyphens`) };
  }
  if (label.length > MAX_LABEL_LENGTH) {
    return { ok: false, failure: fail('label-length', `the label "${label.slice(0, 20)}…" is ${label.length} characters long; at most ${MAX_LABEL_LENGTH}`) };
  }
  return { ok: true, ascii: label };
}

/**
 * One label after mapping: its A-label form, or the first rule it breaks. An `xn--` label must decode to a
 * valid U-label that encodes back to itself; a U-label must pass IDNA2008; anything else must be LDH.
 */
function convertLabel(mapped: string): Label {
  if (mapped === '') return { ok: false, failure: fail('empty-label', 'the domain name has an empty label (two dots in a row, or a leading dot)') };
  const isALabel = mapped.startsWith('xn--');
  if (!isALabel && isAscii(mapped)) return ldhLabel(mapped);
  try {
    return { ok: true, ascii: idnHostname(mapped) };
  } catch (error) {
    if (isALabel) {
      const rule = (error as Error)?.name === 'IdnaLengthError' ? 'label-length' : 'a-label';
      return { ok: false, failure: fail(rule, `the label "${mapped}" is not a valid A-label: ${libraryReason(error)}`) };
    }
    return {
      ok: false,
      failure: fail(ruleOfIdnaError(error, 'u-label'), `the label "${mapped}" cannot be an internationalized label: ${libraryReason(error)}`),
    };
  }
}

function looksLikeIp(value: string): boolean {
  return isIP(value.replace(/^\[(.*)\]$/, '$1')) !== 0;
}

/**
 * Normalizes a domain name a customer typed (Unicode or A-labels, any case, UTS #46 separators such as
 * U+3002, an optional trailing dot, an optional leading `*.`) to its lowercase A-label form, or refuses it
 * with the rule it breaks (`DOMAIN_NAME_RULES`). With `validationLabel`, the owner name
 * `<validationLabel>.<base name>` must fit RFC 1035's 253 octets as well. Pure; no DNS lookups.
 */
export function normalizeDomainName(input: string, options: NormalizeOptions = {}): NormalizedDomainName {
  const trimmed = input.trim();
  if (trimmed === '') return fail('empty', 'the domain name is empty');
  if (looksLikeIp(trimmed)) return fail('ip-address', `"${trimmed}" is an IP address, not a domain name`);

  // UTS #46 maps per label; a single trailing separator is the DNS root.
  const raw = trimmed.split(LABEL_SEPARATORS);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  const mapped: string[] = [];
  for (const label of raw) {
    const result = mapLabel(label);
    if (!result.ok) {
      const rule = isAscii(label) ? 'ldh-syntax' : 'idna-code-point';
      return fail(rule, `the label "${label}" cannot be part of a domain name: ${libraryReason(result.error)}`);
    }
    mapped.push(result.mapped);
  }

  const isWildcard = mapped.length > 1 && mapped[0] === '*';
  const labels = isWildcard ? mapped.slice(1) : mapped;
  if (labels.some((l) => l.includes('*'))) return fail('wildcard-position', 'a wildcard is allowed only as the whole leftmost label ("*.")');
  const dotted = labels.join('.');
  if (looksLikeIp(dotted) || labels.every((l) => NUMERIC_PART.test(l))) {
    return fail('ip-address', `"${dotted}" is an IP address, not a domain name`);
  }

  const ascii: string[] = [];
  for (const label of labels) {
    const converted = convertLabel(label);
    if (!converted.ok) return converted.failure;
    ascii.push(converted.ascii);
  }
  const baseName = ascii.join('.');
  const name = isWildcard ? `*.${baseName}` : baseName;

  if (name.length > MAX_NAME_LENGTH) return fail('name-length', `the name is ${name.length} characters long in A-label form; at most ${MAX_NAME_LENGTH}`);
  if (options.validationLabel) {
    const owner = `${options.validationLabel}.${baseName}`;
    if (owner.length > MAX_NAME_LENGTH) {
      return fail(
        'name-length',
        `the validation record's name "${options.validationLabel}.<name>" would be ${owner.length} characters long; at most ${MAX_NAME_LENGTH}`,
      );
    }
  }
  // Whole-name IDNA rules: the Bidi rule spans labels (RFC 5893 §2: every label of a name with a right-to-left label).
  try {
    idnHostname(baseName);
  } catch (error) {
    return fail(ruleOfIdnaError(error, 'u-label'), `the name cannot be an internationalized domain name: ${libraryReason(error)}`);
  }

  if (ascii.length < 2) {
    return isWildcard
      ? fail('public-suffix', `a wildcard directly under the public suffix "${baseName}" cannot be validated`)
      : fail('too-few-labels', 'the domain name needs at least two labels (like example.com)');
  }
  const tld = ascii[ascii.length - 1];
  if (/^[0-9]+$/.test(tld)) return fail('numeric-tld', `the top-level domain "${tld}" is all digits`);
  if (tld === 'arpa') return fail('reverse-zone', 'names under .arpa (reverse DNS zones) cannot be validated');

  // Only the ICANN section counts (BR §3.2.2.6): private suffixes such as github.io are
  // registrable by their operator and stay allowed.
  const parsed = parseDomain(baseName, { allowPrivateDomains: false, detectSpecialUse: true });
  if (!options.allowInternalNames && parsed.isIcann !== true) {
    return fail('internal-name', `".${tld}" is not a registered top-level domain, so the name is an Internal Name`);
  }
  // A special-use name in the ICANN section (.onion) is never answered by the public DNS (RFC 7686 §2), so no
  // DNS or HTTP method reaches it (BR Appendix B validates onion names otherwise). The example second-level
  // names are in the public DNS, and RFC 6761 §6.5 asks software not to treat them specially.
  if (parsed.isIcann && parsed.isSpecialUse && !EXAMPLE_NAMES.has(parsed.domain ?? '')) {
    return fail('special-use', `"${baseName}" is under a special-use domain name, which the public DNS never answers`);
  }
  if (parsed.publicSuffix === baseName) {
    return fail(
      'public-suffix',
      isWildcard
        ? `a wildcard directly under the public suffix "${baseName}" cannot be validated`
        : `"${baseName}" is a public suffix, not a registrable domain`,
    );
  }
  return { ok: true, name, isWildcard, baseName };
}
