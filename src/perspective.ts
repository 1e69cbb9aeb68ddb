import { loadConfig } from './config';
import { createPerspectiveWorkers, installTemporalLogging } from './temporal/worker';

/**
 * A DCV perspective in its own process, for another region or network: it needs only Temporal
 * (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE of the service) and its resolvers (DCV_PERSPECTIVES).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  installTemporalLogging(config.logLevel);
  if (!config.temporal.address) throw new Error("TEMPORAL_ADDRESS is required: a perspective joins the service's Temporal cluster");
  const workers = await createPerspectiveWorkers(config, config.temporal.address);
  const running = workers.run();
  console.log(`[certificate-profiles] perspectives ${config.dcv.perspectives.map((p) => p.name).join(', ')} polling ${config.temporal.address}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void workers.shutdown().then(() => process.exit(0)));
  await running;
}

main().catch((error) => {
  console.error(`[certificate-profiles] perspective failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
