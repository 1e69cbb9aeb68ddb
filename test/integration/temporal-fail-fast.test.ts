import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { payloadCodecOf } from '../../src/temporal/codec-keys';
import { connectClient } from '../../src/temporal/connection';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { isTemporalUnavailable } from '../../src/temporal/update-errors';
import { eventually } from '../support/harness';
import { freePort } from '../support/ports';

/**
 * The API's Temporal client as the service builds it (connectClient), against a real dev server that is
 * stopped and started again on the same port and file: once Temporal has gone, workflow calls fail at
 * once with UNAVAILABLE (not each waiting out its deadline), and once it is back they go through again.
 */
let server: DevServer;
let client: Client;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cps-fail-fast-'));
let port: number;

const startServer = () =>
  startDevServer({ cliPath: process.env.TEST_TEMPORAL_CLI!, dataDir, port, uiPort: 0, namespace: 'default', headless: true, searchAttributes: false });

beforeAll(async () => {
  port = await freePort();
  server = await startServer();
  const address = `127.0.0.1:${port}`;
  client = await connectClient(loadConfig({ TEMPORAL_ADDRESS: address }), address, payloadCodecOf([], randomBytes(32)));
}, 120_000);
let closed = false;
afterAll(async () => {
  if (!closed) await client?.connection.close();
  await server?.stop();
});

/** A signal-with-start of a workflow no worker runs: any workflow call would do. */
const call = () => client.workflow.signalWithStart('noSuchWorkflow', { taskQueue: 'fail-fast', workflowId: 'fail-fast', signal: 'ping', signalArgs: [] });

test('Temporal gone: workflow calls answer UNAVAILABLE without being sent; Temporal back: they go through', async () => {
  await call();
  await server.stop();
  // Not sent: a call that tried would wait out its deadline (the SDK retries UNAVAILABLE until then).
  const refused = await eventually(
    () =>
      client.connection.withDeadline(Date.now() + 5_000, () =>
        call().then(
          () => undefined,
          (error: unknown) => (/not sent/.test(String(error)) ? error : undefined),
        ),
      ),
    30_000,
    'a call refused as not sent',
  );
  expect(isTemporalUnavailable(refused)).toBe(true);
  expect(String(refused)).toMatch(/UNAVAILABLE: the connection to Temporal is failing; not sent/);

  server = await startServer();
  await eventually(
    () =>
      call().then(
        () => true,
        () => undefined,
      ),
    30_000,
    'calls going through again',
  );

  // Closed, the channel stays closed: the watcher does not bring it back (as asking it to connect would).
  await client.connection.close();
  closed = true;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const channel = (client.connection as unknown as { client: { getChannel(): { getConnectivityState(connect: boolean): number } } }).client.getChannel();
  expect(channel.getConnectivityState(false)).toBe(4); // SHUTDOWN
  await expect(call()).rejects.toThrow();
}, 180_000);
