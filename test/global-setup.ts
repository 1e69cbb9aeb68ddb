import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli } from '../src/temporal/cli-binary';
import { startDevServer } from '../src/temporal/dev-server';
import { workflowBundle } from '../src/temporal/workflow-bundle';
import { freePort } from './support/ports';

/**
 * One real Temporal dev server and one workflow bundle for the whole run; test files share them
 * through the environment and isolate themselves with their own task queue and database.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cps-test-'));
  const cliPath = findTemporalCli(path.resolve(__dirname, '..'));
  const server = await startDevServer({
    cliPath,
    dataDir: path.join(dir, 'temporal'),
    port: await freePort(),
    uiPort: 0,
    namespace: 'default',
    headless: true,
  });
  (globalThis as { __temporal?: { stop(): Promise<void> } }).__temporal = server;
  const { code } = await workflowBundle({ logger: quietLogger });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_TEMPORAL_CLI = cliPath;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_DIR = dir;
}

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
