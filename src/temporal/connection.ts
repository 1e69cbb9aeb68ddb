import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../config';
import { dataConverterOf } from './payload-codec';
import { failFastInterceptor, RECONNECT_BACKOFF_MAX_MS, watchChannel } from './fail-fast';
import { requestIdClientInterceptor } from './request-id';

/** Connection options shared by the client (API) and the worker's native connection. */
export function connectionOptions(config: Config, address: string) {
  return {
    address,
    tls: config.temporal.tls ? {} : undefined,
    apiKey: config.temporal.apiKey,
  };
}

/**
 * `connect()` (a Connection or NativeConnection to `address`), its failure saying it was Temporal at
 * `address` that could not be reached: the SDK's own message ("Failed to connect before the deadline")
 * names neither, and at start-up it reads as the database's.
 */
export async function reachTemporal<T>(address: string, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    throw new Error(`cannot reach Temporal at ${address} (TEMPORAL_ADDRESS): ${(error as Error).message}`, { cause: error });
  }
}

/**
 * One long-lived client per process; `codec` seals what it sends (inputs, summaries) and opens what it
 * reads; every call carries the request id of the HTTP request it serves (a Temporal header).
 */
export async function connectClient(config: Config, address: string, codec: PayloadCodec): Promise<Client> {
  const connection = await reachTemporal(address, () =>
    Connection.connect({ ...connectionOptions(config, address), channelArgs: { 'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF_MAX_MS } }),
  );
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterOf(codec),
    interceptors: { workflow: [failFastInterceptor(watchChannel(connection)), requestIdClientInterceptor] },
  });
}
