import { DEFAULT_RANDOM_VALUE_LIFETIME_MS, generateRandomValue, isRandomValueUsable, isWellFormedRandomValue } from '../../src/dcv/random-value';

describe('generateRandomValue', () => {
  it('is 256 bits, base64url without padding (43 characters)', () => {
    const rv = generateRandomValue();
    expect(rv.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(rv.value, 'base64url')).toHaveLength(32);
    expect(isWellFormedRandomValue(rv.value)).toBe(true);
    expect(isWellFormedRandomValue(`${rv.value}=`)).toBe(false);
  });

  it('never repeats', () => {
    const values = new Set(Array.from({ length: 1000 }, () => generateRandomValue().value));
    expect(values.size).toBe(1000);
  });

  it('lives 30 days by default, or the given lifetime', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const rv = generateRandomValue(undefined, now);
    expect(rv.issuedAt).toEqual(now);
    expect(rv.expiresAt.toISOString()).toBe('2030-01-31T00:00:00.000Z');
    expect(DEFAULT_RANDOM_VALUE_LIFETIME_MS).toBe(30 * 86_400_000);
    expect(generateRandomValue(5_000, now).expiresAt.getTime() - now.getTime()).toBe(5_000);
  });

  it('refuses lifetimes beyond 30 days or not positive', () => {
    expect(() => generateRandomValue(30 * 86_400_000 + 1)).toThrow(/30 days/);
    expect(() => generateRandomValue(0)).toThrow(RangeError);
    expect(() => generateRandomValue(Number.NaN)).toThrow(RangeError);
  });
});

describe('isRandomValueUsable', () => {
  it('is usable from issue to expiry inclusive (30 days + 1 ms is too late)', () => {
    const rv = generateRandomValue(undefined, new Date('2030-01-01T00:00:00Z'));
    expect(isRandomValueUsable(rv, new Date('2030-01-01T00:00:00Z'))).toBe(true);
    expect(isRandomValueUsable(rv, new Date('2030-01-31T00:00:00.000Z'))).toBe(true);
    expect(isRandomValueUsable(rv, new Date('2030-01-31T00:00:00.001Z'))).toBe(false);
    expect(isRandomValueUsable(rv, new Date('2029-12-31T23:59:59.999Z'))).toBe(false);
  });
});
