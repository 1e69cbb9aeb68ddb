import { z } from 'zod';
import { COUNTRY_CODES } from './countries';
import { normalizeEmailAddress } from './email';
import { normalizeText } from './normalize';
import { normalizePhone, type PhoneKind } from './phone';
import { findSubdivision, hasSubdivisions, subdivisionExample, subdivisionNameForCode } from './subdivisions';
import { SUBJECT_ATTRIBUTES, subjectRefusal, type SubjectAttribute, unprintableRefusal } from './subject-attributes';
import { brokenRule, unprocessable } from '../problem';

// eslint-disable-next-line no-control-regex -- finding control characters (C0, DEL and C1) is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const UNPAIRED_SURROGATE = /\p{Surrogate}/u;

/**
 * A client string PostgreSQL stores as it was sent: no control characters (it refuses NUL in text and
 * jsonb; nobody types the others in a name or a note; RFC 5280 Appendix A and zlint's
 * e_subject_dn_not_printable_characters refuse C0 and C1 alike) and no unpaired UTF-16 surrogates (jsonb
 * refuses them), so neither becomes a 500 or an activity retrying forever.
 */
export const storable = (schema: z.ZodString) =>
  schema
    .refine((v) => !CONTROL_CHARACTER.test(v), { message: 'must not contain control characters', params: brokenRule('control-character') })
    .refine((v) => !UNPAIRED_SURROGATE.test(v), { message: 'must be valid Unicode (no unpaired surrogates)', params: brokenRule('unpaired-surrogate') });

/**
 * Text people read (a name, a label, a note, a reason): `storable`, and held to the `unprintable-character`
 * rule (./subject-attributes.ts: no bidi control, zero-width or other default-ignorable, private-use or
 * unassigned character; ZWNJ/ZWJ kept), answered 422 naming it, so what a reviewer or a customer reads is
 * what was stored (Unicode TR #36 §2; "Trojan Source", CVE-2021-42574).
 */
export const readable = (schema: z.ZodString) =>
  storable(schema).superRefine((value, ctx) => {
    const refused = unprintableRefusal(value);
    if (refused) ctx.addIssue({ code: 'custom', message: refused.message, params: unprocessable(refused.rule) });
  });

/** A required human-entered text field, normalized (NFC, trimmed, whitespace collapsed to single spaces), `readable`. */
export const text = (max: number) =>
  z
    .string()
    .meta({ minLength: 1, maxLength: max })
    .transform(normalizeText)
    .pipe(readable(z.string().min(1, 'must not be empty').max(max, `at most ${max} characters`)));

/**
 * A reviewed field the CA may put in a certificate's subject as `attribute`: normalized like `text`, then
 * held to the subject rules (./subject-attributes.ts). Too long answers 400 like any length limit; a
 * value no subject may hold answers 422 naming its rule.
 */
const subjectText = (attribute: SubjectAttribute) =>
  z
    .string()
    .meta({ minLength: 1, maxLength: SUBJECT_ATTRIBUTES[attribute] })
    .transform(normalizeText)
    .pipe(storable(z.string().min(1, 'must not be empty')))
    .superRefine((value, ctx) => {
      // Empty, control characters and surrogates were reported above.
      if (value === '' || CONTROL_CHARACTER.test(value) || UNPAIRED_SURROGATE.test(value)) return;
      const refused = subjectRefusal(value, attribute);
      if (refused) {
        ctx.addIssue({
          code: 'custom',
          message: refused.message,
          params: refused.rule === 'max-length' ? brokenRule(refused.rule, refused.values) : unprocessable(refused.rule, refused.values),
        });
      }
    });

/** Two ASCII letters in upper case, or '' (only ASCII: 'ın' and 'ﬁ' upper-case to 'IN' and 'FI'). */
const asCountry = (value: string) => (/^[A-Za-z]{2}$/.test(value.trim()) ? value.trim().toUpperCase() : '');

const countryCode = (value: unknown) => (typeof value === 'string' && COUNTRY_CODES.has(asCountry(value)) ? asCountry(value) : undefined);

const country = z
  .string()
  .meta({ pattern: '^[A-Za-z]{2}$' })
  .transform(asCountry)
  .refine((v) => COUNTRY_CODES.has(v), { message: 'must be an ISO 3166-1 alpha-2 country code, e.g. CN, US, DE', params: brokenRule('country-code') });

export const emailAddress = z
  .string()
  .max(320)
  .meta({ format: 'idn-email' })
  .transform((v, ctx) => {
    const result = normalizeEmailAddress(v);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message, params: result.unprocessable ? unprocessable(result.rule) : brokenRule(result.rule) });
    return z.NEVER;
  })
  .describe(
    'Mailbox (RFC 5321/6531); internationalized domains are accepted and stored in lowercase A-labels (`admin@例子.公司` → `admin@xn--fsqu00a.xn--55qx5d`); the local part is kept as entered (UTF-8 allowed, no quotes)',
  );

/** A phone number normalized to E.164 (with RFC 3966 `;ext=` when it has an extension), national numbers read in `defaultCountry`. */
const phone = (kind: PhoneKind, defaultCountry?: string) =>
  z
    .string()
    .max(40)
    .meta({ minLength: 1 })
    .transform((v, ctx) => {
      const result = normalizePhone(v, defaultCountry, kind);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message, params: brokenRule(result.rule) });
      return z.NEVER;
    });

/** Fields the CA reviews: changing any of them sends the organization back to under_review. */
export const ORGANIZATION_REVIEWED_FIELDS = ['name', 'department', 'country', 'province', 'city', 'address', 'postalCode', 'landline'] as const;
export const ADMINISTRATOR_REVIEWED_FIELDS = ['firstName', 'lastName', 'position', 'phone', 'email'] as const;

const SUBJECT_RULES_NOTE =
  'Subject rules (BR §7.1.2.7.4, §7.1.4.2; zlint/pkilint): at most the X.520 upper bound in characters; not only punctuation, not a word that says absent or not applicable ("N/A", "none", "无", "不适用"), no distinguished-name syntax (`CN=`, `\\`), no HTML entity, no invisible character';

const organizationShape = {
  name: subjectText('organizationName').describe(`Full legal name, as registered (organizationName). ${SUBJECT_RULES_NOTE}`),
  displayName: text(200).nullable().optional().describe('Your own label for this profile; not reviewed'),
  department: subjectText('organizationalUnitName').nullable().optional(),
  country: country.describe('ISO 3166-1 alpha-2'),
  province: subjectText('stateOrProvinceName').describe(
    'State or province: one of the country\'s ISO 3166-2 subdivisions, by English or local name ("Beijing", "北京市", "Bavaria", "Bayern"), stored as sent, or by code ("BJ", "CN-BJ"), stored spelled out in English ("Beijing"): a certificate subject holds no abbreviation',
  ),
  city: subjectText('localityName'),
  address: subjectText('streetAddress').describe('Street address'),
  postalCode: subjectText('postalCode').nullable().optional(),
  landline: z
    .string()
    .max(60)
    .meta({ minLength: 1 })
    .describe(
      'Fixed-line number the CA calls to reach the organization (type FIXED_LINE, or FIXED_LINE_OR_MOBILE where the numbering plan cannot tell), with its extension if any ("+86 10 6552 9988 ext. 8001", "x8001", "#8001", "转8001"); stored and shown as E.164 with RFC 3966 ";ext=": +861065529988;ext=8001',
    ),
};

/** The organization's fields as sent, each checked on its own (also the API document's schema). */
export const organizationFields = z.strictObject(organizationShape);
/** A patch changes at least one field (refused otherwise: see organizationPatch). */
export const organizationPatchFields = organizationFields.partial().meta({ minProperties: 1 });
type OrganizationFields = z.output<typeof organizationFields>;

/** Parses `value` with `schema`; its issues go to `ctx` under `path`, except those `ignored` (a consequence of another fault). */
function parseInto<S extends z.ZodType>(
  schema: S,
  value: unknown,
  ctx: z.RefinementCtx,
  path: PropertyKey[],
  ignored: (issue: z.core.$ZodIssue) => boolean = () => false,
): { data?: z.output<S>; issues: z.core.$ZodIssue[] } {
  const result = schema.safeParse(value);
  if (result.success) return { data: result.data, issues: [] };
  for (const issue of result.error.issues) if (!ignored(issue)) ctx.addIssue({ ...issue, path: [...path, ...issue.path] } as never);
  return { issues: result.error.issues };
}

/** What a patch is applied to: the stored country and province. */
interface CurrentPlace {
  country: string;
  province?: string;
}

type CustomIssue = { code: 'custom'; path: PropertyKey[]; message: string; params: ReturnType<typeof unprocessable> };

/**
 * The rules across an organization's fields, judged on what was sent even when other fields are at fault
 * (issue 7, item 10): the landline is read in the organization's country, and the province must be one of
 * that country's ISO 3166-2 subdivisions (a patch that changes only the country re-judges the stored
 * province). A field that failed its own rules, or a country at fault, is not judged again here.
 */
function crossFieldRules(
  sent: Record<string, unknown>,
  faulted: ReadonlySet<string>,
  current?: CurrentPlace,
): { landline?: string; province?: string; issues: CustomIssue[] } {
  const issues: CustomIssue[] = [];
  const countrySent = sent.country !== undefined;
  const place = countrySent ? countryCode(sent.country) : current?.country;
  if (!place || faulted.has('country')) return { issues };
  let landline: string | undefined;
  if (typeof sent.landline === 'string' && !faulted.has('landline')) {
    const result = normalizePhone(sent.landline, place, 'landline');
    if (result.ok) landline = result.value;
    else issues.push({ code: 'custom', path: ['landline'], message: result.message, params: brokenRule(result.rule) });
  }
  const provinceSent = typeof sent.province === 'string' && !faulted.has('province') ? normalizeText(sent.province) : undefined;
  const province = provinceSent ?? (countrySent && sent.province === undefined ? current?.province : undefined);
  if (province !== undefined && hasSubdivisions(place) && !findSubdivision(place, province)) {
    const which = provinceSent === undefined ? `the stored province "${province}"` : `"${province}"`;
    const hint = provinceSent === undefined ? '; send the province with the country' : '';
    issues.push({
      code: 'custom',
      path: ['province'],
      message: `${which} is not a subdivision of ${place} in ISO 3166-2: give its name in English or the local language, or its code (such as ${subdivisionExample(place)})${hint}`,
      params: unprocessable('iso-3166-2'),
    });
  }
  // A province sent as its code is stored spelled out ("BJ" → "Beijing"); a name stays as sent.
  const spelledOut = provinceSent === undefined ? undefined : subdivisionNameForCode(place, provinceSent);
  return { landline, province: spelledOut, issues };
}

/** An organization (or a patch of one): every field's own rules, then the rules across fields, all reported at once. */
function organizationSchema<T extends Partial<OrganizationFields>>(fields: z.ZodType<T>, current?: CurrentPlace) {
  return z.unknown().transform((value, ctx): T => {
    const own = parseInto(fields, value, ctx, []);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return z.NEVER;
    const across = crossFieldRules(value as Record<string, unknown>, new Set(own.issues.map((issue) => String(issue.path[0]))), current);
    for (const issue of across.issues) ctx.addIssue(issue);
    if (!own.data || across.issues.length > 0) return z.NEVER;
    return {
      ...own.data,
      ...(across.landline === undefined ? {} : { landline: across.landline }),
      ...(across.province === undefined ? {} : { province: across.province }),
    };
  });
}

/**
 * `build` run once per distinct arguments: zod compiles a schema on its first parse, so a schema built
 * per request costs several times its parse. The variants are bounded (a country, a stored province);
 * the cache starts over past `max` of them.
 */
function memoized<A extends unknown[], R>(build: (...args: A) => R, max = 1000): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args) => {
    const key = JSON.stringify(args);
    let schema = cache.get(key);
    if (schema === undefined) {
      if (cache.size >= max) cache.clear();
      schema = build(...args);
      cache.set(key, schema);
    }
    return schema;
  };
}

export const organizationInput = organizationSchema(organizationFields);
export const organizationPatch = memoized((currentCountry: string, currentProvince?: string) =>
  organizationSchema(
    organizationPatchFields.refine((v) => Object.keys(v).length > 0, {
      message: 'send at least one field to change',
      params: brokenRule('at-least-one-field'),
    }),
    { country: currentCountry, province: currentProvince },
  ),
);

export const administratorInput = memoized((defaultCountry?: string) =>
  z.strictObject({
    firstName: subjectText('givenName').describe(`Given name (givenName). ${SUBJECT_RULES_NOTE}`),
    lastName: subjectText('surname').describe('Surname (surname)'),
    position: subjectText('title').describe('Job title (title)'),
    phone: phone('mobile', defaultCountry).describe(
      "The administrator's mobile (type MOBILE, or FIXED_LINE_OR_MOBILE where the numbering plan cannot tell), without extension; national numbers are read in the organization's country; stored as E.164",
    ),
    email: emailAddress,
  }),
);
export const administratorPatch = memoized((defaultCountry?: string) =>
  administratorInput(defaultCountry)
    .partial()
    .refine((v) => Object.keys(v).length > 0, { message: 'send at least one field to change', params: brokenRule('at-least-one-field') })
    .meta({ minProperties: 1 }),
);

/**
 * POST /v1/organizations: the organization and its first administrator are judged together and every
 * field at fault in either is reported at once (issue 7, item 10); the administrator's phone is read in
 * the organization's country. `administratorRequired`: the account has no organization yet.
 */
export const createOrganizationBodyFor = memoized((administratorRequired: boolean) =>
  z.strictObject({ organization: z.unknown().optional(), administrator: z.unknown().optional() }).transform((body, ctx) => {
    const organization = parseInto(organizationInput, body.organization, ctx, ['organization']);
    const place = organization.data?.country ?? countryCode((body.organization as { country?: unknown } | undefined)?.country);
    if (body.administrator === undefined) {
      if (administratorRequired)
        ctx.addIssue({
          code: 'custom',
          path: ['administrator'],
          message: "required with the account's first organization",
          params: brokenRule('administrator-required'),
        });
      return organization.data && !administratorRequired ? { organization: organization.data, administrator: undefined } : z.NEVER;
    }
    // Without a country a national mobile number cannot be read: the country's own fault is the answer then.
    // A phone that is no text (an object, whose String() may even throw) is its own fault, reported as such.
    const phone = (body.administrator as { phone?: unknown } | null)?.phone;
    const unreadable = (issue: z.core.$ZodIssue) => place === undefined && issue.path[0] === 'phone' && typeof phone === 'string' && !/^\s*(\+|00)/.test(phone);
    const administrator = parseInto(administratorInput(place), body.administrator, ctx, ['administrator'], unreadable);
    return organization.data && administrator.data ? { organization: organization.data, administrator: administrator.data } : z.NEVER;
  }),
);
export const createOrganizationBody = createOrganizationBodyFor(false);

export type OrganizationInput = z.output<typeof organizationInput>;
export type AdministratorInput = z.output<ReturnType<typeof administratorInput>>;
