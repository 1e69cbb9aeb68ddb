import { sql } from 'kysely';
import type { Db } from './connect';

export interface OperatorCounts {
  /** Under review, by kind (the reviewers' backlog). */
  backlog: { organization: number; administrator: number };
  /** Under review past their due time, by kind. */
  overdue: { organization: number; administrator: number };
  domainsNeedingAttention: number;
}

/**
 * The counts operators watch, in one statement of index-only counts: the partial indexes
 * `<table>_review_queue` and `<table>_review_due` (status under_review) and `domains_needing_attention`,
 * so a scrape stays cheap however many rows there are.
 */
export async function operatorCounts(db: Db, now: Date): Promise<OperatorCounts> {
  const { rows } = await operatorCountsQuery(now).execute(db);
  const n = (column: string) => Number(rows[0][column]);
  return {
    backlog: { organization: n('organizations_backlog'), administrator: n('administrators_backlog') },
    overdue: { organization: n('organizations_overdue'), administrator: n('administrators_overdue') },
    domainsNeedingAttention: n('domains_needing_attention'),
  };
}

/** The statement of {@link operatorCounts} (exported so its plan can be checked). */
export function operatorCountsQuery(now: Date) {
  return sql<Record<string, string | number>>`
    select
      (select count(*) from organizations where status = 'under_review') as organizations_backlog,
      (select count(*) from administrators where status = 'under_review') as administrators_backlog,
      (select count(*) from organizations where status = 'under_review' and due_at < ${now}) as organizations_overdue,
      (select count(*) from administrators where status = 'under_review' and due_at < ${now}) as administrators_overdue,
      (select count(*) from domains where needs_attention) as domains_needing_attention`;
}
