import { existsSync } from 'node:fs';
import { callAdminSocket } from '../admin-socket';
import { type Config, loadConfig } from '../config';
import { connectDatabase, type Db, describeDatabase, pgliteDir } from '../db/connect';
import { migrateToLatest, pendingMigrations } from '../db/migrate';
import { isDatabaseUnavailable } from '../db/unavailable';
import { maskPersonalData } from '../log';
import { runSetup } from './setup';
import { runAdminCommand } from './admin-commands';

const USAGE = `usage:
  npm run cli -- account create --name NAME [--key-name KEY]
                                                prints {"accountId", "apiKey"}; the key's name (default "default")
                                                is the actor the audit trail shows for its changes
  npm run cli -- user create --email EMAIL --name NAME (--account-name ACCOUNT | --account ACCOUNT_ID) [--role owner|member]
                                                a console user: the owner of a new account, or a user of an existing one;
                                                prints {"accountId", "userId", "invitationUrl", ...}: the link where they set a password
  npm run cli -- user invite --email EMAIL      a new invitation link for an existing user (a forgotten password)
  npm run cli -- reviewer create --name NAME [--email EMAIL]
                                                prints {"reviewerId", "apiKey"}; with --email also a console user for the
                                                review desk and its "invitationUrl"
  npm run cli -- migrate                        applies database migrations
  npm run setup                                 migrations, Temporal namespace and search attributes
The CLI reads the service's configuration (DATABASE_URL, DATA_DIR, TEMPORAL_*, CONSOLE_PUBLIC_URL): run it with the same.`;

/** Where the CLI's result went, on stderr so stdout stays one JSON object. */
const tell = (line: string) => console.error(`[certificate-profiles] ${line}`);

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

/**
 * The database the service uses, for writing keys into: it must exist and be migrated, so a CLI run
 * with another configuration than the service's fails instead of creating a database of its own whose
 * keys the service would reject.
 */
async function openServiceDatabase(config: Config): Promise<Db> {
  const where = describeDatabase(config);
  if (!config.databaseUrl && !existsSync(pgliteDir(config.dataDir))) {
    throw new Error(
      `no database at ${pgliteDir(config.dataDir)}: the service has not run with DATA_DIR=${config.dataDir}. ` +
        "Run the CLI with the service's DATA_DIR (or its DATABASE_URL), or start the service first (npm start).",
    );
  }
  const db = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const pending = await pendingMigrations(db);
    if (pending.length) throw new Error(`${where} is not set up (${pending.length} migrations pending): run npm run setup with the service's configuration`);
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function main(args: string[]): Promise<void> {
  const config = loadConfig();
  const [resource, verb] = args;
  if (resource === 'setup') {
    const report = await runSetup(config);
    console.log(JSON.stringify(report));
    return;
  }
  if (resource === 'migrate') {
    const db = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      console.log(JSON.stringify({ applied: await migrateToLatest(db) }));
      tell(`database: ${describeDatabase(config)}`);
    } finally {
      await db.destroy();
    }
    return;
  }
  const command = `${resource} ${verb}`;
  const routes: Record<string, string> = {
    'account create': '/accounts',
    'reviewer create': '/reviewers',
    'user create': '/users',
    'user invite': '/invitations',
  };
  const route = routes[command];
  if (!route) throw new Error(USAGE);
  const body = {
    name: option(args, '--name'),
    keyName: option(args, '--key-name'),
    email: option(args, '--email'),
    accountName: option(args, '--account-name'),
    accountId: option(args, '--account'),
    role: option(args, '--role'),
  };

  // Embedded PGlite is owned by the running service: ask it; otherwise write to the database directly.
  if (!config.databaseUrl) {
    const viaService = await callAdminSocket(config.dataDir, route, body);
    if (viaService) {
      console.log(JSON.stringify(viaService));
      return tell(`wrote to ${describeDatabase(config)}, through the running service`);
    }
  }
  const db = await openServiceDatabase(config);
  try {
    console.log(JSON.stringify(await runAdminCommand(db, config.console, route, body)));
    tell(`wrote to ${describeDatabase(config)}`);
  } finally {
    await db.destroy();
  }
}

// Like the service's (src/service.ts): what it writes into the embedded database is its user's only.
process.umask(0o077);
main(process.argv.slice(2)).catch((error) => {
  // The CLI talks to a person: its failure is a line on stderr (masked like the service's log), not a JSON log line.
  const message = error instanceof Error ? error.message : String(error);
  // pg says "connect ECONNREFUSED 127.0.0.1:5499" and no more: say it was the database, and where that is set.
  console.error(maskPersonalData(isDatabaseUnavailable(error) ? `the database cannot be reached (DATABASE_URL): ${message}` : message));
  process.exit(1);
});
