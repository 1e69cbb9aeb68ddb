import { existsSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * The embedded PGlite database belongs to one process, so while `npm start` runs, the CLI writes accounts,
 * reviewers and console users through this Unix socket (reachable only by users who can open `data/`).
 */
export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'admin.sock');
}

/** Serves `POST <route>` with a JSON body, answered by `handle` (src/cli/admin-commands.ts). */
export async function startAdminSocket(
  dataDir: string,
  handle: (route: string, body: Record<string, unknown>) => Promise<unknown>,
): Promise<() => Promise<void>> {
  const socketPath = adminSocketPath(dataDir);
  if (existsSync(socketPath)) unlinkSync(socketPath);
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (req.method !== 'POST' || typeof body !== 'object' || body === null) throw new Error('expected POST with a JSON object');
      const result = await handle(req.url ?? '', body);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return () => new Promise<void>((resolve) => server.close(() => (existsSync(socketPath) && unlinkSync(socketPath), resolve())));
}

/** Calls a running service's admin socket; undefined when no service listens there. */
export function callAdminSocket(dataDir: string, route: string, body: Record<string, unknown>): Promise<unknown | undefined> {
  const socketPath = adminSocketPath(dataDir);
  if (!existsSync(socketPath)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: route, method: 'POST', headers: { 'content-type': 'application/json' } }, async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (res.statusCode === 201) resolve(answer);
      else reject(new Error(answer.error ?? `admin socket answered ${res.statusCode}`));
    });
    req.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? resolve(undefined) : reject(error)));
    req.end(JSON.stringify(body));
  });
}
