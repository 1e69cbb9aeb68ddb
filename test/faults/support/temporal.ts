import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli } from '../../../src/temporal/cli-binary';
import { type DevServer, startDevServer } from '../../../src/temporal/dev-server';
import { freePort } from '../../support/ports';

/** A Temporal dev server of the test's own that it may stop and start again: same port, same SQLite file. */
export interface TemporalServer {
  address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  running(): boolean;
  destroy(): Promise<void>;
}

export async function startTemporalServer(): Promise<TemporalServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cps-faults-temporal-'));
  const cliPath = findTemporalCli(path.resolve(__dirname, '../../..'));
  const port = await freePort();
  const options = { cliPath, dataDir: dir, port, uiPort: 0, namespace: 'default', headless: true };
  let server: DevServer | undefined = await startDevServer(options);
  const temporal: TemporalServer = {
    address: server.address,
    async start() {
      if (!server) server = await startDevServer(options);
    },
    async stop() {
      await server?.stop();
      server = undefined;
    },
    running: () => server !== undefined,
    async destroy() {
      await temporal.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return temporal;
}
