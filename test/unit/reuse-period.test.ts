import {
  DAY_MS,
  domainReusePeriodDays,
  identityReusePeriodDays,
  isDomainValidationReusable,
  isIdentityValidationReusable,
  isWithinReuse,
  reusableUntil,
} from '../../src/domain/reuse-period';

const at = (iso: string) => new Date(iso);
const justBefore = (iso: string) => new Date(new Date(iso).getTime() - 1);

describe('domainReusePeriodDays (BR §4.2.1)', () => {
  it.each([
    ['2025-01-01T00:00:00Z', 398],
    [justBefore('2026-03-15T00:00:00Z').toISOString(), 398],
    ['2026-03-15T00:00:00Z', 200],
    [justBefore('2027-03-15T00:00:00Z').toISOString(), 200],
    ['2027-03-15T00:00:00Z', 100],
    [justBefore('2029-03-15T00:00:00Z').toISOString(), 100],
    ['2029-03-15T00:00:00Z', 10],
    ['2040-01-01T00:00:00Z', 10],
  ])('at %s → %i days', (iso, days) => {
    expect(domainReusePeriodDays(at(iso))).toBe(days);
  });
});

describe('identityReusePeriodDays (BR §4.2.1)', () => {
  it.each([
    ['2025-06-01T00:00:00Z', 825],
    [justBefore('2026-03-15T00:00:00Z').toISOString(), 825],
    ['2026-03-15T00:00:00Z', 398],
    ['2035-01-01T00:00:00Z', 398],
  ])('at %s → %i days', (iso, days) => {
    expect(identityReusePeriodDays(at(iso))).toBe(days);
  });
});

describe('isWithinReuse', () => {
  it('uses the period in force at the moment of use (examples of the requirements, R1)', () => {
    expect(isDomainValidationReusable(at('2027-01-10T00:00:00Z'), at('2027-03-20T00:00:00Z'))).toBe(true); // 69 ≤ 100
    expect(isDomainValidationReusable(at('2027-01-10T00:00:00Z'), at('2027-04-25T00:00:00Z'))).toBe(false); // 105 > 100
    expect(isDomainValidationReusable(at('2029-03-01T00:00:00Z'), at('2029-03-16T00:00:00Z'))).toBe(false); // 15 > 10
  });

  it('counts any fraction of a day as a day: N days exactly is fine, one millisecond more is not', () => {
    const v = at('2030-01-01T00:00:00Z');
    expect(isDomainValidationReusable(v, new Date(v.getTime() + 10 * DAY_MS))).toBe(true);
    expect(isDomainValidationReusable(v, new Date(v.getTime() + 10 * DAY_MS + 1))).toBe(false);
    const w = at('2025-01-01T00:00:00Z');
    expect(isDomainValidationReusable(w, new Date(w.getTime() + 398 * DAY_MS))).toBe(true); // 2026-02-03, still 398 days
    expect(isDomainValidationReusable(w, new Date(w.getTime() + 398 * DAY_MS + 1))).toBe(false);
  });

  it('drops a validation the day a shorter period starts', () => {
    const v = at('2025-12-01T00:00:00Z');
    expect(isDomainValidationReusable(v, justBefore('2026-03-15T00:00:00Z'))).toBe(true);
    expect(isDomainValidationReusable(v, at('2026-03-15T00:00:00Z'))).toBe(true); // 104 days ≤ 200
    const old = at('2025-06-01T00:00:00Z');
    expect(isDomainValidationReusable(old, justBefore('2026-03-15T00:00:00Z'))).toBe(true); // 287 ≤ 398
    expect(isDomainValidationReusable(old, at('2026-03-15T00:00:00Z'))).toBe(false); // 287 > 200
  });

  it('handles identity data across the 825 → 398 change', () => {
    const v = at('2024-06-01T00:00:00Z');
    expect(isIdentityValidationReusable(v, justBefore('2026-03-15T00:00:00Z'))).toBe(true); // 651 ≤ 825
    expect(isIdentityValidationReusable(v, at('2026-03-15T00:00:00Z'))).toBe(false); // 651 > 398
  });

  it('never accepts evidence from the future', () => {
    expect(isWithinReuse('domain', at('2030-01-02T00:00:00Z'), at('2030-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('reusableUntil', () => {
  it('is validatedAt + period when no change intervenes', () => {
    expect(reusableUntil('domain', at('2030-01-01T00:00:00Z')).toISOString()).toBe('2030-01-11T00:00:00.000Z');
    expect(reusableUntil('identity', at('2030-01-01T00:00:00Z')).getTime()).toBe(at('2030-01-01T00:00:00Z').getTime() + 398 * DAY_MS);
  });

  it('ends just before a shorter period starts when the evidence is too old for it', () => {
    expect(reusableUntil('domain', at('2025-06-01T00:00:00Z')).toISOString()).toBe('2026-03-14T23:59:59.999Z');
    expect(reusableUntil('domain', at('2029-02-01T00:00:00Z')).toISOString()).toBe('2029-03-14T23:59:59.999Z');
  });

  it('uses the new period when the evidence is still young enough for it', () => {
    expect(reusableUntil('domain', at('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-07-20T00:00:00.000Z'); // +200 days
  });

  it('agrees with isWithinReuse on both sides of the instant it returns', () => {
    for (const iso of ['2025-03-01T12:00:00Z', '2026-02-01T00:00:00Z', '2027-01-10T00:00:00Z', '2028-12-20T00:00:00Z', '2031-05-05T05:05:05Z']) {
      for (const kind of ['domain', 'identity'] as const) {
        const v = at(iso);
        const until = reusableUntil(kind, v);
        expect(isWithinReuse(kind, v, until)).toBe(true);
        expect(isWithinReuse(kind, v, new Date(until.getTime() + 1))).toBe(false);
      }
    }
  });
});
