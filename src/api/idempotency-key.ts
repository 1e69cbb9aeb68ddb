import { z } from 'zod';

/** Longest Idempotency-Key accepted, in characters (stored as they are; the Temporal update ID is a hash of it). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** The `Idempotency-Key` header as the API checks it (400 naming `Idempotency-Key` otherwise). */
export const idempotencyKey = z.string().min(1, 'must not be empty').max(IDEMPOTENCY_KEY_MAX_LENGTH, `at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`);

/** The same rule as the API document's header schema. */
export const idempotencyKeyHeader = (({ $schema: _ignored, ...schema }) => schema)(z.toJSONSchema(idempotencyKey) as Record<string, unknown>);
