import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createProfileActivities } from '../../activities/profiles';
import type { Config } from '../config';
import type { Db } from '../db/connect';
import { connectionOptions } from './connection';

/**
 * The worker of the profile workflows. `workflowBundle` (prebuilt, tests) skips the webpack bundling
 * that otherwise runs at start.
 */
export async function createWorker(config: Config, address: string, db: Db, extra: Partial<WorkerOptions> = {}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect(connectionOptions(config, address));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(extra.workflowBundle ? {} : { workflowsPath: require.resolve('../../workflows') }),
    activities: createProfileActivities({ db, timings: config.timings }),
    ...extra,
  });
  return { worker, connection };
}
