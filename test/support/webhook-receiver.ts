import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got, with what the Standard Webhooks library made of its signature. */
export interface Received {
  id: string;
  timestamp: string;
  signatures: string[];
  body: string;
  payload: any;
  /** Which of the receiver's secrets verified it (the library's `verify`: signature and timestamp tolerance). */
  verifiedWith: string[];
  /** When it arrived, ms since the epoch. */
  at: number;
}

/** How to answer one request: a status (default 204), after a delay (a timeout on demand), with headers. */
export interface Answer {
  status?: number;
  delayMs?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The secrets a request is checked against (set once the endpoint exists; several during a rotation). */
  secrets: string[];
  /** Decides each answer; `n` counts the requests with this `webhook-id` so far (1 for the first). */
  answer: (request: Received, n: number) => Answer;
  /** Requests with this `webhook-id`. */
  of(id: string): Received[];
  close(): Promise<void>;
}

async function read(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A real HTTP receiver on loopback that verifies every request with the spec's own library. */
export async function startReceiver(): Promise<Receiver> {
  const receiver: Omit<Receiver, 'url' | 'close'> = {
    received: [],
    secrets: [],
    answer: () => ({ status: 204 }),
    of: (id) => receiver.received.filter((r) => r.id === id),
  };
  const server: Server = createServer(async (request, response) => {
    const body = await read(request);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    const verifiedWith = receiver.secrets.filter((secret) => {
      try {
        new Webhook(secret).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      payload = undefined;
    }
    const got: Received = {
      id: headers['webhook-id'],
      timestamp: headers['webhook-timestamp'],
      signatures: (headers['webhook-signature'] ?? '').split(' '),
      body,
      payload,
      verifiedWith,
      at: Date.now(),
    };
    receiver.received.push(got);
    const answer = receiver.answer(got, receiver.of(got.id).length);
    const send = () => {
      if (response.destroyed) return;
      response.writeHead(answer.status ?? 204, answer.headers ?? {});
      response.end(answer.body ?? '');
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as Receiver;
}
