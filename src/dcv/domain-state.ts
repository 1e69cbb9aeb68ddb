import type { DomainRow } from '../db/schema';
import { addDuration, type Duration } from '../domain/duration';
import type { DomainIdentity, DomainState } from '../../workflows/domain-messages';
import { AUTOMATIC_METHODS } from './instructions';

/** The workflow's view of a domain row: the timestamps its timers run on. */
export function domainStateOf(row: DomainRow, revalidateBefore: Duration, previous?: Partial<DomainState>): DomainState {
  const validUntil = row.valid_until ? new Date(row.valid_until) : null;
  const renewEarly = validUntil ? addDuration(validUntil, revalidateBefore).getTime() - validUntil.getTime() : 0;
  return {
    status: row.status,
    randomValueExpiresAt: new Date(row.random_value_expires_at).toISOString(),
    validUntil: validUntil?.toISOString() ?? null,
    revalidateAt: validUntil && AUTOMATIC_METHODS.has(row.method) ? new Date(validUntil.getTime() - renewEarly).toISOString() : null,
    attempt: previous?.attempt ?? 0,
    renewing: previous?.renewing ?? false,
    needsAttention: row.needs_attention,
  };
}

export function domainIdentityOf(row: DomainRow): DomainIdentity {
  return { id: row.id, accountId: row.account_id, name: row.name, method: row.method, dnsProviderId: row.dns_provider_id, delegationLabel: row.delegation_label };
}
