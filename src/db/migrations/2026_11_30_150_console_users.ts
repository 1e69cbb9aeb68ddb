import { type Kysely, sql } from 'kysely';

// Frozen in time: migrations never import application code.
const TIMESTAMP = sql`timestamptz(3)`;

/**
 * The web console's people (issue 10). A user signs in with an email address and a password (argon2id,
 * PHC string) and is either a customer account's `owner` or `member`, or a CA `reviewer` (the reviewer
 * row is the person the review history names). A user has no password until they accept an invitation:
 * invitations are single-use links (only the token's sha256 is kept). Sessions are server-side: the
 * cookie carries a random id, the table its sha256, so a copy of the table opens no session. Failed
 * sign-ins are counted per email and per client address in fixed windows (the login rate limit), here so
 * every API replica sees the same counts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    // The mailbox compared case-insensitively: one user per mailbox across the service.
    .addColumn('email_key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'member', 'reviewer')`))
    .addColumn('account_id', 'uuid', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('reviewer_id', 'uuid', (c) => c.references('reviewers.id').onDelete('cascade'))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('users_owner', sql`(role = 'reviewer') = (reviewer_id is not null) and (role <> 'reviewer') = (account_id is not null)`)
    .execute();
  await db.schema.createIndex('users_account').on('users').column('account_id').execute();
  await db.schema.createIndex('users_reviewer').on('users').column('reviewer_id').execute();

  await db.schema
    .createTable('user_invitations')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', TIMESTAMP, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_invitations_user').on('user_invitations').column('user_id').execute();

  await db.schema
    .createTable('console_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    // The idle expiry, pushed forward while the session is used; never past created_at + the absolute lifetime.
    .addColumn('expires_at', TIMESTAMP, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_user').on('console_sessions').column('user_id').execute();
  await db.schema.createIndex('console_sessions_expiry').on('console_sessions').column('expires_at').execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_started_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['login_failures', 'console_sessions', 'user_invitations', 'users']) await db.schema.dropTable(table).execute();
}
