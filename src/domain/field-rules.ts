// Workflow-safe, pure: the names of the rules a field error can cite.
import { DOMAIN_NAME_RULES } from '../dcv/domain-name';
import { EMAIL_RULES } from './email';
import { SUBJECT_RULES } from './subject-attributes';

/**
 * Every rule a field error names (`errors[].rule` of a 400 or 422 problem), with its source or meaning.
 * One registry, so each has its wording in every language the console speaks (src/console/messages/rules.ts):
 * a rule not listed here cannot be cited (the type below), and one listed without a wording does not compile.
 */
export const FIELD_RULES = {
  ...DOMAIN_NAME_RULES,
  ...SUBJECT_RULES,
  ...EMAIL_RULES,
  // The shape of the request (JSON Schema's vocabulary; `values` carry the limits).
  required: 'the field is missing',
  type: 'a value of another JSON type (`values.expected`)',
  'min-length': 'fewer characters than `values.minimum`',
  minimum: 'a number below `values.minimum`',
  maximum: 'a number above `values.maximum`',
  'min-items': 'fewer items than `values.minimum`',
  'max-items': 'more items than `values.maximum`',
  format: 'not in the format `values.format`',
  'one-of': 'not one of `values.options`',
  'unknown-field': 'a field the request does not have',
  'at-least-one-field': 'a change that changes nothing',
  invalid: 'a value no form of the field takes',
  'single-field': 'draft-ietf-httpapi-idempotency-key-header §2.1: a header that holds one value, sent once',
  // Text and numbers.
  'utf-8': 'RFC 3629: the request is not valid UTF-8',
  'max-depth': 'arrays and objects nested at most `values.maximum` levels deep',
  'control-character': 'RFC 5198 §2: no control characters in text',
  'unpaired-surrogate': 'RFC 3629 §3: no unpaired surrogates in text',
  'decimal-integer': 'a whole number in decimal digits',
  'integer-range': 'a whole number from `values.minimum` to `values.maximum`',
  // Profiles.
  'country-code': 'ISO 3166-1 alpha-2',
  'iso-3166-2': "ISO 3166-2: one of the country's subdivisions",
  'phone-number': 'ITU-T E.164: a number that can be dialled in the country',
  'phone-type': 'a landline or a mobile number as the field asks',
  'mobile-extension': 'a mobile number has no extension',
  duplicate: 'the account already holds this organization, person or domain',
  'administrator-required': "an account's first organization comes with its administrator",
  'unique-addresses': 'each address once',
  // Review records.
  'reason-required': 'a rejection gives its reason',
  'callback-answered': "BR §3.2.2.1: the CA's call to the organization was answered",
  'callback-number': "BR §3.2.2.1: the call went to the organization's landline as stored",
  'verification-confirmed': 'BR §3.2.5: the administrator was confirmed',
  'verification-contact': 'BR §3.2.5: the administrator was reached at a contact on record',
  'not-in-future': 'a record of something that happened, so not in the future',
  'not-before-submission': 'a record of something that happened after the submission',
  // Domains, DNS providers, webhooks, the event feed.
  'file-wildcard': 'BR §3.2.2.4.18: a file proves control of one exact name, never a wildcard',
  'dns-provider-only': 'a DNS provider goes with the dns_provider method only',
  'outside-provider-zone': "the validation record is not in the RFC 2136 provider's zone",
  'method-unavailable': 'the service is not configured for this validation method',
  'not-in-account': 'an id that names nothing in this account',
  'host-name': 'a host name the service can resolve',
  url: 'an absolute http(s) URL without credentials or fragment',
  'public-address': 'IANA special-purpose address registries: a public unicast address',
  'event-type': 'one of the event types',
  // Console passwords (NIST SP 800-63B §3.1.1.2).
  'password-length': 'at least 12 characters',
  'password-too-long': 'at most 256 characters',
  'password-guessable': 'not a common or guessable password',
  'password-confirmation': 'typed twice the same',
} as const;

export type FieldRule = keyof typeof FIELD_RULES;

/** Numbers and words a rule's wording takes (`{maximum}`), as the field error carries them. */
export type RuleValues = Record<string, string | number>;
