import { parseDuration } from '../../src/domain/duration';
import { revalidationTime } from '../../src/dcv/domain-state';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

describe('revalidationTime', () => {
  test('renews the configured lead ahead of the end of a long validity', () => {
    const validatedAt = at('2026-01-01T00:00:00Z');
    const validUntil = new Date(validatedAt.getTime() + 398 * DAY);
    expect(revalidationTime(validatedAt, validUntil, parseDuration('30d'))).toEqual(new Date(validUntil.getTime() - 30 * DAY));
  });

  test('a validity shorter than the lead renews two thirds in, not at once (10-day period from 2029-03-15)', () => {
    const validatedAt = at('2029-04-01T00:00:00Z');
    const validUntil = new Date(validatedAt.getTime() + 10 * DAY);
    const renewAt = revalidationTime(validatedAt, validUntil, parseDuration('30d'));
    expect(renewAt.getTime()).toBeGreaterThan(validatedAt.getTime());
    expect(renewAt.getTime() - validatedAt.getTime()).toBeCloseTo((20 / 3) * DAY, -3);
  });

  test('a validity cut short by a schedule change still renews after it began', () => {
    // Validated 2029-03-01 under the 100-day period, usable only until the 10-day period starts.
    const validatedAt = at('2029-03-01T00:00:00Z');
    const validUntil = at('2029-03-14T23:59:59.999Z');
    const renewAt = revalidationTime(validatedAt, validUntil, parseDuration('30d'));
    expect(renewAt > validatedAt && renewAt < validUntil).toBe(true);
  });

  test('the lead may be given in business days', () => {
    const validatedAt = at('2026-01-01T00:00:00Z');
    const validUntil = at('2026-12-31T00:00:00Z'); // a Thursday
    expect(revalidationTime(validatedAt, validUntil, parseDuration('2bd'))).toEqual(at('2026-12-27T00:00:00Z'));
  });
});
