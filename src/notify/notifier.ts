import type pino from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/connect';
import type { EmailWorkflows } from '../temporal/email-client';
import type { WebhookWorkflows } from '../temporal/webhook-client';
import { dispatchWebhooks } from './dispatch';
import { dispatchEmails } from './email-dispatch';
import { recordExpiryNotices } from './expiry-notices';
import { log as serviceLog } from '../log';

type Task = () => Promise<number>;

/**
 * Runs `task` now and then every `intervalMs` (read from `interval()` before each wait, so a test can
 * move it) until stopped; a pass never overlaps the previous one, and a failed pass is logged (warn) and
 * retried at the next one; what a pass did is logged at info (debug when `quiet`: the frequent passes).
 * Returns a stop function that waits for the pass in progress.
 */
export function repeat(name: string, interval: () => number, task: Task, log: pino.Logger, quiet = false): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const pass = () => {
    running = task()
      .then((count) => count > 0 && log[quiet ? 'debug' : 'info']({ pass: name, count }, `${name}: ${count}`))
      .catch((error) => log.warn({ pass: name, err: error }, `${name} failed; the next pass retries`))
      .finally(() => {
        if (!stopped) timer = setTimeout(pass, interval());
      });
  };
  pass();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

/** The clients the notifier starts and wakes workflows with. */
export interface NotifierClients {
  webhooks: WebhookWorkflows;
  emails: EmailWorkflows;
}

/**
 * The worker's notification passes: new events handed to the webhooks' delivery workflows and composed
 * into emails (WEBHOOK_DISPATCH_INTERVAL), and expiry notices that are due (NOTICE_INTERVAL). Each is safe
 * to run in several workers at once.
 */
export function startNotifier(deps: { db: Db; config: Config } & NotifierClients, log: pino.Logger = serviceLog): () => Promise<void> {
  const { db, config } = deps;
  const ms = (d: { ms?: number }) => d.ms ?? 60_000;
  const stops = [
    repeat(
      'webhook dispatch',
      () => ms(config.notify.dispatchInterval),
      () => dispatchWebhooks(db, deps.webhooks),
      log,
      true,
    ),
    repeat(
      'email dispatch',
      () => ms(config.notify.dispatchInterval),
      () => dispatchEmails(db, config.dcv, config.notify.email, deps.emails),
      log,
      true,
    ),
    repeat(
      'expiry notices written',
      () => ms(config.notify.noticeInterval),
      () =>
        recordExpiryNotices(db, {
          points: config.notify.expiryNotices,
          expiringWindow: config.timings.expiringWindow,
          revalidateBefore: config.dcv.revalidateBefore,
        }),
      log,
    ),
  ];
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
