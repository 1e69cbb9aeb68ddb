import type { ProfileState } from '../../workflows/messages';
import type { Duration } from './duration';
import { expiringAt } from './profile-transitions';
import type { ProfileStatus } from './status';

/**
 * The workflow's view of a reviewed row: the timestamps its timers run on, the review's due time and,
 * for an organization (a row with `name`), its legal name for the operator's view.
 */
export function profileStateOf(
  row: { status: ProfileStatus; due_at: Date | string; valid_until: Date | string | null; name?: string },
  expiringWindow: Duration,
  nextReminderAt?: Date,
): ProfileState {
  const validUntil = row.valid_until ? new Date(row.valid_until) : null;
  const reviewing = row.status === 'under_review';
  return {
    status: row.status,
    nextReminderAt: reviewing ? (nextReminderAt ?? new Date(row.due_at)).toISOString() : null,
    expiringAt: validUntil ? expiringAt(validUntil, expiringWindow).toISOString() : null,
    validUntil: validUntil?.toISOString() ?? null,
    dueAt: reviewing ? new Date(row.due_at).toISOString() : null,
    ...(typeof row.name === 'string' ? { organizationName: row.name } : {}),
  };
}
