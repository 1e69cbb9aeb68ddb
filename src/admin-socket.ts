import { existsSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Db } from './db/connect';
import { createAccount, createReviewer } from './db/principals';

/**
 * The embedded PGlite database belongs to one process, so while `npm start` runs, the CLI creates
 * accounts and reviewer keys through this Unix socket (reachable only by users who can open `data/`).
 */
export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'admin.sock');
}

export async function startAdminSocket(db: Db, dataDir: string): Promise<() => Promise<void>> {
  const socketPath = adminSocketPath(dataDir);
  if (existsSync(socketPath)) unlinkSync(socketPath);
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { name, keyName } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (req.method !== 'POST' || typeof name !== 'string' || !name.trim()) throw new Error('expected POST with {"name": "..."}');
      const result =
        req.url === '/accounts'
          ? await createAccount(db, name.trim(), typeof keyName === 'string' && keyName.trim() ? keyName.trim() : undefined)
          : req.url === '/reviewers'
            ? await createReviewer(db, name.trim())
            : undefined;
      if (!result) throw new Error(`unknown admin path ${req.url}`);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return () => new Promise<void>((resolve) => server.close(() => (existsSync(socketPath) && unlinkSync(socketPath), resolve())));
}

/** Calls a running service's admin socket; undefined when no service listens there. */
export function callAdminSocket(dataDir: string, route: '/accounts' | '/reviewers', name: string, keyName?: string): Promise<unknown | undefined> {
  const socketPath = adminSocketPath(dataDir);
  if (!existsSync(socketPath)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: route, method: 'POST', headers: { 'content-type': 'application/json' } }, async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (res.statusCode === 201) resolve(body);
      else reject(new Error(body.error ?? `admin socket answered ${res.statusCode}`));
    });
    req.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? resolve(undefined) : reject(error)));
    req.end(JSON.stringify({ name, keyName }));
  });
}
