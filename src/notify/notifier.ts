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

/** While a pass keeps failing (PostgreSQL down), one reminder line this often instead of a stack per pass. */
const STILL_FAILING_EVERY_MS = 60_000;

/**
 * Runs `task` now and then every `intervalMs` (read from `interval()` before each wait, so a test can
 * move it) until stopped; a pass never overlaps the previous one, and a failed pass is retried at the
 * next one; what a pass did is logged at info (debug when `quiet`: the frequent passes). The first failure
 * is logged (warn) with its error; while the failures go on, one line a minute says so; the first pass
 * that succeeds again says how long it took (info).
 * Returns a stop function that waits for the pass in progress.
 */
export function repeat(name: string, interval: () => number, task: Task, log: pino.Logger, quiet = false): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let failing: { since: number; passes: number; told: number; message: string } | undefined;
  const failed = (error: unknown) => {
    const now = Date.now();
    const message = String((error as Error)?.message ?? error);
    // A new failure, or another error than the one the run of failures began with (an outage turned into a bug): in full.
    if (!failing || message !== failing.message) {
      failing = { since: failing?.since ?? now, passes: (failing?.passes ?? 0) + 1, told: now, message };
      return log.warn({ pass: name, err: error }, `${name} failed; the next pass retries`);
    }
    failing.passes++;
    if (now - failing.told < STILL_FAILING_EVERY_MS) return;
    failing.told = now;
    log.warn(
      { pass: name, failedPasses: failing.passes },
      `${name} still failing for ${Math.round((now - failing.since) / 1000)} s: ${(error as Error)?.message}`,
    );
  };
  const succeeded = () => {
    if (!failing) return;
    log.info({ pass: name, failedPasses: failing.passes }, `${name} recovered after ${Math.round((Date.now() - failing.since) / 1000)} s`);
    failing = undefined;
  };
  const pass = () => {
    running = task()
      .then((count) => (succeeded(), count > 0 && log[quiet ? 'debug' : 'info']({ pass: name, count }, `${name}: ${count}`)))
      .catch(failed)
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
