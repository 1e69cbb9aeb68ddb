// Who is emailed about which event, in which language, with which words. Pure: the caller reads the
// facts (administrators, contacts, settings) from the database.
import type { EmailLanguage } from '../db/schema';
import { faultSideOfReason } from '../dcv/fault-side';
import type { EmailFacts, EmailTemplate } from './email-templates';
import type { FeedEvent } from './feed';

export interface Recipient {
  email: string;
  language: EmailLanguage;
}

/** Who could be told about an event of the account. */
export interface Audience {
  /** The administrators the event concerns: all of an organization's, the administrator itself, a domain's administrator. */
  administrators: string[];
  /** The account's notification contacts, each with their language (or the account's). */
  contacts: Recipient[];
  /** The account's console owners: told what only the contacts would be (a disabled webhook) when it has none. */
  owners: string[];
  /** The account's language: its administrators'. */
  language: EmailLanguage;
  /** REVIEWER_EMAILS, in REVIEWER_LANGUAGE. */
  reviewers: Recipient[];
}

type Group = 'account' | 'contacts' | 'reviewers';

/**
 * The emailed events: approvals, rejections (with the reason), expiring approvals and validations (each
 * notice: 30 and 7 days before by default) and domains needing the customer's attention go to the administrators and the
 * account's contacts; a disabled webhook to the contacts (the owners when there are none); new submissions and overdue reviews to the reviewers.
 */
const PLAN: Record<string, { template: EmailTemplate; to: Group }> = {
  'organization.approved': { template: 'approved', to: 'account' },
  'administrator.approved': { template: 'approved', to: 'account' },
  'organization.rejected': { template: 'rejected', to: 'account' },
  'administrator.rejected': { template: 'rejected', to: 'account' },
  'organization.expiring': { template: 'expiring', to: 'account' },
  'administrator.expiring': { template: 'expiring', to: 'account' },
  'domain.expiring': { template: 'expiring', to: 'account' },
  'domain.needs_attention': { template: 'needs_attention', to: 'account' },
  'webhook.disabled': { template: 'webhook.disabled', to: 'contacts' },
  'organization.submitted': { template: 'review.submitted', to: 'reviewers' },
  'administrator.submitted': { template: 'review.submitted', to: 'reviewers' },
  'review.overdue': { template: 'review.overdue', to: 'reviewers' },
};

/**
 * The template of an event (its type, and the object as the event shows it), and whether its audience
 * includes the account (administrators) or only reviewers. A domain flagged by the CA's own fault (its
 * DNS, its perspectives) is not emailed: the customer has nothing to do, the CA's operators are alerted,
 * and the feed and webhooks still carry the event.
 */
export function emailTemplateOf(type: string, data?: unknown): { template: EmailTemplate; to: Group } | undefined {
  if (type === 'domain.needs_attention' && faultSideOfReason((data as { attentionReason?: unknown } | null)?.attentionReason) !== 'customer') return undefined;
  return PLAN[type];
}

/**
 * Each address once (compared case-insensitively); a contact's own language wins over the account's.
 * What goes to the contacts goes to the account's owners when it has none, so nobody misses it.
 */
export function recipientsOf(to: Group, audience: Audience): Recipient[] {
  const inLanguage = (emails: string[]) => emails.map((email) => ({ email, language: audience.language }));
  const candidates =
    to === 'reviewers'
      ? audience.reviewers
      : to === 'account'
        ? [...audience.contacts, ...inLanguage(audience.administrators)]
        : audience.contacts.length > 0
          ? audience.contacts
          : inLanguage(audience.owners);
  const seen = new Set<string>();
  return candidates.filter((r) => {
    const key = r.email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const minute = (iso: unknown) => (typeof iso === 'string' ? new Date(iso).toISOString().slice(0, 16).replace('T', ' ') : null);

/** What the templates say about the event's object, from its snapshot in the event. */
export function factsOf(event: FeedEvent, accountId: string): EmailFacts | undefined {
  const data = event.data as Record<string, any> | null;
  if (!data) return undefined;
  const kind = event.objectKind as EmailFacts['kind'];
  const name =
    kind === 'organization' ? data.name : kind === 'administrator' ? `${data.firstName} ${data.lastName}` : kind === 'domain' ? data.domain : data.url;
  const reason = kind === 'domain' ? data.attentionReason : kind === 'webhook' ? data.disabledReason : data.rejectionReason;
  const validUntil = typeof data.validUntil === 'string' ? Date.parse(data.validUntil) : NaN;
  return {
    kind,
    id: event.objectId,
    name: String(name),
    accountId,
    reason: reason ?? null,
    validUntil: minute(data.validUntil),
    daysLeft: Number.isNaN(validUntil) ? null : Math.max(0, Math.ceil((validUntil - Date.parse(event.timestamp)) / 86_400_000)),
    dueAt: minute(data.dueAt),
  };
}
