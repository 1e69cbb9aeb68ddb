// Workflow-safe: messages and state of the domain validation workflow.
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CheckResult } from '../src/dcv/result-codes';
import type { DcvMethod } from '../src/dcv/instructions';
import type { Actor } from './messages';
import type { DomainStatus } from '../src/domain/vocabulary';

export type { DomainStatus } from '../src/domain/vocabulary';

/** What cleaning up needs even after the row is gone (an administrator deleted with its domains). */
export interface DomainIdentity {
  id: string;
  accountId: string;
  name: string;
  method: DcvMethod;
  dnsProviderId: string | null;
  delegationLabel: string;
}

export interface DomainState {
  status: DomainStatus;
  randomValueExpiresAt: string;
  validUntil: string | null;
  revalidateAt: string | null;
  /** Checks done while waiting for the record (or for a renewal to pass); picks the next wait. */
  attempt: number;
  /** A renewal of a still valid validation is running (automatic methods). */
  renewing: boolean;
  needsAttention: boolean;
}

export interface DomainWorkflowInput {
  domain: DomainIdentity;
  state: DomainState;
  /** The organization's legal name when the workflow started (or continued as new), for the operator's view. */
  organizationName?: string;
  continueAsNewAfterEvents?: number;
  /** Carried over continue-as-new: the value the service has published (to replace or take down) and the CA scans so far. */
  published?: string;
  scans?: number;
  /** Publishing failed on the CA's side: the next wake publishes again before anything else. */
  republish?: boolean;
}

/** Settings read when used (a local activity before each wait and each check), so configuration changes reach running workflows. */
export interface DcvSettings {
  perspectives: string[];
  retryScheduleMs: number[];
  maxScans: number;
}

/** What a check needs, read together in the worker: the settings as configured now and the domain's request. */
export interface CheckInput {
  settings: DcvSettings;
  request: CheckRequest;
}

/** The request one perspective runs: the method's check plus CAA. */
export interface CheckRequest {
  method: DcvMethod;
  name: string;
  randomValue: string;
  delegationTarget: string;
  delegationLabel: string;
}

export type CheckKind = 'precheck' | 'recheck' | 'scan';

export interface CheckOutcome {
  kind: CheckKind;
  passed: boolean;
  /** The deciding result code: `passed`, or the most common failure. */
  code: string;
  quorum: { summary: string; required: number; passedPerspectives: string[]; failedPerspectives: string[] };
  results: CheckResult[];
  /** A failed check: whose side is at fault (only the customer's fails a domain), and the evidence. */
  faultSide?: 'ca' | 'customer' | null;
  reason?: string | null;
  /** The domain's attention flag after the workflow's own rechecks and scans. */
  needsAttention?: boolean;
}

/** An activity failure type: the CA's side (its DNS server, its provider configuration) failed; retried, never the customer's fault. */
export const CA_SIDE_FAULT = 'CaSideFault';

/**
 * Activity failure types of a write the customer's side failed: refused (not retried), or not answered
 * after the activity's retries (the customer's server silent, its DNSPod account at fault). Only these fail a domain.
 */
export const DNS_WRITE_REFUSED = 'DnsWriteRefused';
export const CUSTOMER_SIDE_WRITE_FAULT = 'CustomerSideWriteFault';

/** Guards "only a customer-side write failure fails a domain; any other is the CA's" (histories recorded before replay as they ran). */
export const WRITE_FAULTS_PATCH = 'dcv-unclassified-write-faults-are-ca-side';

/** Guards the command sequence of settings read when used, fault sides and the NeedsAttention attribute (histories recorded before replay on the old path). */
export const DCV_FAULTS_PATCH = 'dcv-fault-sides-and-fresh-settings';

/**
 * Guards the lean validation path (issue 9): cheap reads as local activities, no publishRecord for
 * methods whose record the service does not write, the quick look's answer reused by the scan, a
 * check recorded in the transaction that changes the status. Histories recorded before replay as they ran.
 */
export const DCV_LEAN_PATCH = 'dcv-lean-validation';

/**
 * Guards the scan's transactions run as local activities (issue 9): the recheck recorded with the scan
 * begun, and the verdict, written from the worker without a task queue round trip (the Temporal
 * server's work per validation is then the floor's: the wait and the perspectives). Histories recorded
 * before replay with them as activities.
 */
export const DCV_LOCAL_WRITES_PATCH = 'dcv-scan-writes-in-the-worker';

/**
 * Guards one read per check (issue 9): the settings and the row in one local activity, and the settings
 * read before a wait only when the wait follows the retry schedule (a validated domain waits for its own
 * dates). It was the one patch runs recorded from then to DCV_CURRENT_PATCH, standing for every patch
 * above (the server upserts TemporalChangeVersion, a visibility write, with each patch marker: five per
 * run before it). Runs recorded before it ask each patch and read as they ran.
 */
export const DCV_ONE_READ_PATCH = 'dcv-current-2026-11';

/**
 * Since this patch a validated domain reads DCV_REVALIDATE_BEFORE again when its planned renewal time
 * comes (`renewalTime`), so a setting changed since it validated is used. Runs recorded from
 * DCV_ONE_READ_PATCH to DCV_CURRENT_PATCH ask it with its own marker at their first renewal.
 */
export const DCV_RENEWAL_SETTINGS_PATCH = 'dcv-renewal-reads-settings';

/**
 * Runs recorded before DCV_CURRENT_PATCH started their local activities together, and replay must do as
 * they did; once such a run goes on live on this code, its local activities take turns too, from the
 * first time two would have been outstanding together: asked there (workflows/local-activity-lane.ts),
 * this patch records its marker then, and replay takes turns from that point on. Without it a run that
 * an older release started could still fail replay after a pre-check sent while it read its settings.
 * Runs since DCV_CURRENT_PATCH take turns from their start and never ask it.
 */
export const DCV_IN_TURN_ONCE_LIVE_PATCH = 'dcv-local-activities-in-turn-once-live';

/**
 * The one patch a run started since records: it stands for every patch above (`foldPatches`) and guards
 * local activities run one at a time from the run's start (workflows/local-activity-lane.ts), so a
 * pre-check sent while the loop reads its settings replays. Runs recorded before it ask each patch as
 * they ran and start their local activities at once until DCV_IN_TURN_ONCE_LIVE_PATCH. A later change
 * gets a patch of its own, as usual; the next consolidation folds it in.
 */
export const DCV_CURRENT_PATCH = 'dcv-local-activities-in-turn';

/**
 * Since this patch a pre-check that passes while the run waits for its handlers to continue as new gets
 * its scan in this run (`requestedBeforeContinueAsNew`, workflows/entity-core.ts) instead of the next
 * run's, a retry-schedule step later. Asked only there and then (its marker recorded then), so runs that
 * continued as new without it, DCV_CURRENT_PATCH's among them, replay; outside `foldPatches` (asked with
 * `patched()`) until the next fold.
 */
export const DCV_SCAN_BEFORE_CONTINUE_AS_NEW_PATCH = 'dcv-requested-scan-before-continue-as-new';

/**
 * Methods whose record the service writes itself (`publishRecord`): the TXT behind the customer's CNAME
 * in the delegation zone, and the TXT at the customer's DNS provider. The manual methods' records are
 * the customer's, and the reverse proxy's file is answered from the database.
 */
export const SERVICE_PUBLISHED_METHODS: ReadonlySet<DcvMethod> = new Set<DcvMethod>(['dns_cname', 'dns_provider']);

export const precheckUpdate = defineUpdate<CheckOutcome, [{ actor: Actor }]>('precheck');
export const revalidateUpdate = defineUpdate<DomainState, [{ actor: Actor }]>('revalidate');
export const removeDomainUpdate = defineUpdate<void, [{ actor: Actor }]>('removeDomain');
/** Its administrator or organization was deleted: clean up what the service wrote and end. */
export const parentRemovedSignal = defineSignal('parentRemoved');
/**
 * DCV_REVALIDATE_BEFORE now asks for this validated domain's renewal sooner than the workflow planned
 * (the worker's pass, src/dcv/renewals-due.ts): read the renewal time again (`renewalTime`). Nothing else.
 */
export const replanRenewalSignal = defineSignal('replanRenewal');

/** Derived from the service's task queue, so two deployments on one namespace never share perspectives. */
export function perspectiveTaskQueue(serviceTaskQueue: string, name: string): string {
  return `${serviceTaskQueue}.perspective.${name}`;
}
