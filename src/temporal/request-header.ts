// Workflow-safe: the request id as it travels in Temporal headers, from the API's client through the
// workflow to its activities (and to the workflows it signals), so their log lines carry it.
import { defaultPayloadConverter, type Headers } from '@temporalio/common';

/** The header's name (headers are payloads, in clear: an id, never personal data). */
export const REQUEST_ID_HEADER = 'request-id';

/** The request id a Temporal call carries, if any. */
export function requestIdOf(headers: Headers | undefined): string | undefined {
  const payload = headers?.[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

/** `headers` with the request id added; unchanged without one. */
export function withRequestId(headers: Headers, requestId: string | undefined): Headers {
  return requestId === undefined ? headers : { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}
