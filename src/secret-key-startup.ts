/**
 * When an api or worker process checks its SECRET_KEY against the database's record (src/db/secret-key-check.ts):
 * at start, and, when the database was away or not set up then, every few seconds until it can.
 */
import type { Db } from './db/connect';
import { checkSecretKey, SecretKeyMismatch } from './db/secret-key-check';
import { log } from './log';

/** Ends the process saying why (src/service.ts), with what to do about it. */
export type StopFailed = (why: string, error?: unknown, advice?: string) => void;

/** Says that this process recorded the key (the database's first), or `agreed` when given. */
function tellChecked(outcome: 'recorded' | 'agrees', agreed?: string): void {
  if (outcome === 'recorded') log.info('SECRET_KEY recorded in the database: every other api and worker process must have the same');
  else if (agreed) log.info(agreed);
}

/** How often a process that started before its database was reachable and set up tries the SECRET_KEY check again. */
const SECRET_KEY_CHECK_RETRY_MS = 5_000;

const MISMATCH_ADVICE = 'set the right key, then start the service again';

/**
 * `checkSecretKey` at start: true when it agrees (or recorded the key); a key that differs throws (the
 * process does not start); any other failure (the database went away since the probe) is said and false.
 */
export async function secretKeyAgrees(db: Db, secretKey: Buffer): Promise<boolean> {
  try {
    const outcome = await checkSecretKey(db, secretKey);
    tellChecked(outcome);
    return true;
  } catch (error) {
    if (error instanceof SecretKeyMismatch) throw error;
    // The retries say so if it lasts.
    log.debug({ err: error }, 'SECRET_KEY not checked at start');
    return false;
  }
}

/**
 * `checkSecretKey` every few seconds until the database answers and has the check's table, then `checked`
 * (which registers the stop functions of what it started); a key that differs, or a failure of `checked`,
 * stops the process (`stopFailed`, the service's). The first failure of another kind is logged once. Returns the stop function: it ends the
 * retries, waits for an attempt under way and then stops what `checked` started, last registered first.
 */
export function checkSecretKeyOnceSetUp(
  db: Db,
  secretKey: Buffer,
  stopFailed: StopFailed,
  checked: (register: (...stop: Array<() => Promise<void>>) => void) => Promise<void>,
): () => Promise<void> {
  let stopped = false;
  let told = false;
  let timer: NodeJS.Timeout | undefined;
  let underWay: Promise<void> = Promise.resolve();
  const started: Array<() => Promise<void>> = [];
  const attempt = () => {
    underWay = checkSecretKey(db, secretKey).then(
      async (outcome) => {
        if (stopped) return;
        tellChecked(outcome, 'SECRET_KEY checked');
        await checked((...stop) => started.push(...stop)).catch((error: unknown) =>
          stopFailed(`the worker failed to start: ${error instanceof Error ? error.message : error}`, error),
        );
      },
      (error: unknown) => {
        if (stopped) return;
        if (error instanceof SecretKeyMismatch) return stopFailed(error.message, undefined, MISMATCH_ADVICE);
        if (!told)
          log.warn(`SECRET_KEY not checked yet (${error instanceof Error ? error.message : error}); requests answer 503 and the worker waits until it is`);
        told = true;
        timer = setTimeout(attempt, SECRET_KEY_CHECK_RETRY_MS);
      },
    );
  };
  timer = setTimeout(attempt, SECRET_KEY_CHECK_RETRY_MS);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await underWay;
    for (const stop of started.reverse()) await stop().catch((error) => log.warn({ err: error }, 'shutdown step failed'));
  };
}
