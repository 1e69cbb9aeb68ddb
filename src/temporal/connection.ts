import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

/** Connection options shared by the client (API) and the worker's native connection. */
export function connectionOptions(config: Config, address: string) {
  return {
    address,
    tls: config.temporal.tls ? {} : undefined,
    apiKey: config.temporal.apiKey,
  };
}

/** One long-lived client per process. */
export async function connectClient(config: Config, address: string): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config, address));
  return new Client({ connection, namespace: config.temporal.namespace });
}
