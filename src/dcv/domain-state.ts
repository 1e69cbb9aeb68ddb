import type { DomainRow } from '../db/schema';
import { addDuration, type Duration } from '../domain/duration';
import type { DomainIdentity, DomainState } from '../../workflows/domain-messages';
import { AUTOMATIC_METHODS } from './instructions';

/**
 * When an automatic method renews: `revalidateBefore` ahead of `validUntil`, but never earlier than
 * two thirds into the validity, so short periods (10 days from 2029-03-15, or one cut short at a
 * schedule change) renew once near their end instead of back to back.
 */
export function revalidationTime(validatedAt: Date, validUntil: Date, revalidateBefore: Duration): Date {
  const lead = addDuration(validUntil, revalidateBefore).getTime() - validUntil.getTime();
  return new Date(validUntil.getTime() - Math.min(lead, (validUntil.getTime() - validatedAt.getTime()) / 3));
}

/** The workflow's view of a domain row: the timestamps its timers run on. */
export function domainStateOf(row: DomainRow, revalidateBefore: Duration, previous?: Partial<DomainState>): DomainState {
  const validUntil = row.valid_until ? new Date(row.valid_until) : null;
  const automatic = validUntil && row.validated_at && AUTOMATIC_METHODS.has(row.method);
  return {
    status: row.status,
    randomValueExpiresAt: new Date(row.random_value_expires_at).toISOString(),
    validUntil: validUntil?.toISOString() ?? null,
    revalidateAt: automatic ? revalidationTime(new Date(row.validated_at!), validUntil, revalidateBefore).toISOString() : null,
    attempt: previous?.attempt ?? 0,
    renewing: previous?.renewing ?? false,
    needsAttention: row.needs_attention,
  };
}

export function domainIdentityOf(row: DomainRow): DomainIdentity {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    method: row.method,
    dnsProviderId: row.dns_provider_id,
    delegationLabel: row.delegation_label,
  };
}
