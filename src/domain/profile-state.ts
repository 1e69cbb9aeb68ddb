import type { ProfileState } from '../../workflows/messages';
import { addDuration, type Duration } from './duration';
import type { ProfileStatus } from './status';

/** The workflow's view of a reviewed row: the timestamps its timers run on. */
export function profileStateOf(
  row: { status: ProfileStatus; due_at: Date | string; valid_until: Date | string | null },
  expiringWindow: Duration,
  nextReminderAt?: Date,
): ProfileState {
  const validUntil = row.valid_until ? new Date(row.valid_until) : null;
  const windowMs = validUntil ? addDuration(validUntil, expiringWindow).getTime() - validUntil.getTime() : 0;
  return {
    status: row.status,
    nextReminderAt: row.status === 'under_review' ? (nextReminderAt ?? new Date(row.due_at)).toISOString() : null,
    expiringAt: validUntil ? new Date(validUntil.getTime() - windowMs).toISOString() : null,
    validUntil: validUntil?.toISOString() ?? null,
  };
}
