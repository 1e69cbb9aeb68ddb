import type { PayloadCodec } from '@temporalio/common';
import { DefaultLogger, type LogLevel, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createDomainActivities } from '../../activities/domains';
import { createPerspectiveActivities } from '../../activities/perspective';
import { createProfileActivities } from '../../activities/profiles';
import { createWebhookActivities } from '../../activities/webhooks';
import { createEmailActivities } from '../../activities/emails';
import { mailerOf } from '../notify/mailer';
import type { Config } from '../config';
import type { Db } from '../db/connect';
import { dnsWriters } from '../dcv/writers';
import { perspectiveTaskQueue } from '../../workflows/domain-messages';
import { connectionOptions, reachTemporal } from './connection';
import { log, writeTemporalLogEntry } from '../log';
import type { ServiceMetrics } from '../metrics';
import { dataConverterOf } from './payload-codec';
import { workerSlotOptions } from './worker-sizing';
import { requestIdActivityInterceptors } from './request-id';
import { workflowBundle } from './workflow-bundle';

/** The core's own lines: as configured when more detail is asked for, otherwise its warnings and errors only. */
const coreLevel = (level: LogLevel): LogLevel => (level === 'TRACE' || level === 'DEBUG' ? level : 'WARN');

/**
 * Once per process, before any worker connects: the SDK's log (the core's own lines forwarded) written
 * as the service's JSON lines at LOG_LEVEL; with TEMPORAL_METRICS_LISTEN, the SDK's worker and client
 * metrics (`temporal_*`: task slots, pollers, latencies, sticky cache, failures) served for Prometheus
 * by its runtime on that address, at `/metrics`.
 */
export function installTemporalRuntime(config: Pick<Config, 'logLevel' | 'metrics'>): void {
  const listen = config.metrics.temporalListen;
  Runtime.install({
    logger: new DefaultLogger(config.logLevel, writeTemporalLogEntry),
    telemetryOptions: {
      logging: { filter: { core: coreLevel(config.logLevel), other: 'ERROR' }, forward: {} },
      ...(listen ? { metrics: { prometheus: { bindAddress: `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}` } } } : {}),
    },
  });
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
 * no crypto). The workflow code comes bundled (`workflowBundle`: cached on disk while the code is
 * unchanged), or as `extra.workflowBundle` (tests).
 */
export async function createWorkers(
  config: Config,
  address: string,
  db: Db,
  secretKey: Buffer,
  codec: PayloadCodec,
  extra: Partial<WorkerOptions> = {},
  metrics?: ServiceMetrics,
): Promise<Workers> {
  const connection = await reachTemporal(address, () => NativeConnection.connect(connectionOptions(config, address)));
  const main = await Worker.create({
    interceptors: { activity: [requestIdActivityInterceptors] },
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...workerSlotOptions(config.worker),
    dataConverter: dataConverterOf(codec),
    workflowBundle: extra.workflowBundle ?? (await workflowBundle()),
    activities: {
      ...createProfileActivities({ db, timings: config.timings }),
      ...createDomainActivities({ db, dcv: config.dcv, writers: dnsWriters(db, config.dcv, secretKey), metrics }),
      ...createWebhookActivities({ db, notify: config.notify, dcv: config.dcv, secretKey, metrics }),
      ...createEmailActivities({ db, mailer: mailerOf(config.notify.email, (line) => log.info(line)), metrics }),
    },
    ...extra,
  });
  return runTogether(connection, [main, ...(await perspectiveWorkers(config, connection, codec, metrics))]);
}

/** Only the perspectives: no database, no workflows; for a worker in another region (it still needs the codec's keys). */
export async function createPerspectiveWorkers(config: Config, address: string, codec: PayloadCodec, metrics?: ServiceMetrics): Promise<Workers> {
  const connection = await reachTemporal(address, () => NativeConnection.connect(connectionOptions(config, address)));
  return runTogether(connection, await perspectiveWorkers(config, connection, codec, metrics));
}

function perspectiveWorkers(config: Config, connection: NativeConnection, codec: PayloadCodec, metrics?: ServiceMetrics): Promise<Worker[]> {
  return Promise.all(
    config.dcv.perspectives.map((perspective) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: dataConverterOf(codec),
        interceptors: { activity: [requestIdActivityInterceptors] },
        taskQueue: perspectiveTaskQueue(config.temporal.taskQueue, perspective.name),
        activities: createPerspectiveActivities({ ...config.dcv, perspective, metrics }),
      }),
    ),
  );
}

function runTogether(connection: NativeConnection, workers: Worker[]): Workers {
  let settled: Promise<unknown> | undefined;
  return {
    /** Rejects as soon as one worker fails (the service then stops, src/service.ts). */
    run() {
      const runs = workers.map((w) => w.run());
      settled = Promise.allSettled(runs);
      return Promise.all(runs).then(() => undefined);
    },
    /** Every worker drained (also when another failed), then the connection closed. */
    async shutdown() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await settled;
      await connection.close();
    },
  };
}
