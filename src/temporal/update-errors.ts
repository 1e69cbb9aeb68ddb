import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isDatabaseUnavailable } from '../db/unavailable';
import { duplicateProblem, type ExistingProfile, type FieldError, Problem } from '../problem';
import { FAILURE, type FailureType, isFailureType } from '../domain/vocabulary';
import { log } from '../log';
import { wasNotSent } from './fail-fast';

/** How long an HTTP request waits for a workflow by default: the default REQUEST_DEADLINE (config.requestDeadlineMs). */
export const DEFAULT_DEADLINE_MS = 5_000;

/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** 503 with Retry-After: a dependency is down or did not answer in time; the same request may succeed later. */
export function serviceUnavailable(detail: string): Problem {
  return new Problem(503, 'Service Unavailable', detail, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
}

/** gRPC status codes that mean "the server is not there or did not answer" (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED by our deadline). */
const UNAVAILABLE_GRPC_CODES = new Set([14, 4, 1]);

/**
 * Is this error Temporal being unreachable or too slow (connection refused, gRPC UNAVAILABLE or
 * DEADLINE_EXCEEDED, our own deadline's abort), rather than a refusal by a workflow?
 */
export function isTemporalUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const { code, name, message, cause } = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  // A gRPC status (grpc-js errors carry `details` and `metadata` beside the numeric code).
  if (typeof code === 'number' && UNAVAILABLE_GRPC_CODES.has(code) && ('details' in error || 'metadata' in error)) return true;
  if (name === 'AbortError' || name === 'TimeoutError' || name === 'TransportError') return true;
  if (typeof message === 'string' && /UNAVAILABLE|DEADLINE_EXCEEDED|No connection established|Failed to connect|ECONNREFUSED|deadline/i.test(message))
    return true;
  return isTemporalUnavailable(cause, depth + 1);
}

/**
 * The HTTP answer to each failure type a workflow or activity gives its caller (exhaustive: a new type
 * must be mapped here). `details`: the failure's details — the field errors of an `Unprocessable`, the
 * existing profile of a `Duplicate`.
 */
export function failureProblem(type: FailureType, message: string, details: readonly unknown[] = []): Problem {
  switch (type) {
    case FAILURE.duplicate: {
      const existing = details[0] as (ExistingProfile & { field: string }) | undefined;
      return existing ? duplicateProblem({ kind: existing.kind, id: existing.id }, existing.field) : new Problem(409, 'Duplicate', message);
    }
    case FAILURE.conflict:
      return new Problem(409, 'Conflict', message);
    case FAILURE.notFound:
      return new Problem(404, 'Not Found', message);
    case FAILURE.badRequest:
      return new Problem(400, 'Invalid request', message);
    case FAILURE.unprocessable: {
      const errors = fieldErrorsOf(details);
      return new Problem(422, 'Unprocessable Content', message, errors?.length ? { errors } : {});
    }
    default: {
      const unmapped: never = type;
      throw new Error(`unmapped failure type ${unmapped}`);
    }
  }
}

/** Business failures raised in the workflow become 4xx; anything else means Temporal is unreachable or slow: 503. */
export function updateProblem(error: unknown): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const type = error.cause.type ?? undefined;
    if (isFailureType(type)) return failureProblem(type, error.cause.message, error.cause.details ?? []);
  }
  if (error instanceof Problem) return error;
  if (isDatabaseUnavailable(error)) return serviceUnavailable('the database is unavailable; retry the request');
  if (wasNotSent(error)) return serviceUnavailable('the workflow service is unreachable; nothing was sent: retry the request');
  if (isTemporalUnavailable(error)) {
    log.warn(`workflow service unavailable: ${describeError(error)}`);
  } else {
    log.error({ err: error }, 'workflow update failed');
  }
  // The update was sent and may still land once the service answers: a retry with the same Idempotency-Key gets its outcome.
  return serviceUnavailable(
    'the workflow service did not answer in time; the change may still take effect once it does: retry the request, with the same Idempotency-Key to get its outcome',
  );
}

/** The field errors an activity put in its failure's details (`[FieldError[]]`), if any. */
function fieldErrorsOf(details: readonly unknown[] | undefined | null): FieldError[] | undefined {
  const [errors] = details ?? [];
  return Array.isArray(errors) ? errors.filter((e): e is FieldError => typeof e?.field === 'string' && typeof e?.message === 'string') : undefined;
}

/** One line for logs: the error's name, message and, for gRPC errors, the cause's. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
