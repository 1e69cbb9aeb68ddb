import { loadConfig } from './config';
import { payloadCodecOf } from './temporal/codec-keys';
import { createPerspectiveWorkers, installTemporalRuntime } from './temporal/worker';
import { log, setLogLevel, startupLog } from './log';
import { createMetrics, serveMetrics } from './metrics';

/**
 * A DCV perspective in its own process, for another region or network: it needs only Temporal
 * (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE of the service), its resolvers (DCV_PERSPECTIVES) and the
 * payload codec's keys (TEMPORAL_CODEC_KEYS, or the service's SECRET_KEY they are derived from).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  installTemporalRuntime(config);
  if (!config.temporal.address) throw new Error("TEMPORAL_ADDRESS is required: a perspective joins the service's Temporal cluster");
  const metrics = createMetrics({ processMetrics: true });
  const workers = await createPerspectiveWorkers(config, config.temporal.address, payloadCodecOf(config.temporal.codecKeys, config.secretKey), metrics);
  const running = workers.run();
  if (config.metrics.listen) {
    const endpoint = await serveMetrics(metrics.registry, config.metrics.listen);
    startupLog.info(`Metrics:     http://${config.metrics.listen.host}:${endpoint.port}/metrics`);
  }
  startupLog.info(`perspectives ${config.dcv.perspectives.map((p) => p.name).join(', ')} polling ${config.temporal.address}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void workers.shutdown().then(() => process.exit(0)));
  await running;
}

main().catch((error) => {
  log.error(`perspective failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
