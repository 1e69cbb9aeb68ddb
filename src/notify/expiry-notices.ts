import type { Db } from '../db/connect';
import { revalidationTime } from '../dcv/domain-state';
import { AUTOMATIC_METHODS, type DcvMethod } from '../dcv/instructions';
import { addDuration, type Duration, formatDuration } from '../domain/duration';
import { recordOutboxEvent } from './outbox';

/** What decides which expiry notices an object gets. */
export interface ExpiryNoticePolicy {
  /** EXPIRY_NOTICES: how long before `validUntil` customers are told (default 30 days and 7 days). */
  points: Duration[];
  /** EXPIRING_WINDOW: an approval turns `expiring` this long before; that status change is its notice. */
  expiringWindow: Duration;
  /** DCV_REVALIDATE_BEFORE: the automatic methods renew themselves from this long before. */
  revalidateBefore: Duration;
}

const span = (d: Duration, from: Date) => addDuration(from, d).getTime() - from.getTime();

/**
 * The notice points that apply to one object. An organization's or administrator's entry into its
 * expiring window is already a status change (`*.expiring`), so that point is not repeated. A domain
 * validated by an automatic method renews itself `revalidateBefore` ahead of the end, but never earlier
 * than two thirds into its `validity` (src/dcv/domain-state.ts `revalidationTime`): it is told only at
 * points closer to the end than its renewal, when the renewal has not passed by then. Without `validity`
 * the lead is `revalidateBefore` alone.
 */
export function noticePoints(
  kind: 'organization' | 'administrator' | 'domain',
  method: DcvMethod | null,
  policy: ExpiryNoticePolicy,
  now: Date,
  validity?: { validatedAt: Date; validUntil: Date },
): Duration[] {
  if (kind !== 'domain') return policy.points.filter((p) => span(p, now) !== span(policy.expiringWindow, now));
  if (!method || !AUTOMATIC_METHODS.has(method)) return policy.points;
  const lead = validity
    ? validity.validUntil.getTime() - revalidationTime(validity.validatedAt, validity.validUntil, policy.revalidateBefore).getTime()
    : span(policy.revalidateBefore, now);
  return policy.points.filter((p) => span(p, now) < lead);
}

/**
 * Writes the `*.expiring` notices that are due: for every approval or validation whose `validUntil`
 * is within a notice point of `now` (and not yet past), once per object, point and validity (the
 * notice key; a renewal gets its own). Each in its own transaction with a snapshot of the object.
 * Returns how many were written; safe to run from several workers at once.
 */
export async function recordExpiryNotices(db: Db, policy: ExpiryNoticePolicy, now = new Date()): Promise<number> {
  const horizon = (p: Duration) => addDuration(now, p);
  const widest = policy.points.reduce((a, b) => (span(a, now) >= span(b, now) ? a : b), policy.points[0]);
  if (!widest) return 0;
  const expiringSoon = <T extends { where: (...args: any[]) => T }>(query: T) =>
    query.where('valid_until', '>', now).where('valid_until', '<=', horizon(widest));
  const profiles = async (kind: 'organization' | 'administrator') =>
    (
      await expiringSoon(
        db
          .selectFrom(`${kind}s` as 'organizations')
          .select(['id', 'account_id', 'valid_until'])
          .where('status', 'in', ['approved', 'expiring']),
      ).execute()
    ).map((r) => ({ ...r, kind, method: null }));
  const domains = (
    await expiringSoon(
      db.selectFrom('domains').select(['id', 'account_id', 'valid_until', 'validated_at', 'method']).where('status', '=', 'validated'),
    ).execute()
  ).map((r) => ({ ...r, kind: 'domain' as const }));
  const due = [...(await profiles('organization')), ...(await profiles('administrator')), ...domains].flatMap((object) => {
    const validUntil = new Date(object.valid_until!);
    const validatedAt = 'validated_at' in object && object.validated_at ? new Date(object.validated_at) : undefined;
    return noticePoints(object.kind, object.method, policy, now, validatedAt && { validatedAt, validUntil })
      .filter((point) => validUntil.getTime() <= horizon(point).getTime())
      .map((point) => ({ ...object, validUntil, noticeKey: `${object.kind}.expiring:${object.id}:${validUntil.toISOString()}:${formatDuration(point)}` }));
  });
  const written = new Set<string>();
  for (let i = 0; i < due.length; i += 1000) {
    const keys = due.slice(i, i + 1000).map((d) => d.noticeKey);
    for (const row of await db.selectFrom('account_events').select('notice_key').where('notice_key', 'in', keys).execute()) written.add(row.notice_key!);
  }
  let count = 0;
  for (const notice of due.filter((d) => !written.has(d.noticeKey))) {
    const done = await db.transaction().execute(async (trx) => {
      // Still the same validity under the row lock: a renewal meanwhile makes this notice moot.
      const row = await trx
        .selectFrom(`${notice.kind}s` as 'domains')
        .select('id')
        .where('id', '=', notice.id)
        .where('valid_until', '=', notice.validUntil)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return false;
      return recordOutboxEvent(trx, {
        accountId: notice.account_id,
        type: `${notice.kind}.expiring`,
        object: { kind: notice.kind, id: notice.id },
        noticeKey: notice.noticeKey,
      });
    });
    if (done) count++;
  }
  return count;
}
