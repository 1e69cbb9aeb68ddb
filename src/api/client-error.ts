import type { Duplex } from 'node:stream';
import { log } from '../log';

/**
 * The HTTP server's `clientError`: a request Node refuses before any handler sees it (headers past
 * `maxHeaderSize`, 16 KiB by default: 431; bytes that are not HTTP/1.1: 400) is answered as every other
 * refusal is, `application/problem+json` (RFC 9457), where Node would send an empty body; and logged.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // The client is gone, or an answer is already on its way: nothing to say.
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const [status, title, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request line and headers are larger than the server takes (16 KiB); send a shorter URL or fewer headers']
      : [400, 'Bad Request', 'the request is not well-formed HTTP/1.1'];
  log.info({ status, code: error.code }, 'request refused before it was read');
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}
