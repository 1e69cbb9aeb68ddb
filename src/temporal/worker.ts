import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createDomainActivities } from '../../activities/domains';
import { createPerspectiveActivities } from '../../activities/perspective';
import { createProfileActivities } from '../../activities/profiles';
import type { Config } from '../config';
import type { Db } from '../db/connect';
import { dnsWriters } from '../dcv/writers';
import { perspectiveTaskQueue } from '../../workflows/domain-messages';
import { connectionOptions } from './connection';

export interface Workers {
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The service's workers: one for the workflows and their database activities, and one per configured
 * DCV perspective on its own task queue (in production a perspective may run elsewhere with
 * `npm run worker` and DCV_PERSPECTIVES naming only it; then set DCV_LOCAL_PERSPECTIVES=false here).
 * A prebuilt `workflowBundle` (tests) skips the webpack bundling that otherwise runs at start.
 */
export async function createWorkers(config: Config, address: string, db: Db, secretKey: Buffer, extra: Partial<WorkerOptions> = {}): Promise<Workers> {
  const connection = await NativeConnection.connect(connectionOptions(config, address));
  const common = { connection, namespace: config.temporal.namespace };
  const main = await Worker.create({
    ...common,
    taskQueue: config.temporal.taskQueue,
    ...(extra.workflowBundle ? {} : { workflowsPath: require.resolve('../../workflows') }),
    activities: {
      ...createProfileActivities({ db, timings: config.timings }),
      ...createDomainActivities({ db, dcv: config.dcv, writers: dnsWriters(db, config.dcv, secretKey) }),
    },
    ...extra,
  });
  const perspectives = await Promise.all(
    config.dcv.perspectives.map((perspective) =>
      Worker.create({
        ...common,
        taskQueue: perspectiveTaskQueue(config.temporal.taskQueue, perspective.name),
        activities: createPerspectiveActivities({
          perspective,
          caaIssuer: config.dcv.caaIssuer,
          httpPort: config.dcv.httpPort,
          httpsPort: config.dcv.httpsPort,
          allowPrivateAddresses: config.dcv.allowPrivateAddresses,
          timeoutMs: config.dcv.timeoutMs,
        }),
      }),
    ),
  );
  const all = [main, ...perspectives];
  let running: Promise<unknown> | undefined;
  return {
    run() {
      running = Promise.all(all.map((w) => w.run()));
      return running.then(() => undefined);
    },
    async shutdown() {
      for (const worker of all) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
