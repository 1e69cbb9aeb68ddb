import { z } from 'zod';
import { brokenRule } from '../problem';

/**
 * An integer query parameter, `min`..`max`: only ASCII decimal digits (`^[0-9]+$`), so `""`, `0x10`,
 * `1e2`, ` 5`, `+5` and `5.0` are refused (JavaScript's Number() would read them as 0, 16, 100 or 5)
 * with rule `decimal-integer`; a value out of range is refused with rule `integer-range`. Answered 400
 * naming the parameter. Absent stays absent: add `.optional()` or `.default(n)`.
 */
export const decimalInteger = (min: number, max: number) =>
  z.string().transform((value, ctx) => {
    if (!/^[0-9]+$/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a whole number in decimal digits (0-9) only, from ${min} to ${max}`,
        params: brokenRule('decimal-integer'),
      });
      return z.NEVER;
    }
    const number = Number(value);
    if (number < min || number > max) {
      ctx.addIssue({ code: 'custom', message: `must be from ${min} to ${max}`, params: brokenRule('integer-range') });
      return z.NEVER;
    }
    return number;
  });
