import { loadConfig } from './config';
import { payloadCodecOf } from './temporal/codec-keys';
import { createPerspectiveWorkers, installTemporalLogging } from './temporal/worker';
import { log } from './log';

/**
 * A DCV perspective in its own process, for another region or network: it needs only Temporal
 * (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE of the service), its resolvers (DCV_PERSPECTIVES) and the
 * payload codec's keys (TEMPORAL_CODEC_KEYS, or the service's SECRET_KEY they are derived from).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  installTemporalLogging(config.logLevel);
  if (!config.temporal.address) throw new Error("TEMPORAL_ADDRESS is required: a perspective joins the service's Temporal cluster");
  const workers = await createPerspectiveWorkers(config, config.temporal.address, payloadCodecOf(config.temporal.codecKeys, config.secretKey));
  const running = workers.run();
  log.info(`[certificate-profiles] perspectives ${config.dcv.perspectives.map((p) => p.name).join(', ')} polling ${config.temporal.address}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void workers.shutdown().then(() => process.exit(0)));
  await running;
}

main().catch((error) => {
  log.error(`[certificate-profiles] perspective failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
