import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Transaction } from 'kysely';
import type { DcvConfig } from '../src/config';
import type { Db } from '../src/db/connect';
import type { ServiceMetrics } from '../src/metrics';
import { eventsOfOperation, recordEvent } from '../src/db/events';
import type { Database, DomainRow } from '../src/db/schema';
import { BR_METHOD_SECTION, delegationTarget, dnsRecordName } from '../src/dcv/instructions';
import { domainStateOf } from '../src/dcv/domain-state';
import { attentionAfterCheck, evaluateCheck } from '../src/dcv/check-outcome';
import { generateRandomValue } from '../src/dcv/random-value';
import type { CheckResult } from '../src/dcv/result-codes';
import { type DnsWriter, ProviderConfigUnusable, WriteRefused } from '../src/dcv/dns-writer';
import {
  type AuthoritativeEvidence,
  authoritativeFault,
  describeAuthoritative,
  type Fault,
  faultSideOfReason,
  writeFaultSide,
  BLOCKED_ADDRESS,
  NAME_HAS_NO_ADDRESS,
  RESOLVER_FAILED,
  WRITE_REFUSED,
} from '../src/dcv/fault-side';
import { AddressRefused, NameUnresolved } from '../src/dcv/public-address';
import { errorCode } from '../src/dcv/perspective';
import { DnspodError } from '../src/dcv/dnspod';
import { DnsUpdateError } from '../src/dcv/rfc2136';
import { addDuration, type Duration } from '../src/domain/duration';
import { reusableUntil } from '../src/domain/reuse-period';
import { CONFLICT, NOT_FOUND, type Actor } from '../workflows/messages';
import { operationOf } from './operation';
import {
  CA_SIDE_FAULT,
  CUSTOMER_SIDE_WRITE_FAULT,
  DNS_WRITE_REFUSED,
  type CheckKind,
  type CheckOutcome,
  type CheckInput,
  type CheckRequest,
  type DcvSettings,
  type DomainIdentity,
  type DomainState,
} from '../workflows/domain-messages';

/** The Baseline Requirements version this service implements; recorded with every validation (BR §3.2.2.4). */
export const BR_VERSION = '2.2.6';

const SYSTEM: Actor = { kind: 'system', id: null };

/** The workflow's non-retryable error type of a write that was refused (workflows/domain.ts). */

export interface DomainActivityDeps {
  db: Db;
  dcv: DcvConfig;
  /** The writer for the delegation zone, or for the customer's DNS provider of a domain. */
  writers: {
    delegation(): DnsWriter | undefined;
    provider(accountId: string, providerId: string, domainName: string): Promise<DnsWriter>;
  };
  now?: () => Date;
  /** Where stored checks are counted by result code (cps_dcv_checks_total), once committed. */
  metrics?: Pick<ServiceMetrics, 'dcvChecks'>;
}

/** The checks a transaction stored (kind and result code), to be counted once it committed. */
type StoredChecks = Array<{ kind: CheckKind; code: string }>;

/** Status writes of domains: each a compare-and-set under a row lock with its audit event. */
export function createDomainActivities(deps: DomainActivityDeps) {
  const { db, dcv } = deps;
  const now = deps.now ?? (() => new Date());
  const ms = (d: Duration, from = now()) => addDuration(from, d).getTime() - from.getTime();

  const stateOf = (row: DomainRow, previous?: Partial<DomainState>) => domainStateOf(row, dcv.revalidateBefore, previous);

  async function lock(trx: Transaction<Database>, id: string): Promise<DomainRow> {
    const row = await trx.selectFrom('domains').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw ApplicationFailure.create({ type: NOT_FOUND, message: `domain ${id} no longer exists`, nonRetryable: true });
    return row;
  }

  async function change(
    trx: Transaction<Database>,
    row: DomainRow,
    set: Partial<Omit<DomainRow, 'id' | 'account_id' | 'created_at'>>,
    event: { actor?: Actor; action: string; note?: string; after?: Record<string, unknown> },
    operationId: string | null = null,
  ): Promise<DomainRow> {
    const updated = await trx
      .updateTable('domains')
      .set({ ...set, last_check: set.last_check === undefined ? undefined : JSON.stringify(set.last_check), updated_at: now() } as never)
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      accountId: row.account_id,
      entityKind: 'domain',
      entityId: row.id,
      actor: event.actor ?? SYSTEM,
      action: event.action,
      before: { status: row.status },
      after: { status: updated.status, ...event.after },
      note: event.note,
      operationId,
    });
    return updated;
  }

  async function writerFor(identity: Pick<DomainIdentity, 'accountId' | 'method' | 'dnsProviderId' | 'name'>): Promise<DnsWriter | undefined> {
    if (identity.method === 'dns_cname') return deps.writers.delegation();
    if (identity.method === 'dns_provider' && identity.dnsProviderId) return deps.writers.provider(identity.accountId, identity.dnsProviderId, identity.name);
    return undefined;
  }

  /**
   * Sets or clears the domain's attention flag with its reason (one audit event per change, and a warn
   * line for operators when the CA's side is at fault). Unchanged attention writes nothing.
   */
  async function attend(trx: Transaction<Database>, row: DomainRow, fault: Fault | null): Promise<DomainRow> {
    const reason = fault?.reason ?? null;
    if (row.needs_attention === (fault !== null) && (row.attention_reason ?? null) === reason) return row;
    if (fault?.side === 'ca')
      log.warn('DCV: a fault on the CA side holds up a domain; retrying on the schedule', { domainId: row.id, domain: row.name, reason });
    if (fault === null && !row.needs_attention) {
      return trx.updateTable('domains').set({ attention_reason: null }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
    }
    return change(
      trx,
      row,
      { needs_attention: fault !== null, attention_reason: reason },
      {
        action: fault ? 'needs_attention' : 'attention_cleared',
        note: reason ?? `cleared (was: ${row.attention_reason ?? 'no reason recorded'})`,
        after: { needsAttention: fault !== null, faultSide: fault?.side ?? null },
      },
    );
  }

  /** A write that failed, as the workflow must see it: the CA's side retries (CaSideFault), a refusal fails the domain. */
  function writeFailure(identity: DomainIdentity, error: unknown): unknown {
    const target = identity.method === 'dns_cname' ? 'delegation' : error instanceof DnspodError ? 'dnspod' : 'rfc2136';
    const code = writeCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (writeFaultSide(target, code) === 'ca') {
      const where =
        target === 'delegation'
          ? `the delegation zone's DNS server (${dcv.delegationServer ? `${dcv.delegationServer.server}:${dcv.delegationServer.port}` : 'not configured'})`
          : target === 'dnspod' || code === 'SECRET'
            ? `the service's ${target === 'dnspod' ? 'DNSPod API' : 'DNS provider'} configuration`
            : 'the service (its resolvers, its database or its own code)';
      const reason = `CA side: ${where} could not publish the record: ${message}`;
      log.warn('DCV: publishing a record failed on the CA side', { domainId: identity.id, domain: identity.name, reason });
      return ApplicationFailure.create({ type: CA_SIDE_FAULT, message: reason });
    }
    if (error instanceof AddressRefused) return ApplicationFailure.nonRetryable(`the service does not send the record there: ${message}`, DNS_WRITE_REFUSED);
    if (isRefusal(error))
      return ApplicationFailure.nonRetryable(
        `the DNS ${identity.method === 'dns_cname' ? 'server' : 'provider'} refused the record: ${message}`,
        DNS_WRITE_REFUSED,
      );
    // The customer's side, not answered yet (its server silent, its DNSPod account at fault): retried, then the domain fails.
    return ApplicationFailure.create({ type: CUSTOMER_SIDE_WRITE_FAULT, message });
  }

  /**
   * The write failure as the workflow must see it; a refusal (final: the domain fails with it) is also
   * the domain's lastCheck, with the evidence: the addresses the guard refused, or the server's answer.
   */
  async function refusalRecorded(identity: DomainIdentity, error: unknown): Promise<unknown> {
    const failure = writeFailure(identity, error);
    if (!(failure instanceof ApplicationFailure) || failure.type !== DNS_WRITE_REFUSED) return failure;
    const blocked = error instanceof AddressRefused;
    const lastCheck = {
      at: now().toISOString(),
      kind: 'publish',
      passed: false,
      code: blocked ? 'blocked_address' : 'write_refused',
      faultSide: 'customer',
      reason: `customer side: ${failure.message}`,
      ...(blocked ? { refusedAddresses: error.refused.map((r) => ({ address: r.address, ...r.block })) } : {}),
    };
    await db
      .updateTable('domains')
      .set({ last_check: JSON.stringify(lastCheck) })
      .where('id', '=', identity.id)
      .execute();
    return failure;
  }

  /** Where the service writes the value: the TXT behind the customer's CNAME, or `_dnsauth` at the provider. */
  function recordNameFor(identity: Pick<DomainIdentity, 'method' | 'name' | 'id'>): string {
    return identity.method === 'dns_cname' ? delegationTarget(identity.id, dcv) : dnsRecordName(identity.name);
  }

  const validity = (at: Date) => (dcv.domainReusePeriod ? addDuration(at, dcv.domainReusePeriod) : reusableUntil('domain', at));

  /**
   * A transaction that stores checks: each one stored is counted (cps_dcv_checks_total by kind and
   * result code) once the transaction committed, so a retry that finds its check stored counts nothing.
   */
  async function storingChecks<T>(work: (trx: Transaction<Database>, stored: StoredChecks) => Promise<T>): Promise<T> {
    const stored: StoredChecks = [];
    const result = await db.transaction().execute((trx) => work(trx, stored));
    for (const check of stored) deps.metrics?.dcvChecks.inc(check);
    return result;
  }

  /**
   * Stores one check's evidence, once per activity execution (a retry after the commit finds its row
   * and writes nothing), and for the workflow's own rechecks and scans (`context`) the attention it
   * leaves (src/dcv/check-outcome.ts). The outcome, and the row as it is now.
   */
  async function recorded(
    trx: Transaction<Database>,
    row: DomainRow,
    kind: CheckKind,
    results: CheckResult[][],
    context: { renewing: boolean } | undefined,
    operationId: string | null,
    stored: StoredChecks,
  ): Promise<{ outcome: CheckOutcome; row: DomainRow }> {
    const { outcome, fault } = evaluateCheck(kind, results, dcv.delegationZone);
    const attends = context !== undefined && kind !== 'precheck';
    if (operationId && (await trx.selectFrom('dcv_checks').select('id').where('operation_id', '=', operationId).executeTakeFirst())) {
      if (attends) outcome.needsAttention = row.needs_attention;
      return { outcome, row };
    }
    await trx
      .insertInto('dcv_checks')
      .values({
        domain_id: row.id,
        account_id: row.account_id,
        kind,
        passed: outcome.passed,
        code: outcome.code,
        quorum: JSON.stringify(outcome.quorum),
        results: JSON.stringify(outcome.results),
        operation_id: operationId,
      })
      .execute();
    stored.push({ kind, code: outcome.code });
    const updated = await trx
      .updateTable('domains')
      .set({ last_check: JSON.stringify({ at: now().toISOString(), ...outcome }) })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (!attends) return { outcome, row: updated };
    const attended = await attend(trx, updated, attentionAfterCheck(outcome, fault, context, row.method));
    outcome.needsAttention = attended.needs_attention;
    return { outcome, row: attended };
  }

  /** pending → verifying: the CA scan starts. Any other status is left as it is. */
  async function scanBegun(trx: Transaction<Database>, row: DomainRow): Promise<DomainRow> {
    if (row.status !== 'pending') return row;
    return change(trx, row, { status: 'verifying' }, { action: 'scan_started' });
  }

  /** The scan's verdict on the locked row; a retry after its own commit returns the recorded outcome. */
  async function verdict(
    trx: Transaction<Database>,
    row: DomainRow,
    outcome: CheckOutcome,
    scansSoFar: number,
    previous: DomainState,
    operationId: string | null,
  ): Promise<DomainState> {
    // A retry after this activity's own commit (worker killed before it reported): the recorded outcome,
    // not a second verdict (a validated domain would otherwise be "revalidated" with a new validity).
    const [earlier] = (await eventsOfOperation(trx, operationId)).filter((event) => event.entity_id === row.id);
    if (earlier)
      return earlier.action === 'validated' || earlier.action === 'revalidated' ? stateOf(row) : stateOf(row, { ...previous, attempt: previous.attempt + 1 });
    const note = `quorum ${outcome.quorum.summary} (needs ${outcome.quorum.required}); ${outcome.code}${outcome.reason && outcome.faultSide !== 'ca' ? `; ${outcome.reason}` : ''}`;
    if (outcome.passed) {
      const at = now();
      const renewal = row.status === 'validated';
      const updated = await change(
        trx,
        row,
        {
          status: 'validated',
          validated_at: at,
          valid_until: validity(at),
          br_method: BR_METHOD_SECTION[row.method],
          br_version: BR_VERSION,
          needs_attention: false,
          attention_reason: null,
          failure_reason: null,
        },
        {
          action: renewal ? 'revalidated' : 'validated',
          note,
          after: { validUntil: validity(at).toISOString(), brMethod: BR_METHOD_SECTION[row.method], brVersion: BR_VERSION },
        },
        operationId,
      );
      return stateOf(updated);
    }
    if (row.status === 'validated') return stateOf(row, previous);
    if (outcome.faultSide === 'ca') {
      // The CA's side failed: not the customer's scan; back to waiting, flagged, retried on the schedule.
      const updated = await change(
        trx,
        row,
        { status: 'pending', failure_reason: null },
        { action: 'scan_failed', note: `${note}; not counted: ${outcome.reason}` },
        operationId,
      );
      return stateOf(updated, { ...previous, attempt: previous.attempt + 1 });
    }
    const failed = scansSoFar >= dcv.maxScans;
    const updated = await change(
      trx,
      row,
      { status: failed ? 'failed' : 'pending', failure_reason: failed ? `the CA scan failed ${scansSoFar} times (${outcome.code})` : null },
      { action: failed ? 'failed' : 'scan_failed', note },
      operationId,
    );
    return stateOf(updated, { ...previous, attempt: previous.attempt + 1 });
  }

  /** Perspectives, retry schedule and max scans as this worker is configured now. */
  function dcvSettings(): DcvSettings {
    return {
      perspectives: [...dcv.perspectives.map((p) => p.name), ...dcv.remotePerspectives],
      retryScheduleMs: dcv.retrySchedule.map((d) => ms(d)),
      maxScans: dcv.maxScans,
    };
  }

  /** The request the perspectives run for domain `id`; NotFound (non-retryable) once the row is gone. */
  async function checkRequest(id: string): Promise<CheckRequest> {
    const row = await db.selectFrom('domains').select(['id', 'method', 'name', 'random_value', 'delegation_label']).where('id', '=', id).executeTakeFirst();
    if (!row) throw ApplicationFailure.create({ type: NOT_FOUND, message: `domain ${id} no longer exists`, nonRetryable: true });
    return {
      method: row.method,
      name: row.name,
      randomValue: row.random_value,
      delegationTarget: delegationTarget(row.id, dcv),
      delegationLabel: row.delegation_label,
    };
  }

  return {
    dcvSettings: async () => dcvSettings(),
    checkRequest: async (id: string) => checkRequest(id),

    /** The settings as configured now and the domain's request, for one check (one local activity). Throws NotFound once the row is gone. */
    async checkInput(id: string): Promise<CheckInput> {
      return { settings: dcvSettings(), request: await checkRequest(id) };
    },

    /**
     * When the validated domain `id` renews under DCV_REVALIDATE_BEFORE as this worker is configured now
     * (ISO 8601; src/dcv/domain-state.ts `revalidationTime`), not as it was when the domain validated; null
     * when the row is gone or holds no automatic validation. A read: the workflow asks it when its planned
     * renewal time comes, so a changed setting reaches domains that validated before it.
     */
    async renewalTime(id: string): Promise<string | null> {
      const row = await db.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst();
      return row && row.status === 'validated' ? stateOf(row).revalidateAt : null;
    },

    /**
     * Writes the current random value where the method needs the service to (CNAME target, DNS provider);
     * idempotent. A refusal by the DNS server or provider is final: retrying would not change its mind.
     */
    async publishRecord(identity: DomainIdentity, previous?: string): Promise<string | undefined> {
      // Every failure goes through the one classifier (writeFailure): a database or resolver fault is the CA's.
      try {
        const writer = await writerFor(identity);
        if (!writer) {
          if (identity.method === 'dns_cname') throw new Error('the delegation zone has no DNS server configured (DCV_DELEGATION_SERVER)');
          return undefined;
        }
        const row = await db.selectFrom('domains').select('random_value').where('id', '=', identity.id).executeTakeFirst();
        if (!row) return undefined;
        await writer.publishTxt(recordNameFor(identity), row.random_value, previous);
        return row.random_value;
      } catch (error) {
        throw await refusalRecorded(identity, error);
      }
    },

    /** Sets (a fault) or clears (null) the domain's attention flag; the state the workflow continues with. */
    async setAttention(id: string, fault: Fault | null, previous: DomainState): Promise<DomainState> {
      return db.transaction().execute(async (trx) => stateOf(await attend(trx, await lock(trx, id), fault), previous));
    },

    /** The service could not publish the record: nothing the schedule can fix, so the domain fails with the reason. */
    async failDomain(id: string, reason: string, previous: DomainState): Promise<DomainState> {
      return db.transaction().execute(async (trx) => {
        const row = await lock(trx, id);
        if (row.status !== 'pending') return stateOf(row, previous);
        return stateOf(await change(trx, row, { status: 'failed', failure_reason: reason }, { action: 'failed', note: reason }));
      });
    },

    /**
     * Removes what `publishRecord` wrote: `value` as it returned it; at a customer's provider nothing
     * else, ever. Failures are thrown for the workflow to report.
     */
    async unpublishRecord(identity: DomainIdentity, value?: string): Promise<void> {
      const writer = await writerFor(identity);
      await writer?.removeTxt(recordNameFor(identity), value);
    },

    /** The record the service published could not be taken down: say so in the domain's audit trail. */
    async reportRecordLeft(identity: DomainIdentity, reason: string): Promise<void> {
      await db.transaction().execute((trx) =>
        recordEvent(trx, {
          accountId: identity.accountId,
          entityKind: 'domain',
          entityId: identity.id,
          actor: SYSTEM,
          action: 'record_not_removed',
          note: reason,
        }),
      );
    },

    /**
     * dns_provider: the record must be on every authoritative server before the CA scans. What each
     * server answered (or that it did not) goes to lastCheck; a server that does not answer flags the
     * domain with that evidence; being everywhere is recorded in the audit trail.
     */
    async providerRecordEverywhere(
      identity: DomainIdentity,
    ): Promise<{ ready: boolean; detail: string[]; needsAttention?: boolean; attentionReason?: string | null }> {
      let writer: DnsWriter | undefined;
      let fault: Fault | null = null;
      let servers: AuthoritativeEvidence[] = [];
      try {
        writer = await writerFor(identity);
      } catch (error) {
        const failure = writeFailure(identity, error);
        const reason = failure instanceof Error ? failure.message : String(failure);
        fault = {
          side: failure instanceof ApplicationFailure && failure.type === CA_SIDE_FAULT ? 'ca' : 'customer',
          reason: faultSideOfReason(reason) === 'ca' ? reason : `customer side: the DNS provider is not usable: ${reason}`,
        };
      }
      const row = await db.selectFrom('domains').select(['random_value']).where('id', '=', identity.id).executeTakeFirst();
      if (!row) return { ready: false, detail: ['the domain no longer exists'] };
      if (writer) {
        try {
          ({ servers } = await writer.presentOnAllAuthoritative(recordNameFor(identity), row.random_value));
          fault = authoritativeFault(servers);
        } catch (error) {
          // The zone's NS set may not resolve yet (or ever): not ready, rechecked on the schedule, never a stuck workflow.
          fault = authoritativeFault([], errorCode(error) === 'UNKNOWN' ? (error as Error).message : errorCode(error));
        }
      }
      const ready = servers.length > 0 && servers.every((s) => s.present);
      const detail = servers.length ? servers.map(describeAuthoritative) : [fault?.reason ?? 'no authoritative server'];
      const updated = await db.transaction().execute(async (trx) => {
        const locked = await lock(trx, identity.id);
        const lastCheck = {
          at: now().toISOString(),
          kind: 'authoritative',
          passed: ready,
          code: ready
            ? 'passed'
            : !fault
              ? 'not_yet_everywhere'
              : fault.side === 'ca'
                ? 'ca_fault'
                : servers.some((s) => s.refused)
                  ? 'blocked_address'
                  : 'server_not_answering',
          faultSide: fault?.side ?? null,
          reason: fault?.reason ?? (ready ? null : `waiting for the record on every authoritative server: ${detail.join('; ')}`),
          servers,
        };
        await trx
          .updateTable('domains')
          .set({ last_check: JSON.stringify(lastCheck) })
          .where('id', '=', identity.id)
          .execute();
        if (ready) {
          await recordEvent(trx, {
            accountId: locked.account_id,
            entityKind: 'domain',
            entityId: identity.id,
            actor: SYSTEM,
            action: 'record_on_all_authoritative',
            after: { status: locked.status },
            note: detail.join('; '),
          });
        }
        return attend(trx, locked, ready ? null : fault);
      });
      return { ready, detail, needsAttention: updated.needs_attention, attentionReason: updated.attention_reason };
    },

    /**
     * Stores every perspective's results and the quorum, each failure with the side at fault. With a
     * `context` (the workflow's own rechecks and scans), the domain's attention follows: a CA-side fault
     * flags it, and so does a customer-side failure of a renewal; anything else clears it.
     */
    async recordCheck(id: string, kind: CheckKind, results: CheckResult[][], context?: { renewing: boolean }): Promise<CheckOutcome> {
      const operationId = operationOf();
      return storingChecks(async (trx, stored) => {
        const row = await trx.selectFrom('domains').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
        // A pre-check of a domain deleted meanwhile: the verdict, with nothing left to record it on.
        if (!row) return evaluateCheck(kind, results, dcv.delegationZone).outcome;
        return (await recorded(trx, row, kind, results, context, operationId, stored)).outcome;
      });
    },

    async beginScan(id: string): Promise<DomainState> {
      return db.transaction().execute(async (trx) => stateOf(await scanBegun(trx, await lock(trx, id))));
    },

    /**
     * The quick look from the first perspective passed (`results`: its answer): records it as the recheck
     * and, for a pending domain, starts the CA scan (verifying) in the same transaction; a renewal stays
     * validated. The state the scan runs in. A retry after the commit finds its check and the status set.
     */
    async beginScanAfterRecheck(id: string, results: CheckResult[][], previous: DomainState): Promise<DomainState> {
      const operationId = operationOf();
      return storingChecks(async (trx, stored) => {
        const { row } = await recorded(trx, await lock(trx, id), 'recheck', results, { renewing: previous.renewing }, operationId, stored);
        return previous.renewing ? stateOf(row, previous) : stateOf(await scanBegun(trx, row));
      });
    },

    /** The CA scan's verdict: validated with method, BR version and reuse period; otherwise back to pending, or failed for good. */
    async completeScan(id: string, outcome: CheckOutcome, scansSoFar: number, previous: DomainState): Promise<DomainState> {
      const operationId = operationOf();
      return db.transaction().execute(async (trx) => verdict(trx, await lock(trx, id), outcome, scansSoFar, previous, operationId));
    },

    /**
     * The CA scan's evidence and verdict in one transaction: every perspective's results (the quick look's
     * answer first) stored as the scan, then the verdict of `completeScan`. A retry after the commit finds
     * both and returns the recorded verdict.
     */
    async finishScan(id: string, results: CheckResult[][], scansSoFar: number, previous: DomainState): Promise<{ outcome: CheckOutcome; state: DomainState }> {
      const operationId = operationOf();
      return storingChecks(async (trx, stored) => {
        const { outcome, row } = await recorded(trx, await lock(trx, id), 'scan', results, { renewing: previous.renewing }, operationId, stored);
        return { outcome, state: await verdict(trx, row, outcome, scansSoFar, previous, operationId) };
      });
    },

    /** A random value is good for 30 days at most (BR §3.2.2.4.7, .18): a domain still pending then fails. */
    async expireRandomValue(id: string): Promise<DomainState> {
      return db.transaction().execute(async (trx) => {
        const row = await lock(trx, id);
        if (row.status !== 'pending' || now() < new Date(row.random_value_expires_at)) return stateOf(row);
        return stateOf(
          await change(
            trx,
            row,
            { status: 'failed', failure_reason: 'the random value expired before the record was found' },
            { action: 'failed', note: 'random value expired' },
          ),
        );
      });
    },

    async expireValidation(id: string, previous: DomainState): Promise<DomainState> {
      return db.transaction().execute(async (trx) => {
        const row = await lock(trx, id);
        if (row.status !== 'validated' || !row.valid_until || now() < new Date(row.valid_until)) return stateOf(row, previous);
        return stateOf(await change(trx, row, { status: 'expired' }, { action: 'expired' }));
      });
    },

    /**
     * A fresh random value. `restart` (the customer's revalidate) starts over as pending;
     * a renewal keeps the domain validated while the new value is checked.
     */
    async rotateRandomValue(id: string, mode: 'restart' | 'renew', actor: Actor = SYSTEM): Promise<DomainState> {
      const operationId = operationOf();
      return db.transaction().execute(async (trx) => {
        const row = await lock(trx, id);
        // A retry after this activity's own commit: the value it wrote, not a second one (and a second event).
        const recorded = (await eventsOfOperation(trx, operationId)).some((event) => event.entity_id === id);
        if (recorded) return stateOf(row, { attempt: 0, renewing: mode === 'renew' });
        if (mode === 'restart' && row.status === 'verifying')
          throw ApplicationFailure.create({ type: CONFLICT, message: 'a CA scan is running; retry when it ends', nonRetryable: true });
        const value = generateRandomValue(ms(dcv.randomValueLifetime), now());
        const set = {
          random_value: value.value,
          random_value_expires_at: value.expiresAt,
          ...(mode === 'restart' ? { status: 'pending' as const, failure_reason: null, needs_attention: false, attention_reason: null } : {}),
        };
        const updated = await change(
          trx,
          row,
          set,
          { actor, action: mode === 'restart' ? 'revalidation_requested' : 'renewal_started', after: { randomValueExpiresAt: value.expiresAt.toISOString() } },
          operationId,
        );
        return stateOf(updated, { attempt: 0, renewing: mode === 'renew' });
      });
    },

    /** A renewal check failed (delegation or proxy removed?): flag it once, keep trying until the validation lapses. */
    async flagAttention(id: string, outcome: CheckOutcome, previous: DomainState): Promise<DomainState> {
      return db.transaction().execute(async (trx) => {
        const row = await lock(trx, id);
        if (row.needs_attention) return stateOf(row, previous);
        const updated = await change(
          trx,
          row,
          { needs_attention: true, attention_reason: `customer side: automatic revalidation failed (${outcome.code}, quorum ${outcome.quorum.summary})` },
          {
            action: 'needs_attention',
            note: `automatic revalidation failed (${outcome.code}, quorum ${outcome.quorum.summary}): is the ${row.method === 'dns_cname' ? 'CNAME delegation' : 'reverse proxy'} still in place?`,
          },
        );
        return stateOf(updated, previous);
      });
    },

    /** Deletes the domain; `recordLeft` says why a record the service wrote could not be taken down. */
    async removeDomain(identity: DomainIdentity, actor: Actor, recordLeft?: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('domains').selectAll().where('id', '=', identity.id).forUpdate().executeTakeFirst();
        if (!row) return;
        // Recorded before the delete: the public event keeps a snapshot of the domain.
        await recordEvent(trx, {
          accountId: row.account_id,
          entityKind: 'domain',
          entityId: row.id,
          actor,
          action: 'deleted',
          before: { status: row.status },
          note: recordLeft,
        });
        await trx.deleteFrom('domains').where('id', '=', identity.id).execute();
      });
    },
  };
}

export type DomainActivities = ReturnType<typeof createDomainActivities>;

/** The code `writeFaultSide` judges a failed write by; undefined for an error nobody classified (the CA's side). */
function writeCodeOf(error: unknown): string | undefined {
  if (error instanceof ProviderConfigUnusable) return 'SECRET';
  if (error instanceof AddressRefused) return BLOCKED_ADDRESS;
  if (error instanceof NameUnresolved) return error.absent ? NAME_HAS_NO_ADDRESS : RESOLVER_FAILED;
  if (error instanceof WriteRefused) return WRITE_REFUSED;
  if (error instanceof DnspodError) return error.code;
  if (error instanceof DnsUpdateError) return error.rcode;
  return undefined;
}

function isRefusal(error: unknown): boolean {
  if (error instanceof DnsUpdateError) return ['NOTAUTH', 'REFUSED', 'BADSIG', 'BADKEY', 'BADTIME', 'NOTZONE'].includes(error.rcode);
  if (error instanceof DnspodError) return !['NETWORK', 'BAD_RESPONSE'].includes(error.code) && !error.code.startsWith('HTTP_5');
  return error instanceof WriteRefused;
}
