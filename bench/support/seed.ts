import { sql } from 'kysely';
import type { Config } from '../../src/config';
import type { Db } from '../../src/db/connect';
import { createAccount } from '../../src/db/principals';
import { createOrganization } from '../../src/db/profile-create';
import { createOrganizationBody } from '../../src/domain/schemas';
import { organizationBody } from './stack';

/** An account with `organizations` organizations under review written by the service's own create (the first with its administrator). */
export async function accountWithOrganizations(
  db: Db,
  config: Config,
  organizations: number,
): Promise<{ accountId: string; apiKey: string; administratorId: string }> {
  const account = await createAccount(db, 'Measured');
  for (let i = 0; i < organizations; i++) {
    const body = createOrganizationBody.parse(organizationBody(i, i === 0));
    await createOrganization(db, {
      accountId: account.accountId,
      organization: body.organization,
      administrator: body.administrator,
      actor: { kind: 'customer', id: 'bench' },
      timings: config.timings,
      respond: () => null,
    });
  }
  const administrator = await db.selectFrom('administrators').select('id').where('account_id', '=', account.accountId).executeTakeFirstOrThrow();
  return { ...account, administratorId: administrator.id };
}

/**
 * `accounts` more accounts ("Seed n") with 10 organizations each: clones of the template account's first
 * organization, submitted over the last 30 days so orderings are real.
 */
export async function seedOrganizations(db: Db, templateAccountId: string, accounts: number): Promise<void> {
  const template = await db
    .selectFrom('organizations')
    .select('id')
    .where('account_id', '=', templateAccountId)
    .orderBy('created_at')
    .executeTakeFirstOrThrow();
  await sql`insert into accounts (id, name) select gen_random_uuid(), 'Seed ' || g from generate_series(1, ${accounts}) g`.execute(db);
  const columns = await sql<{ column_name: string }>`
    select column_name from information_schema.columns where table_schema = 'public' and table_name = 'organizations' order by ordinal_position`.execute(db);
  const expression: Record<string, string> = {
    id: 'gen_random_uuid()',
    account_id: 'a.id',
    name: `t.name || ' #' || g`,
    submitted_at: `t.submitted_at - random() * interval '30 days'`,
    created_at: `t.created_at - random() * interval '30 days'`,
  };
  const names = columns.rows.map((c) => c.column_name);
  await sql
    .raw(
      `insert into organizations (${names.map((n) => `"${n}"`).join(', ')})
       select ${names.map((n) => expression[n] ?? `t."${n}"`).join(', ')}
       from organizations t cross join (select id from accounts where name like 'Seed %') a cross join generate_series(1, 10) g
       where t.id = '${template.id}'`,
    )
    .execute(db);
}

/** `perAccount` pending manual-TXT domains for each account `accountIds` selects, all under one administrator; returns their ids. */
export async function seedDomains(db: Db, accounts: { ids?: string[]; namePattern?: string }, administratorId: string, perAccount: number): Promise<string[]> {
  const chosen = accounts.ids
    ? sql`select unnest(${accounts.ids}::uuid[]) as id`
    : sql`select id from accounts where name like ${accounts.namePattern ?? 'Seed %'}`;
  const inserted = await sql<{ id: string }>`
    insert into domains (id, account_id, administrator_id, name, method, delegation_label, status, random_value, random_value_expires_at)
    select gen_random_uuid(), a.id, ${administratorId}, 'd' || g || '.seed-' || left(a.id::text, 8) || '.example.com', 'dns_txt',
           replace(gen_random_uuid()::text, '-', ''), 'pending', md5(random()::text), now() + interval '30 days'
    from (${chosen}) a cross join generate_series(1, ${perAccount}) g
    returning id`.execute(db);
  return inserted.rows.map((r) => r.id);
}
