import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An ISO time `ms` milliseconds from now: the durations workflow-level tests give as state. */
export const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

/**
 * A Temporal client on the run's dev server (test/global-setup.ts), connected before this file's tests
 * and closed after them; the returned function gives it inside a test.
 */
export function clientForThisFile(): () => Client {
  let connection: Connection | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    connection = await Connection.connect({ address: process.env.TEST_TEMPORAL_ADDRESS! });
    client = new Client({ connection });
  });
  afterAll(async () => connection?.close());
  return () => client!;
}
