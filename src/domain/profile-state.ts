import type { ProfileState } from '../../workflows/messages';
import type { Duration } from './duration';
import { expiringAt } from './profile-transitions';
import type { ProfileStatus } from './status';

/** The workflow's view of a reviewed row: the timestamps its timers run on. */
export function profileStateOf(
  row: { status: ProfileStatus; due_at: Date | string; valid_until: Date | string | null },
  expiringWindow: Duration,
  nextReminderAt?: Date,
): ProfileState {
  const validUntil = row.valid_until ? new Date(row.valid_until) : null;
  return {
    status: row.status,
    nextReminderAt: row.status === 'under_review' ? (nextReminderAt ?? new Date(row.due_at)).toISOString() : null,
    expiringAt: validUntil ? expiringAt(validUntil, expiringWindow).toISOString() : null,
    validUntil: validUntil?.toISOString() ?? null,
  };
}
