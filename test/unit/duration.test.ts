import { addDuration, parseDuration } from '../../src/domain/duration';

describe('parseDuration', () => {
  test.each([
    ['30s', { ms: 30_000 }],
    ['500ms', { ms: 500 }],
    ['15m', { ms: 900_000 }],
    ['2h', { ms: 7_200_000 }],
    ['2d', { ms: 172_800_000 }],
    ['1.5s', { ms: 1500 }],
    ['250', { ms: 250 }],
    ['1bd', { businessDays: 1 }],
  ])('%s', (text, expected) => expect(parseDuration(text)).toEqual(expected));

  test.each(['', 'soon', '-1s', '1w', '1.5bd', '2 days'])('rejects %p', (text) => expect(() => parseDuration(text)).toThrow(/duration|whole number/));
});

describe('business days skip weekends', () => {
  const at = (iso: string) => new Date(iso);
  test('Friday + 1 business day = Monday, same time', () => {
    expect(addDuration(at('2026-11-27T10:00:00Z'), { businessDays: 1 }).toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });
  test('Saturday + 1 business day = Monday', () => {
    expect(addDuration(at('2026-11-28T10:00:00Z'), { businessDays: 1 }).toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });
  test('Monday + 5 business days = next Monday', () => {
    expect(addDuration(at('2026-11-30T08:00:00Z'), { businessDays: 5 }).toISOString()).toBe('2026-12-07T08:00:00.000Z');
  });
  test('plain durations add milliseconds', () => {
    expect(addDuration(at('2026-11-28T00:00:00Z'), { ms: 2000 }).toISOString()).toBe('2026-11-28T00:00:02.000Z');
  });
});
