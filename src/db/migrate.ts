import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as profiles from './migrations/2026_11_28_001_profiles';
import * as domains from './migrations/2026_11_28_002_domains';
import * as updateKeys from './migrations/2026_11_28_003_update_keys';
import * as domainAttention from './migrations/2026_11_29_004_domain_attention';
import * as eventOperations from './migrations/2026_11_29_010_event_operations';
import * as updateAnswers from './migrations/2026_11_29_011_update_answers';
import * as accountIndexes from './migrations/2026_11_29_012_account_indexes';
import * as reviewHistory from './migrations/2026_11_30_020_review_history';
import * as apiKeyNames from './migrations/2026_11_30_021_api_key_names';
import * as accountEvents from './migrations/2026_11_30_100_account_events';
import * as webhooks from './migrations/2026_11_30_101_webhooks';
import * as webhookDeliveries from './migrations/2026_11_30_102_webhook_deliveries';
import * as emails from './migrations/2026_11_30_103_emails';
import * as consoleUsers from './migrations/2026_11_30_150_console_users';
import * as apiKeyRevocation from './migrations/2026_11_30_151_api_key_revocation';
import * as reviewDesk from './migrations/2026_11_30_152_review_desk';
import * as operatorCounts from './migrations/2026_11_30_200_operator_counts';
import * as removedUsers from './migrations/2026_11_30_270_removed_users';
import * as idempotencyKeyLifetime from './migrations/2026_12_01_300_idempotency_key_lifetime';
import * as secretKeyCheck from './migrations/2026_12_02_100_secret_key_check';

/** Statically imported, so migrations work under jest, tsx and bundlers alike (no dynamic import of a folder). */
const MIGRATIONS: Record<string, Migration> = {
  '2026_11_28_001_profiles': profiles,
  '2026_11_28_002_domains': domains,
  '2026_11_28_003_update_keys': updateKeys,
  '2026_11_29_004_domain_attention': domainAttention,
  '2026_11_29_010_event_operations': eventOperations,
  '2026_11_29_011_update_answers': updateAnswers,
  '2026_11_29_012_account_indexes': accountIndexes,
  '2026_11_30_020_review_history': reviewHistory,
  '2026_11_30_021_api_key_names': apiKeyNames,
  '2026_11_30_100_account_events': accountEvents,
  '2026_11_30_101_webhooks': webhooks,
  '2026_11_30_102_webhook_deliveries': webhookDeliveries,
  '2026_11_30_103_emails': emails,
  '2026_11_30_150_console_users': consoleUsers,
  '2026_11_30_151_api_key_revocation': apiKeyRevocation,
  '2026_11_30_152_review_desk': reviewDesk,
  '2026_11_30_200_operator_counts': operatorCounts,
  '2026_11_30_270_removed_users': removedUsers,
  '2026_12_01_300_idempotency_key_lifetime': idempotencyKeyLifetime,
  '2026_12_02_100_secret_key_check': secretKeyCheck,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Applies pending migrations; Kysely takes a database lock, so concurrent starters are safe. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations not yet applied, oldest first (all of them on an empty database). Reads only. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrations = await new Migrator({ db, provider }).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
