import { followsRetrySchedule, nextWake } from '../../workflows/domain';
import type { DomainState } from '../../workflows/domain-messages';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const HOUR = 3_600_000;
const pending: DomainState = {
  status: 'pending',
  attempt: 0,
  randomValueExpiresAt: at(30 * 24 * HOUR),
  validUntil: null,
  revalidateAt: null,
  renewing: false,
  needsAttention: false,
};
const validated = { ...pending, status: 'validated', validUntil: at(398 * 24 * HOUR), revalidateAt: at(368 * 24 * HOUR) } as DomainState;

test('a pending domain waits for the step of the retry schedule its attempt has reached, the last one repeating, never past its random value', () => {
  expect(followsRetrySchedule(pending)).toBe(true);
  expect(nextWake(pending, [60_000, 300_000], NOW)).toBe(NOW + 60_000);
  expect(nextWake({ ...pending, attempt: 1 }, [60_000, 300_000], NOW)).toBe(NOW + 300_000);
  expect(nextWake({ ...pending, attempt: 7 }, [60_000, 300_000], NOW)).toBe(NOW + 300_000);
  expect(nextWake({ ...pending, randomValueExpiresAt: at(1000) }, [60_000], NOW)).toBe(NOW + 1000);
});

test('a validated domain waits for its own dates without the retry schedule; renewing, it follows the schedule again', () => {
  expect(followsRetrySchedule(validated)).toBe(false);
  expect(nextWake(validated, [], NOW)).toBe(Date.parse(validated.revalidateAt!));
  expect(nextWake({ ...validated, revalidateAt: null }, [], NOW)).toBe(Date.parse(validated.validUntil!));
  expect(nextWake({ ...validated, revalidateAt: null, validUntil: null }, [], NOW)).toBeNull();
  const renewing = { ...validated, renewing: true };
  expect(followsRetrySchedule(renewing)).toBe(true);
  expect(nextWake(renewing, [60_000], NOW)).toBe(NOW + 60_000);
});

test('a state that follows the schedule with no schedule given is a programming error, not a wait of NaN', () => {
  expect(() => nextWake(pending, [], NOW)).toThrow(/retry schedule is empty/);
  for (const status of ['failed', 'expired'] as const) {
    expect(followsRetrySchedule({ ...pending, status } as DomainState)).toBe(false);
    expect(nextWake({ ...pending, status } as DomainState, [], NOW)).toBeNull();
  }
});
