/**
 * An administrator's email address in one stored form (issue 7, item 9).
 *
 * - Domain part: internationalized domains are valid (RFC 5890; RFC 6531 §3.3 lets a mailbox's domain be
 *   U-labels), so it goes through the same UTS #46 / IDNA2008 / public-suffix processing as a domain to
 *   validate (`normalizeDomainName`) and is stored in lowercase A-labels: `admin@例子.公司` and
 *   `admin@example.xn--fiqs8s` are one address. Full-width "＠" and ideographic full stops are read as
 *   "@" and ".".
 * - Local part: kept as entered (NFC, RFC 6532 §3.1): RFC 5321 §2.4 leaves its case to the receiving
 *   host, and RFC 6531 allows UTF-8 in it (`用户@例子.公司`), so neither is changed or refused. It must be
 *   an RFC 5321 Dot-string (RFC 6531's UTF-8 `atext` included): a quoted local part is refused (RFC 5321
 *   §4.1.2 advises against it; a CA's mail system may not send to one), and so is an address literal,
 *   and so are spaces and invisible characters RFC 6531's UTF-8 `atext` would let in (U+00A0, U+200B).
 *   Duplicates are found case-insensitively all the same (`identity.ts`).
 *
 * Syntax through `smtp-address-parser` (RFC 5321 Mailbox with the RFC 6531 extensions).
 */
import { parse as parseMailbox } from 'smtp-address-parser';
import { DOMAIN_NAME_RULES, type DomainNameRule, normalizeDomainName } from '../dcv/domain-name';
import { INVISIBLE_CHARACTER } from './subject-attributes';

export const EMAIL_RULES = {
  'email-syntax': 'RFC 5321 §4.1.2; RFC 6531 §3.3',
  'email-quoted-local-part': 'RFC 5321 §4.1.2: a quoted local part should not be used',
  'email-address-literal': 'RFC 5321 §4.1.3: an address literal is not a mailbox at a domain',
  'email-length': 'RFC 5321 §4.5.3.1: 64 octets of local part, 254 octets in all',
  'email-character': 'RFC 6532 §3.1; RFC 5198 §2; RFC 8264 §4.2.3: no control characters, unpaired surrogates, spaces or invisible characters',
} as const;
export type EmailRule = keyof typeof EMAIL_RULES | DomainNameRule;

export type NormalizedEmail =
  | { ok: true; value: string }
  | {
      ok: false;
      rule: EmailRule;
      /** True for a syntactically valid address no rule allows (answered 422), false for a malformed one (400). */
      unprocessable: boolean;
      message: string;
    };

/**
 * What no mailbox holds: control characters (C0, DEL, C1), unpaired UTF-16 surrogates (no UTF-8 encodes
 * them, and PostgreSQL's jsonb refuses them), and in the local part any space or invisible character
 * (separators, the invisible characters names refuse, `INVISIBLE_CHARACTER`: format characters such as
 * U+200B or U+202E, the other default-ignorables such as U+3164 or U+FE0F, blanks such as U+2800; private
 * use, unassigned), which would make one mailbox look like another. ZWNJ/ZWJ stay, as in names (scripts that need them); duplicates are
 * compared without them (`identity.ts`).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NEVER_IN_ADDRESS = /[\u0000-\u001f\u007f-\u009f]|\p{Surrogate}/u;
const INVISIBLE_IN_LOCAL_PART = new RegExp(`[\\p{Z}\\p{Co}\\p{Cn}]|(?![\\u200c\\u200d])${INVISIBLE_CHARACTER.source}`, 'u');

/** `U+200B` for the message. */
const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;
const octets = (text: string) => new TextEncoder().encode(text).length;

const fail = (rule: keyof typeof EMAIL_RULES, detail: string, unprocessable = false): NormalizedEmail => ({
  ok: false,
  rule,
  unprocessable,
  message: `${detail} (${EMAIL_RULES[rule]})`,
});

/**
 * `input` → `local@a-label.domain` (local part as entered, NFC; domain lowercase A-labels), or the rule it
 * breaks. Pure; no DNS lookups.
 */
export function normalizeEmailAddress(input: string): NormalizedEmail {
  const value = input.trim().normalize('NFC').replace(/＠/g, '@');
  const unusable = NEVER_IN_ADDRESS.exec(value);
  if (unusable) return fail('email-character', `the address contains ${codePoint(unusable[0])}, which no email address holds`);
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return fail('email-syntax', 'not an email address: it needs a local part, "@" and a domain');
  const local = value.slice(0, at);
  const rawDomain = value.slice(at + 1);
  if (rawDomain.startsWith('[')) return fail('email-address-literal', 'the domain must be a domain name, not an address literal', true);

  const domain = normalizeDomainName(rawDomain);
  if (!domain.ok) return { ok: false, rule: domain.rule, unprocessable: true, message: `the domain part: ${domain.reason}` };
  if (domain.isWildcard)
    return {
      ok: false,
      rule: 'wildcard-position',
      unprocessable: true,
      message: `the domain part cannot be a wildcard (${DOMAIN_NAME_RULES['wildcard-position']})`,
    };

  const address = `${local}@${domain.name}`;
  let parsed: { localPart: { DotString?: string; QuotedString?: string } };
  try {
    parsed = parseMailbox(address);
  } catch {
    return fail('email-syntax', `"${local}" is not a valid local part: letters, digits, the characters !#$%&'*+-/=?^_\`{|}~ and inner single dots`);
  }
  if (parsed.localPart.QuotedString !== undefined) return fail('email-quoted-local-part', 'write the local part without quotes', true);
  // RFC 6531 lets any non-ASCII character into a Dot-string: the invisible ones are refused here.
  const invisible = INVISIBLE_IN_LOCAL_PART.exec(local);
  if (invisible) return fail('email-character', `the local part contains ${codePoint(invisible[0])}, a space or invisible character`);
  if (octets(local) > MAX_LOCAL_OCTETS) return fail('email-length', `the local part is longer than ${MAX_LOCAL_OCTETS} octets`);
  if (octets(address) > MAX_ADDRESS_OCTETS) return fail('email-length', `the address is longer than ${MAX_ADDRESS_OCTETS} octets`);
  return { ok: true, value: address };
}
