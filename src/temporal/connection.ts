import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Config } from '../config';
import { dataConverterOf } from './payload-codec';
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
 * One long-lived client per process; `codec` seals what it sends (inputs, summaries) and opens what it
 * reads; every call carries the request id of the HTTP request it serves (a Temporal header).
 */
export async function connectClient(config: Config, address: string, codec: PayloadCodec): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config, address));
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterOf(codec),
    interceptors: { workflow: [requestIdClientInterceptor] },
  });
}
