import { z } from 'zod';
import { brokenRule } from '../problem';
import { PROFILE_STATUSES } from './status';

/**
 * An integer query parameter, `min`..`max`: only ASCII decimal digits (`^[0-9]+$`), so `""`, `0x10`,
 * `1e2`, ` 5`, `+5` and `5.0` are refused (JavaScript's Number() would read them as 0, 16, 100 or 5)
 * with rule `decimal-integer`; a value out of range is refused with rule `integer-range`. Answered 400
 * naming the parameter. Absent stays absent: add `.optional()` or `.default(n)`.
 */
export const decimalInteger = (min: number, max: number) =>
  z
    .string()
    // The API document declares the integer the digits stand for (its query parameters are serialized as text).
    .meta({ type: 'integer', minimum: min, maximum: max } as Record<string, unknown>)
    .transform((value, ctx) => {
      if (!/^[0-9]+$/.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number in decimal digits (0-9) only, from ${min} to ${max}`,
          params: brokenRule('decimal-integer', { minimum: min, maximum: max }),
        });
        return z.NEVER;
      }
      const number = Number(value);
      if (number < min || number > max) {
        ctx.addIssue({ code: 'custom', message: `must be from ${min} to ${max}`, params: brokenRule('integer-range', { minimum: min, maximum: max }) });
        return z.NEVER;
      }
      return number;
    });

/** `GET /v1/organizations?status=`. */
export const profileListQuery = z.object({ status: z.enum(PROFILE_STATUSES).optional().describe('Only profiles in this status') });

/** `GET /v1/reviews?status=`: `overdue` are those past their review SLA. */
export const reviewQueueQuery = z.object({ status: z.enum(['pending', 'overdue']).default('pending') });
