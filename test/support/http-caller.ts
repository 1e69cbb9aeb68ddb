import { contract } from './contract';

export interface TimedResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** How long the answer took. */
  ms: number;
}

export interface Caller {
  key: string;
  id: string;
  /** Round-robin over the API processes, unless `api` picks one. */
  request<T = any>(method: string, path: string, body?: unknown, options?: { headers?: Record<string, string>; api?: number }): Promise<TimedResponse<T>>;
}

/**
 * Callers of the API processes at `urls` (`http://127.0.0.1:<port>`), one per API key, sharing one
 * round-robin over the processes. Each answer is timed from the request to its body read, its body
 * parsed as JSON when it is JSON, and (unless `checkContract` is false) judged by /openapi.json.
 */
export function httpCallers(urls: readonly string[], options: { checkContract?: boolean } = {}): (key: string, id: string) => Caller {
  let next = 0;
  return (key, id) => ({
    key,
    id,
    async request(method, requestPath, body, requestOptions = {}) {
      const url = urls[requestOptions.api ?? next++ % urls.length];
      const started = Date.now();
      const response = await fetch(`${url}${requestPath}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...requestOptions.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      const ms = Date.now() - started;
      // Outages included, every answer must be one /openapi.json declares for the operation.
      if (options.checkContract !== false) contract().assert({ method, path: requestPath, status: response.status, headers: response.headers, text });
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, headers: response.headers, body: parsed as any, ms };
    },
  });
}
