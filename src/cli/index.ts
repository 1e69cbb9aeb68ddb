import { callAdminSocket } from '../admin-socket';
import { loadConfig } from '../config';
import { connectDatabase } from '../db/connect';
import { migrateToLatest } from '../db/migrate';
import { createAccount, createReviewer } from '../db/principals';
import { log } from '../log';

const USAGE = `usage:
  npm run cli -- account create --name NAME [--key-name KEY]
                                                prints {"accountId", "apiKey"}; the key's name (default "default")
                                                is the actor the audit trail shows for its changes
  npm run cli -- reviewer create --name NAME    prints {"reviewerId", "apiKey"}
  npm run cli -- migrate                        applies database migrations`;

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index >= 0) return args[index + 1];
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
}

async function main(args: string[]): Promise<void> {
  const config = loadConfig();
  const [resource, verb] = args;
  if (resource === 'migrate') {
    const db = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      console.log(JSON.stringify({ applied: await migrateToLatest(db) }));
    } finally {
      await db.destroy();
    }
    return;
  }
  if ((resource !== 'account' && resource !== 'reviewer') || verb !== 'create') throw new Error(USAGE);
  const name = option(args, '--name')?.trim();
  if (!name) throw new Error(`--name is required\n${USAGE}`);
  const keyName = option(args, '--key-name')?.trim() || undefined;

  // Embedded PGlite is owned by the running service: ask it; otherwise write to the database directly.
  if (!config.databaseUrl) {
    const viaService = await callAdminSocket(config.dataDir, resource === 'account' ? '/accounts' : '/reviewers', name, keyName);
    if (viaService) return void console.log(JSON.stringify(viaService));
  }
  const db = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(db);
    console.log(JSON.stringify(resource === 'account' ? await createAccount(db, name, keyName) : await createReviewer(db, name)));
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).catch((error) => {
  log.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
