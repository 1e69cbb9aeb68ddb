import type { Db } from './connect';

/** Where an entity hangs in its organization: an administrator by its organization, a domain by its administrator. */
export type OrganizationOf = { organizationId: string } | { administratorId: string };

/** Finds the legal name of the organization an entity belongs to (for the operator's view in Temporal). */
export type OrganizationNames = (of: OrganizationOf) => Promise<string | undefined>;

/** One primary-key read (through the administrator for a domain); undefined once the organization is gone. */
export function organizationNames(db: Db): OrganizationNames {
  return async (of) => {
    const row =
      'organizationId' in of
        ? await db.selectFrom('organizations').select('name').where('id', '=', of.organizationId).executeTakeFirst()
        : await db
            .selectFrom('administrators as a')
            .innerJoin('organizations as o', 'o.id', 'a.organization_id')
            .select('o.name')
            .where('a.id', '=', of.administratorId)
            .executeTakeFirst();
    return row?.name;
  };
}
