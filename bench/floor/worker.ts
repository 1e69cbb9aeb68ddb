/**
 * The worker of `dcv_rate`'s Temporal floor, in its own process like `npm run worker`, configured from
 * the same environment: the same sizing (src/temporal/worker-sizing.ts) and payload codec, one worker per perspective
 * on its own task queue, but with the floor workflow (bench/floor/workflows.ts) and activities that do
 * nothing. Prints "floor worker ready" once it polls.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import type { PerspectiveActivities } from '../../activities/perspective';
import { loadConfig } from '../../src/config';
import { payloadCodecOf } from '../../src/temporal/codec-keys';
import { connectionOptions } from '../../src/temporal/connection';
import { dataConverterOf } from '../../src/temporal/payload-codec';
import { installTemporalRuntime } from '../../src/temporal/worker';
import { workerSlotOptions } from '../../src/temporal/worker-sizing';
import { perspectiveTaskQueue } from '../../workflows/domain-messages';

async function main(): Promise<void> {
  const config = loadConfig();
  installTemporalRuntime(config);
  const connection = await NativeConnection.connect(connectionOptions(config, config.temporal.address!));
  const nothing: PerspectiveActivities = { checkDomain: async () => [] };
  // The service's payload codec, as `npm run worker` has it: the floor pays the same encryption.
  const dataConverter = dataConverterOf(payloadCodecOf(config.temporal.codecKeys, config.secretKey));
  const workers = [
    await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...workerSlotOptions(config.worker),
      dataConverter,
      workflowsPath: require.resolve('./workflows'),
    }),
    ...(await Promise.all(
      config.dcv.perspectives.map((perspective) =>
        Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue: perspectiveTaskQueue(config.temporal.taskQueue, perspective.name),
          dataConverter,
          activities: nothing,
        }),
      ),
    )),
  ];
  const running = Promise.all(workers.map((worker) => worker.run()));
  console.log('floor worker ready');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.forEach((worker) => worker.shutdown()));
  await running;
  await connection.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
