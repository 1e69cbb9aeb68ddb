import path from 'node:path';
import { type Duration, parseDuration } from './domain/duration';

/** Lifecycle durations: production defaults, seconds in tests. Passed to activities, never read inside workflows. */
export interface Timings {
  reviewSla: Duration;
  reviewReminderInterval: Duration;
  /** Overrides the Baseline Requirements identity reuse schedule when set. */
  identityReusePeriod?: Duration;
  expiringWindow: Duration;
}

export interface Config {
  port: number;
  dataDir: string;
  databaseUrl?: string;
  temporal: {
    /** Unset: the service launches `temporal server start-dev` itself. */
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls: boolean;
    cliPath?: string;
    devPort: number;
    uiPort: number;
  };
  timings: Timings;
  reconcileInterval: Duration;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: string): Duration {
  try {
    return parseDuration(env[name] ?? fallback);
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name}: "${env[name]}" is not a port number`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const reviewSla = duration(env, 'REVIEW_SLA', '1bd');
  return {
    port: port(env, 'PORT', 3000),
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    temporal: {
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'certificate-profiles',
      apiKey: env.TEMPORAL_API_KEY || undefined,
      tls: env.TEMPORAL_TLS === 'true' || Boolean(env.TEMPORAL_API_KEY),
      cliPath: env.TEMPORAL_CLI_PATH || undefined,
      devPort: port(env, 'TEMPORAL_DEV_PORT', 7233),
      uiPort: port(env, 'TEMPORAL_UI_PORT', 8233),
    },
    timings: {
      reviewSla,
      reviewReminderInterval: duration(env, 'REVIEW_REMINDER_INTERVAL', '4h'),
      identityReusePeriod: env.IDENTITY_REUSE_PERIOD ? duration(env, 'IDENTITY_REUSE_PERIOD', '') : undefined,
      expiringWindow: duration(env, 'EXPIRING_WINDOW', '30d'),
    },
    reconcileInterval: duration(env, 'RECONCILE_INTERVAL', '1m'),
  };
}
