import { z } from 'zod';
import { decimalInteger } from '../../src/domain/query-params';
import { domainListQuery } from '../../src/domain/domain-input';
import { pageQuery } from '../../src/api/pagination';

describe('integer query parameters take decimal digits only', () => {
  const days = z.object({ days: decimalInteger(0, 3650).optional() });
  const issues = (value: unknown) =>
    days.safeParse({ days: value }).error?.issues.map((i) => [i.path.join('.'), (i as { params?: { rule?: string } }).params?.rule]);

  test('digits are read as the decimal number they write, absent stays absent', () => {
    expect(days.parse({ days: '30' })).toEqual({ days: 30 });
    expect(days.parse({ days: '0' })).toEqual({ days: 0 });
    expect(days.parse({ days: '007' })).toEqual({ days: 7 });
    expect(days.parse({ days: '3650' })).toEqual({ days: 3650 });
    expect(days.parse({})).toEqual({});
  });

  test.each(['', '0x10', '0X10', '1e2', ' 5', '5 ', '+5', '-5', '5.0', '5.', '.5', 'Infinity', 'NaN', '0b11', '0o7', '١٢', '５', '1_000', '1,000'])(
    '%j is refused naming the parameter',
    (text) => {
      expect(issues(text)).toEqual([['days', 'decimal-integer']]);
    },
  );

  test('a repeated parameter (an array) is refused', () => {
    expect(days.safeParse({ days: ['1', '2'] }).success).toBe(false);
  });

  test('out of range is refused with its own rule', () => {
    expect(issues('3651')).toEqual([['days', 'integer-range']]);
    expect(issues('9'.repeat(400))).toEqual([['days', 'integer-range']]);
  });

  test('limit and expiringWithinDays use it', () => {
    expect(pageQuery.parse({})).toEqual({ limit: 20 });
    expect(pageQuery.parse({ limit: '100' })).toEqual({ limit: 100 });
    for (const limit of ['', '0x10', '1e1', '0', '101']) expect(pageQuery.safeParse({ limit }).success).toBe(false);
    expect(domainListQuery.parse({ expiringWithinDays: '30' })).toEqual({ expiringWithinDays: 30 });
    for (const expiringWithinDays of ['', '0x10', '1e2', ' 5', '+5', '5.0']) expect(domainListQuery.safeParse({ expiringWithinDays }).success).toBe(false);
  });
});
