// Workflow-safe: what the Temporal UI shows an operator about an entity's workflow ("current details"),
// written from the workflow's own state. Personal data never enters: ids, the organization's legal name
// (a company's registered name), domain names, statuses and times only.
import type { ProfileKind, ProfileStatus } from './status';
import type { DomainStatus } from './vocabulary';

/** Statuses in which nothing more happens by itself: only the customer (resubmit, revalidate) or a delete moves the entity on. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set<ProfileStatus | DomainStatus>(['rejected', 'expired', 'failed']);

/** A profile's review is overdue once its due time passed and the reviewers were reminded (the first reminder fires at the due time). */
export function reviewOverdue(state: { status: string; dueAt?: string | null; nextReminderAt: string | null }): boolean {
  return state.status === 'under_review' && !!state.dueAt && !!state.nextReminderAt && Date.parse(state.nextReminderAt) > Date.parse(state.dueAt);
}

/**
 * `text` as literal inline Temporal markdown (CommonMark §2.4 backslash escapes): the characters that
 * open emphasis, code, links, autolinks, HTML, entities, tables and strikethrough are escaped, line
 * breaks become spaces. Never at the start of a line here, so block markers (`#`, `-`, `1.`) are inert.
 */
export function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>&|~]/g, '\\$&');
}

const organizationLine = (name: string | undefined, organizationId: string | undefined) =>
  `Organization: ${name ? `**${markdownText(name)}**` : '(name not known yet)'}${organizationId ? ` (\`${organizationId}\`)` : ''}`;

function statusLine(status: string): string {
  return TERMINAL_STATUSES.has(status)
    ? `Status: **${status}** (terminal: nothing more happens until the customer acts or deletes it)`
    : `Status: **${status}**`;
}

const at = (label: string, time: string | null | undefined) => (time ? [`${label}: ${time}`] : []);

/**
 * Current details of an organization's or administrator's workflow (Temporal markdown, one fact a line).
 *
 * @param state the workflow's state (ISO times); `dueAt` and `organizationName` may be missing in runs recorded before them
 */
export function profileDetails(
  kind: ProfileKind,
  id: string,
  organizationId: string | undefined,
  organizationName: string | undefined,
  state: { status: string; dueAt?: string | null; nextReminderAt: string | null; expiringAt: string | null; validUntil: string | null },
): string {
  return [
    kind === 'organization' ? `Organization \`${id}\`` : `Administrator \`${id}\``,
    organizationLine(organizationName, kind === 'organization' ? undefined : organizationId),
    statusLine(state.status),
    ...at('Review due', state.dueAt),
    ...(reviewOverdue(state) ? ['Review overdue: reviewers are reminded'] : []),
    ...at('Expiring from', state.status === 'approved' ? state.expiringAt : null),
    ...at('Valid until', state.validUntil),
  ].join('\n');
}

/** Current details of a domain's workflow (Temporal markdown, one fact a line). */
export function domainDetails(
  domain: { id: string; name: string; method: string },
  organizationName: string | undefined,
  state: { status: string; randomValueExpiresAt: string; validUntil: string | null; revalidateAt: string | null; needsAttention: boolean; renewing: boolean },
): string {
  return [
    `Domain **${markdownText(domain.name)}** (\`${domain.id}\`), method ${domain.method}`,
    organizationLine(organizationName, undefined),
    statusLine(state.status),
    ...(state.needsAttention ? ["Needs attention: see the domain's attentionReason (API) or its audit trail"] : []),
    ...at('Random value expires', state.status === 'pending' ? state.randomValueExpiresAt : null),
    ...at('Valid until', state.validUntil),
    ...at('Revalidates from', state.status === 'validated' ? state.revalidateAt : null),
    ...(state.renewing ? ['Renewal under way'] : []),
  ].join('\n');
}
