import { z } from 'zod';
import { normalizeDomainName } from '../dcv/domain-name';
import { type AddressAllowance, classifyAddress, isAddressLiteral } from '../dcv/ssrf-guard';
import { readable } from '../domain/schemas';
import { brokenRule, unprocessable } from '../problem';
import { EVENT_TYPES } from './event-types';

/**
 * An endpoint URL: http or https, at most 2048 characters, no user name or password (the signature
 * authenticates the sender), no fragment (never sent). A literal address is judged by the address guard
 * now (public unicast only, src/dcv/ssrf-guard.ts; 422 rule `public-address`); a host name must be one of
 * the public DNS (the domain-name rules, as a DNS provider's server: not `localhost`, `intranet` or
 * `metadata.google.internal`; 400 with the rule) and is resolved and judged at each delivery, the
 * connection going to the address judged.
 */
export const webhookUrl = (allowance: AddressAllowance) =>
  z
    .string()
    .trim()
    .max(2048)
    .superRefine((text, ctx) => {
      // As written, not as the WHATWG parser would repair it: it drops tabs, line breaks and trailing control
      // characters, reads `\` as `/` and `https:host` as `https://host`, so the URL stored is not the one sent.
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      if (!/^https?:\/\//i.test(text) || /[\u0000-\u0020\u007f\\]/.test(text)) {
        const message = 'not an absolute http(s) URL as written: scheme://host…, without spaces, control characters or backslashes';
        return void ctx.addIssue({ code: 'custom', message, params: brokenRule('url') });
      }
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return void ctx.addIssue({ code: 'custom', message: 'not an absolute URL', params: brokenRule('url') });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        ctx.addIssue({ code: 'custom', message: 'must be https (or http)', params: brokenRule('url') });
      else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password', params: brokenRule('url') });
      else if (url.hash) ctx.addIssue({ code: 'custom', message: 'must not have a fragment (#…)', params: brokenRule('url') });
      // Port 0 names no service (IANA: reserved); the connection could not be made.
      else if (url.port === '0') ctx.addIssue({ code: 'custom', message: 'port 0 is reserved and reaches no server', params: brokenRule('url') });
      else if (isAddressLiteral(url.hostname)) {
        const verdict = classifyAddress(url.hostname, allowance);
        if (!verdict.allowed) ctx.addIssue({ code: 'custom', message: verdict.reason, params: unprocessable('public-address') });
      } else {
        // As a DNS provider's server: a name of the public DNS, not `localhost`, `intranet` or `*.internal`.
        const name = normalizeDomainName(url.hostname);
        if (!name.ok) ctx.addIssue({ code: 'custom', message: `not a host name the service can resolve: ${name.reason}`, params: brokenRule(name.rule) });
        else if (name.isWildcard) ctx.addIssue({ code: 'custom', message: 'a wildcard names no host', params: brokenRule('url') });
      }
    })
    .transform((text) => new URL(text).toString());

const eventTypes = z
  .array(z.enum(EVENT_TYPES))
  .min(1)
  .max(EVENT_TYPES.length)
  .transform((types) => [...new Set(types)])
  .nullable()
  .describe('The event types to send; null or absent: all of them');

const description = readable(z.string().trim().max(200)).nullable();

/** `POST /v1/webhooks`; `allowance` is WEBHOOK_ALLOW_PRIVATE_ADDRESSES (tests only). */
export const webhookInputFor = (allowance: AddressAllowance) =>
  z.strictObject({
    url: webhookUrl(allowance),
    eventTypes: eventTypes.optional(),
    description: description.optional(),
    enabled: z.boolean().default(true),
  });

/** `PATCH /v1/webhooks/{id}`: any of the fields, at least one. Enabling a disabled endpoint resumes its deliveries. */
export const webhookPatchFor = (allowance: AddressAllowance) =>
  z
    .strictObject({ url: webhookUrl(allowance), eventTypes, description, enabled: z.boolean() })
    .partial()
    .refine((patch) => Object.keys(patch).length > 0, { message: 'send at least one field to change', params: brokenRule('at-least-one-field') })
    .meta({ minProperties: 1 });

/** `POST /v1/webhooks/{id}/rotate-secret`: how long the current secret keeps signing beside the new one. */
export const rotateSecretInput = z.strictObject({
  previousSecretExpiresInSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional()
    .describe('Seconds the secret being replaced keeps signing beside the new one (0: it stops now); default WEBHOOK_SECRET_OVERLAP'),
});

/** As production judges it: no allowance (the OpenAPI document). */
export const webhookInput = webhookInputFor({});
export const webhookPatch = webhookPatchFor({});

/** An event's public id, `evt_<n>` (src/notify/feed.ts). */
export const eventId = z.string().regex(/^evt_[1-9][0-9]{0,17}$/, 'an event id (evt_…) from GET /v1/events');

/** `POST /v1/webhooks/{id}/redeliver`: which of the account's events to send again. */
export const redeliveryInput = z.strictObject({ eventId: eventId.describe('An event of the account (GET /v1/events), of any type') });

/** `GET /v1/webhooks/{id}/deliveries?status=`. */
export const deliveryListQuery = z.object({ status: z.enum(['pending', 'delivered', 'failed']).optional().describe('Only deliveries in this status') });
