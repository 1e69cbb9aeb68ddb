import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import { log } from '../log';
import { Problem, problemBody } from './problem';

/** Node's own answers to a request it refuses before any handler sees it (lib/_http_server.js `socketOnError`). */
const REFUSALS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', `the request line and headers are larger than the server takes (${maxHeaderSize} bytes)`],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Content Too Large', 'the chunk extensions are larger than the server takes'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request did not arrive in time'],
};
const MALFORMED: [number, string, string] = [400, 'Bad Request', 'the request is not well-formed HTTP/1.1'];

/**
 * The HTTP server's `clientError`, as Node's default handles it (the same statuses; an answer only on a
 * connection that has sent nothing yet, so none lands inside another response; then the socket closed),
 * but the answer is `application/problem+json` (RFC 9457), as every other refusal, where Node sends an
 * empty body; and it is logged.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // Node's own handler answers only on a connection that has sent nothing at all, so a refused request on a
  // kept-alive connection got no answer; what must not happen is an answer inside a response still being
  // sent (pipelining), and that one Node's http server keeps as the socket's `_httpMessage`.
  const inFlight = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (socket.writable && !inFlight && error.code !== 'ECONNRESET') {
    const [status, title, detail] = REFUSALS[error.code ?? ''] ?? MALFORMED;
    log.info({ status, code: error.code }, 'request refused before it was read');
    const body = JSON.stringify(problemBody(new Problem(status, title, detail)));
    // Ended, not destroyed at once: a client still sending its request (the long headers) would get a reset
    // instead of the answer. One that keeps its side open is cut off shortly after.
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
    return;
  }
  socket.destroy();
}

/** How long a refused connection may stay half-open for its client to read the answer. */
const LINGER_MS = 2_000;
