import { z } from 'zod';
import { COUNTRY_CODES } from './countries';
import { normalizeEmail, normalizeText } from './normalize';
import { normalizePhone, type PhoneKind } from './phone';
import { brokenRule } from '../problem';

/**
 * A client string PostgreSQL stores as it was sent: no control characters (it refuses NUL in text and
 * jsonb; nobody types the others in a name or a note) and no unpaired UTF-16 surrogates (jsonb refuses
 * them), so neither becomes a 500 or an activity retrying forever.
 */
export const storable = (schema: z.ZodString) =>
  schema
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters')
    .refine((v) => !/\p{Surrogate}/u.test(v), 'must be valid Unicode (no unpaired surrogates)');

/** A required human-entered text field, normalized (NFC, trimmed, whitespace collapsed to single spaces). */
export const text = (max: number) =>
  z
    .string()
    .transform(normalizeText)
    .pipe(storable(z.string().min(1, 'must not be empty').max(max, `at most ${max} characters`)));

const country = z
  .string()
  .transform((v) => v.trim().toUpperCase())
  .refine((v) => COUNTRY_CODES.has(v), 'must be an ISO 3166-1 alpha-2 country code, e.g. CN, US, DE');

const email = z
  .string()
  .max(254)
  .pipe(z.email('not a valid email address'))
  .transform((v, ctx) => normalizeEmail(v) ?? (ctx.addIssue({ code: 'custom', message: 'not a valid email address' }), z.NEVER));

/** A phone number normalized to E.164 (with RFC 3966 `;ext=` when it has an extension), national numbers read in `defaultCountry`. */
const phone = (kind: PhoneKind, defaultCountry?: string) =>
  z
    .string()
    .max(40)
    .transform((v, ctx) => {
      const result = normalizePhone(v, defaultCountry, kind);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message, params: brokenRule(result.rule) });
      return z.NEVER;
    });

/** Fields the CA reviews: changing any of them sends the organization back to under_review. */
export const ORGANIZATION_REVIEWED_FIELDS = ['name', 'department', 'country', 'province', 'city', 'address', 'postalCode', 'landline'] as const;
export const ADMINISTRATOR_REVIEWED_FIELDS = ['firstName', 'lastName', 'position', 'phone', 'email'] as const;

const organizationShape = {
  name: text(200).describe('Full legal name, exactly as registered'),
  displayName: text(200).nullable().optional().describe('Your own label for this profile; not reviewed'),
  department: text(100).nullable().optional(),
  country: country.describe('ISO 3166-1 alpha-2'),
  province: text(100).describe('State or province'),
  city: text(100),
  address: text(300).describe('Street address'),
  postalCode: text(20).nullable().optional(),
  landline: z
    .string()
    .max(60)
    .describe(
      'Fixed-line number the CA calls to reach the organization (type FIXED_LINE, or FIXED_LINE_OR_MOBILE where the numbering plan cannot tell), with its extension if any ("+86 10 6552 9988 ext. 8001", "x8001", "#8001", "转8001"); stored and shown as E.164 with RFC 3966 ";ext=": +861065529988;ext=8001',
    ),
};

/** The landline is read in the organization's own country, so it is normalized after the object parses. */
function withLandline<T extends { country?: string; landline?: string }>(defaultCountry: string | undefined) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (value.landline === undefined) return value;
    const result = normalizePhone(value.landline, value.country ?? defaultCountry, 'landline');
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.message, path: ['landline'], params: brokenRule(result.rule) });
      return z.NEVER;
    }
    return { ...value, landline: result.value };
  };
}

export const organizationInput = z.strictObject(organizationShape).transform(withLandline(undefined));
export const organizationPatch = (currentCountry: string) =>
  z
    .strictObject(organizationShape)
    .partial()
    .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
    .transform(withLandline(currentCountry));

export const administratorInput = (defaultCountry?: string) =>
  z.strictObject({
    firstName: text(100),
    lastName: text(100),
    position: text(100).describe('Job title'),
    phone: phone('mobile', defaultCountry).describe(
      "The administrator's mobile (type MOBILE, or FIXED_LINE_OR_MOBILE where the numbering plan cannot tell), without extension; national numbers are read in the organization's country; stored as E.164",
    ),
    email,
  });
export const administratorPatch = (defaultCountry?: string) =>
  administratorInput(defaultCountry)
    .partial()
    .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const createOrganizationBody = z
  .strictObject({
    organization: organizationInput,
    administrator: z.unknown().optional(),
  })
  .transform((body, ctx) => {
    if (body.administrator === undefined) return { organization: body.organization, administrator: undefined };
    const parsed = administratorInput(body.organization.country).safeParse(body.administrator);
    if (parsed.success) return { organization: body.organization, administrator: parsed.data };
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['administrator', ...issue.path] } as never);
    return z.NEVER;
  });

export type OrganizationInput = z.output<typeof organizationInput>;
export type AdministratorInput = z.output<ReturnType<typeof administratorInput>>;
