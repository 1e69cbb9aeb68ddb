import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createDomainActivities } from '../../activities/domains';
import { createPerspectiveActivities } from '../../activities/perspective';
import { createProfileActivities } from '../../activities/profiles';
import { createWebhookActivities } from '../../activities/webhooks';
import { createEmailActivities } from '../../activities/emails';
import { mailerOf } from '../notify/mailer';
import { log } from '../log';
import type { Config, LogLevel } from '../config';
import type { Db } from '../db/connect';
import { dnsWriters } from '../dcv/writers';
import { perspectiveTaskQueue } from '../../workflows/domain-messages';
import { connectionOptions } from './connection';
import { maskedTemporalLogLine } from '../log';
import { dataConverterOf } from './payload-codec';

/** Once per process, before any worker connects: the SDK's own log at the configured threshold, emails and phone numbers masked. */
export function installTemporalLogging(level: LogLevel): void {
  Runtime.install({ logger: new DefaultLogger(level, maskedTemporalLogLine) });
}

export interface Workers {
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The service's workers: one for the workflows and their database activities, and one per DCV
 * perspective configured here (DCV_PERSPECTIVES), each on its own task queue with its own resolvers.
 * Perspectives in other regions run `npm run perspective` there and are named in DCV_REMOTE_PERSPECTIVES.
 * Every worker opens and seals payloads with `codec` (outside the workflow sandbox, so the bundle needs
 * no crypto). A prebuilt `workflowBundle` (tests) skips the webpack bundling that otherwise runs at start.
 */
export async function createWorkers(
  config: Config,
  address: string,
  db: Db,
  secretKey: Buffer,
  codec: PayloadCodec,
  extra: Partial<WorkerOptions> = {},
): Promise<Workers> {
  const connection = await NativeConnection.connect(connectionOptions(config, address));
  const main = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: config.worker.workflowTaskSlots,
    maxConcurrentActivityTaskExecutions: config.worker.activityTaskSlots,
    dataConverter: dataConverterOf(codec),
    ...(extra.workflowBundle ? {} : { workflowsPath: require.resolve('../../workflows') }),
    activities: {
      ...createProfileActivities({ db, timings: config.timings }),
      ...createDomainActivities({ db, dcv: config.dcv, writers: dnsWriters(db, config.dcv, secretKey) }),
      ...createWebhookActivities({ db, notify: config.notify, dcv: config.dcv, secretKey }),
      ...createEmailActivities({ db, mailer: mailerOf(config.notify.email, (line) => log.info(`[certificate-profiles] ${line}`)) }),
    },
    ...extra,
  });
  return runTogether(connection, [main, ...(await perspectiveWorkers(config, connection, codec))]);
}

/** Only the perspectives: no database, no workflows; for a worker in another region (it still needs the codec's keys). */
export async function createPerspectiveWorkers(config: Config, address: string, codec: PayloadCodec): Promise<Workers> {
  const connection = await NativeConnection.connect(connectionOptions(config, address));
  return runTogether(connection, await perspectiveWorkers(config, connection, codec));
}

function perspectiveWorkers(config: Config, connection: NativeConnection, codec: PayloadCodec): Promise<Worker[]> {
  return Promise.all(
    config.dcv.perspectives.map((perspective) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: dataConverterOf(codec),
        taskQueue: perspectiveTaskQueue(config.temporal.taskQueue, perspective.name),
        activities: createPerspectiveActivities({
          perspective,
          caaIssuer: config.dcv.caaIssuer,
          httpPort: config.dcv.httpPort,
          httpsPort: config.dcv.httpsPort,
          addressAllowance: config.dcv.addressAllowance,
          timeoutMs: config.dcv.timeoutMs,
        }),
      }),
    ),
  );
}

function runTogether(connection: NativeConnection, workers: Worker[]): Workers {
  let running: Promise<unknown> | undefined;
  return {
    run() {
      running = Promise.all(workers.map((w) => w.run()));
      return running.then(() => undefined);
    },
    async shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
