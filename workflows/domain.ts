import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DomainActivities } from '../activities/domains';
import type { PerspectiveActivities } from '../activities/perspective';
import type { CheckResult } from '../src/dcv/result-codes';
import { domainDetails } from '../src/domain/operator-view';
import { FAILURE } from '../src/domain/vocabulary';
import { NEEDS_ATTENTION } from '../src/temporal/search-attributes';
import {
  CA_SIDE_FAULT,
  CUSTOMER_SIDE_WRITE_FAULT,
  DNS_WRITE_REFUSED,
  WRITE_FAULTS_PATCH,
  type CheckKind,
  type CheckOutcome,
  type CheckRequest,
  DCV_CURRENT_PATCH,
  DCV_IN_TURN_ONCE_LIVE_PATCH,
  DCV_SCAN_BEFORE_CONTINUE_AS_NEW_PATCH,
  DCV_ONE_READ_PATCH,
  DCV_RENEWAL_SETTINGS_PATCH,
  type DcvSettings,
  type DomainState,
  type DomainWorkflowInput,
  DCV_FAULTS_PATCH,
  DCV_LEAN_PATCH,
  DCV_LOCAL_WRITES_PATCH,
  parentRemovedSignal,
  perspectiveTaskQueue,
  precheckUpdate,
  removeDomainUpdate,
  replanRenewalSignal,
  revalidateUpdate,
  SERVICE_PUBLISHED_METHODS,
} from './domain-messages';
import { callerFacing, EntityCore } from './entity-core';
import { LocalActivityLane } from './local-activity-lane';
import { localWriteOptions } from './local-writes';
import { foldPatches } from './patches';
import type { Actor } from './messages';

const db = proxyActivities<DomainActivities>({
  // Database work is bounded by the request deadline's statement timeout; a worker that died mid-activity is noticed after this.
  startToCloseTimeout: '15 seconds',
  retry: { nonRetryableErrorTypes: [FAILURE.conflict, FAILURE.notFound, 'DnsWriteRefused'] },
});

/** Runs before this patch locked handlers with `condition()` (no mutex) and could take a change for a timer. */
const DOMAIN_CORE_PATCH = 'domain-entity-core';

/**
 * Every patch this workflow asks, oldest first; DCV_ONE_READ_PATCH and DCV_CURRENT_PATCH each stand for
 * those before them. DCV_IN_TURN_ONCE_LIVE_PATCH, written after DCV_CURRENT_PATCH, is placed before it:
 * runs since DCV_CURRENT_PATCH take turns from their start, all that patch asks.
 */
const PATCHES = {
  order: [
    DCV_FAULTS_PATCH,
    DOMAIN_CORE_PATCH,
    DCV_LEAN_PATCH,
    WRITE_FAULTS_PATCH,
    DCV_LOCAL_WRITES_PATCH,
    DCV_ONE_READ_PATCH,
    DCV_RENEWAL_SETTINGS_PATCH,
    DCV_IN_TURN_ONCE_LIVE_PATCH,
    DCV_CURRENT_PATCH,
  ],
  folds: [DCV_ONE_READ_PATCH, DCV_CURRENT_PATCH],
};

/** Configuration as the worker has it now: cheap, so read before every wait on the retry schedule (runs before DCV_ONE_READ_PATCH: every wait) and, with the row (`checkInput`), at every check. */
const configReads = proxyLocalActivities<Pick<DomainActivities, 'dcvSettings'>>({ startToCloseTimeout: '10 seconds' });

/**
 * The scan's short transactions in the worker (lean path): each is idempotent on its retry (workflows/local-writes.ts)
 * and holds the workflow task open for a few milliseconds instead of a task queue round trip.
 */
const scanWriteActivities = proxyLocalActivities<Pick<DomainActivities, 'recordCheck' | 'beginScanAfterRecheck' | 'finishScan'>>(
  localWriteOptions([FAILURE.conflict, FAILURE.notFound]),
);

/** One primary-key read in the worker (lean path), with the settings since DCV_ONE_READ_PATCH (`checkInput`), or the renewal time as configured now (`renewalTime`): no task queue round trip. */
const rowReads = proxyLocalActivities<Pick<DomainActivities, 'checkRequest' | 'checkInput' | 'renewalTime'>>({ startToCloseTimeout: '10 seconds' });

/**
 * Writing to DNS talks to servers outside the service: bounded retries, then the domain fails with the
 * reason when the customer's side failed (DnsWriteRefused, CustomerSideWriteFault); any other failure
 * is the CA's: the domain waits, flagged, and publishes again.
 */
const dnsWrite = proxyActivities<Pick<DomainActivities, 'publishRecord'>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: [DNS_WRITE_REFUSED] },
});

/** Taking a record down must not hold up a delete: bounded well inside the API's wait, then reported. */
const dnsCleanup = proxyActivities<Pick<DomainActivities, 'unpublishRecord'>>({
  startToCloseTimeout: '8 seconds',
  scheduleToCloseTimeout: '15 seconds',
  retry: { maximumAttempts: 2 },
});

const causeOf = (error: unknown) => {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
};

const failureType = (error: unknown) => (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause.type : undefined);
const isCaSide = (error: unknown) => failureType(error) === CA_SIDE_FAULT;
/** A write the customer's side failed; anything else (a timeout, an unexplained error) is the CA's to retry. */
const isCustomerSideWrite = (error: unknown) => [DNS_WRITE_REFUSED, CUSTOMER_SIDE_WRITE_FAULT].includes(failureType(error) ?? '');

/** A perspective that does not answer in time counts as a failed perspective, never as a stuck workflow. */
function perspective(name: string) {
  return proxyActivities<PerspectiveActivities>({
    taskQueue: perspectiveTaskQueue(workflowInfo().taskQueue, name),
    scheduleToCloseTimeout: '2 minutes',
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 2 },
  });
}

/** Every named perspective's answer to `request`, asked in parallel, in the order named. */
function ask(names: string[], request: CheckRequest): Promise<CheckResult[][]> {
  return Promise.all(
    names.map((name) =>
      perspective(name)
        .checkDomain(request)
        .catch((error) => unavailable(name, error)),
    ),
  );
}

function unavailable(name: string, error: unknown): CheckResult[] {
  const detail = `perspective ${name} did not answer: ${error instanceof Error ? error.message : String(error)}`;
  return [{ perspective: name, code: 'perspective_unavailable', passed: false, expected: 'an answer from the perspective', observed: [], detail }];
}

/**
 * One domain's validation for its whole life: waiting for the record on a backoff schedule, the
 * multi-perspective CA scan with its quorum, expiry at the end of the reuse period and, for the
 * automatic methods, renewal with a fresh random value before that.
 */
export async function domainValidationWorkflow(input: DomainWorkflowInput): Promise<void> {
  const domain = input.domain;
  const { current: latest, since } = foldPatches(PATCHES);
  const oneRead = since(DCV_ONE_READ_PATCH);
  // Runs recorded before the lane take turns from the first contention they meet live (its own marker).
  const lane = new LocalActivityLane(latest || (() => since(DCV_IN_TURN_ONCE_LIVE_PATCH)));
  const [config, reads, scanWrites] = [lane.wrap(configReads), lane.wrap(rowReads), lane.wrap(scanWriteActivities)];
  let organizationName = input.organizationName;
  // Runs recorded before the fault-sides patch had no NeedsAttention attribute.
  const entity = new EntityCore<DomainState>(
    input.state,
    !since(DOMAIN_CORE_PATCH),
    (s) => (since(DCV_FAULTS_PATCH) ? [{ key: NEEDS_ATTENTION, value: s.needsAttention }] : []),
    (s) => domainDetails(domain, organizationName, s),
  );
  const apply = (next: DomainState) => entity.apply(next);
  let checkNow = false;
  let scans = input.scans ?? 0;
  let published = input.published;
  let republish = input.republish ?? false;

  let settings: DcvSettings | undefined;
  /** Perspectives, retry schedule and max scans as configured now (runs recorded before the patch read them once). */
  async function currentSettings(): Promise<DcvSettings> {
    if (since(DCV_FAULTS_PATCH)) return (settings = await config.dcvSettings());
    return (settings ??= await db.dcvSettings());
  }

  /** The settings as configured now and the row's request, read in the worker: one local activity (runs recorded before DCV_ONE_READ_PATCH: two). */
  async function checkInput(): Promise<[DcvSettings, CheckRequest]> {
    if (!oneRead) return Promise.all([currentSettings(), reads.checkRequest(domain.id)]);
    const input = await reads.checkInput(domain.id);
    return [(settings = input.settings), input.request];
  }

  /** When the next wake is; the settings are read for it only when the wait follows the retry schedule. */
  function plannedWake(state: DomainState): number | null | Promise<number | null> {
    if (!followsRetrySchedule(state) && oneRead) return nextWake(state, [], Date.now());
    return currentSettings().then(({ retryScheduleMs }) => nextWake(state, retryScheduleMs, Date.now()));
  }

  async function check(kind: CheckKind, names?: string[], current?: DcvSettings): Promise<CheckOutcome> {
    // Lean: the settings and the row read in the worker.
    const [{ perspectives }, request] = since(DCV_LEAN_PATCH)
      ? current
        ? await Promise.all([current, reads.checkRequest(domain.id)])
        : await checkInput()
      : [current ?? (await currentSettings()), await db.checkRequest(domain.id)];
    return db.recordCheck(domain.id, kind, await ask(names ?? perspectives, request), { renewing: entity.state.renewing });
  }

  /**
   * Publishes the value where the service writes it. A customer-side failure fails the domain with the
   * reason instead of the workflow; a CA-side one flags it and publishes again at the next wake.
   */
  async function publish(): Promise<boolean> {
    // Nothing for the service to write (manual methods, the reverse proxy's file): nothing scheduled.
    if (!SERVICE_PUBLISHED_METHODS.has(domain.method) && since(DCV_LEAN_PATCH)) return true;
    try {
      published = (await dnsWrite.publishRecord(domain, published)) ?? published;
      if (republish) {
        republish = false;
        if (entity.state.needsAttention) apply(await db.setAttention(domain.id, null, entity.state));
      }
      return true;
    } catch (error) {
      if ((isCaSide(error) && since(DCV_FAULTS_PATCH)) || (!isCustomerSideWrite(error) && since(WRITE_FAULTS_PATCH))) {
        republish = true;
        const reason = isCaSide(error) ? causeOf(error) : `CA side: the record could not be published: ${causeOf(error)}`;
        apply(await db.setAttention(domain.id, { side: 'ca', reason }, { ...entity.state, attempt: entity.state.attempt + 1 }));
        return false;
      }
      apply(await db.failDomain(domain.id, causeOf(error), entity.state));
      return false;
    }
  }

  /** Removes what the service published; returns why it could not, for the audit trail. */
  async function unpublish(): Promise<string | undefined> {
    if (!SERVICE_PUBLISHED_METHODS.has(domain.method) && since(DCV_LEAN_PATCH)) return undefined;
    try {
      await dnsCleanup.unpublishRecord(domain, published);
      published = undefined;
      return undefined;
    } catch (error) {
      return `the service could not remove the TXT record it published; remove it by hand (${causeOf(error)})`;
    }
  }

  async function takeDown(): Promise<void> {
    const problem = await unpublish();
    if (problem) await db.reportRecordLeft(domain, problem);
  }

  /** dns_provider: not before the record is on every authoritative server of the customer's zone. */
  async function providerRecordReady(): Promise<boolean> {
    if (domain.method !== 'dns_provider') return true;
    const everywhere = await db.providerRecordEverywhere(domain);
    if (!everywhere.ready)
      apply({ ...entity.state, attempt: entity.state.attempt + 1, needsAttention: everywhere.needsAttention ?? entity.state.needsAttention });
    return everywhere.ready;
  }

  /**
   * The CA scan, lean: the settings and the row read in the worker, a quick look from the first
   * perspective, and only once it sees the record the scan, which asks the others in parallel while
   * the recheck is recorded and the status set in one transaction, and then stores every answer (the
   * quick look's included) with the verdict in another.
   */
  async function leanScan(): Promise<void> {
    if (!(await providerRecordReady())) return;
    const [current, request] = await checkInput();
    const [first, ...others] = current.perspectives;
    const quick = await ask(first === undefined ? [] : [first], request);
    const writes = since(DCV_LOCAL_WRITES_PATCH) ? scanWrites : db;
    // One perspective's quorum is all of its results passing (BR §3.2.2.9 with one perspective).
    if (!quick.length || !quick[0].every((result) => result.passed)) {
      const recheck = await writes.recordCheck(domain.id, 'recheck', quick, { renewing: entity.state.renewing });
      return apply({ ...entity.state, attempt: entity.state.attempt + 1, needsAttention: recheck.needsAttention ?? entity.state.needsAttention });
    }
    const [begun, answers] = await Promise.all([writes.beginScanAfterRecheck(domain.id, quick, entity.state), ask(others, request)]);
    apply(begun);
    const thisScan = scans + 1;
    const { outcome, state } = await writes.finishScan(domain.id, [...quick, ...answers], thisScan, entity.state);
    // A scan the CA's side spoiled is not the customer's: it does not count towards the maximum.
    if (outcome.faultSide !== 'ca') scans = thisScan;
    apply(state);
    if (!outcome.passed && entity.state.renewing)
      apply({ ...entity.state, attempt: entity.state.attempt + 1, needsAttention: outcome.needsAttention ?? entity.state.needsAttention });
    if (outcome.passed && domain.method === 'dns_provider') await takeDown();
  }

  async function scan(): Promise<void> {
    if (since(DCV_LEAN_PATCH)) return leanScan();
    const faultSides = since(DCV_FAULTS_PATCH);
    if (!(await providerRecordReady())) return;
    // A cheap look from one perspective first; the full scan only once the record is there.
    const current = await currentSettings();
    const recheck = await check('recheck', current.perspectives.slice(0, 1), current);
    if (!recheck.passed) {
      if (faultSides) apply({ ...entity.state, attempt: entity.state.attempt + 1, needsAttention: recheck.needsAttention ?? entity.state.needsAttention });
      else if (entity.state.renewing) apply(await db.flagAttention(domain.id, recheck, { ...entity.state, attempt: entity.state.attempt + 1 }));
      else apply({ ...entity.state, attempt: entity.state.attempt + 1 });
      return;
    }
    if (!entity.state.renewing) apply(await db.beginScan(domain.id));
    const thisScan = scans + 1;
    const outcome = await check('scan', undefined, current);
    // A scan the CA's side spoiled is not the customer's: it does not count towards the maximum.
    if (!faultSides || outcome.faultSide !== 'ca') scans = thisScan;
    apply(await db.completeScan(domain.id, outcome, thisScan, entity.state));
    if (!outcome.passed && entity.state.renewing) {
      if (faultSides) apply({ ...entity.state, attempt: entity.state.attempt + 1, needsAttention: outcome.needsAttention ?? entity.state.needsAttention });
      else apply(await db.flagAttention(domain.id, outcome, { ...entity.state, attempt: entity.state.attempt + 1 }));
    }
    if (outcome.passed && domain.method === 'dns_provider') await takeDown();
  }

  setHandler(
    precheckUpdate,
    async () => {
      const outcome = await callerFacing(() => check('precheck'), entity.markRemoved);
      if (outcome.passed && entity.state.status === 'pending') {
        checkNow = true;
        entity.touch();
      }
      return outcome;
    },
    { validator: (_request: { actor: Actor }) => entity.ensureNotRemoved('domain') },
  );

  setHandler(
    revalidateUpdate,
    ({ actor }) =>
      entity.exclusive(async () => {
        apply(await callerFacing(() => db.rotateRandomValue(domain.id, 'restart', actor), entity.markRemoved));
        scans = 0;
        checkNow = await publish();
        return entity.state;
      }),
    {
      validator: (_request: { actor: Actor }) => {
        entity.ensureNotRemoved('domain');
        if (entity.state.status === 'verifying')
          throw ApplicationFailure.create({ type: FAILURE.conflict, message: 'a CA scan is running; retry when it ends' });
      },
    },
  );

  setHandler(
    removeDomainUpdate,
    ({ actor }) =>
      entity.exclusive(async () => {
        await db.removeDomain(domain, actor, await unpublish());
        entity.markRemoved();
      }),
    { validator: (_request: { actor: Actor }) => entity.ensureNotRemoved('domain') },
  );

  // A lead lengthened since the domain validated: the renewal time as configured now, planned again (the loop
  // wakes at once when it has passed). A domain pending, renewing or removed has no renewal to move.
  setHandler(replanRenewalSignal, () =>
    entity.exclusive(async () => {
      if (entity.removed || entity.state.status !== 'validated' || entity.state.renewing) return;
      await replanRenewal();
    }),
  );

  entity.followOrganizationName((name) => (organizationName = name));

  setHandler(parentRemovedSignal, () =>
    entity.exclusive(async () => {
      if (entity.removed) return;
      await takeDown();
      entity.markRemoved();
    }),
  );

  // Under the mutex (new runs): a revalidate accepted meanwhile must not publish its value before this one.
  if (!input.state.renewing && input.state.status === 'pending' && input.state.attempt === 0) await (entity.legacy ? publish() : entity.exclusive(publish));

  await entity.run({
    nextWake: plannedWake,
    requested: () => checkNow,
    async onWake() {
      const wasCheckNow = checkNow;
      checkNow = false;
      await step(wasCheckNow);
      // A domain that failed for good leaves nothing at the customer's provider (values from runs that did not track them stay).
      if (entity.state.status === 'failed' && domain.method === 'dns_provider' && published !== undefined) await takeDown();
    },
    continueAsNew: (state) => continueAsNew<typeof domainValidationWorkflow>({ ...input, state, published, scans, republish, organizationName }),
    continueAsNewAfterEvents: input.continueAsNewAfterEvents,
    // Asked only when a pre-check passed meanwhile: runs recorded before (DCV_CURRENT_PATCH's too) continued as new.
    requestedBeforeContinueAsNew: () => patched(DCV_SCAN_BEFORE_CONTINUE_AS_NEW_PATCH),
  });

  /**
   * Whether the renewal planned for now is due under DCV_REVALIDATE_BEFORE as configured now (runs
   * before DCV_RENEWAL_SETTINGS_PATCH renew as planned). A lead shortened since the domain validated
   * moves the renewal later (the loop waits for the new time); one lengthened takes effect now.
   */
  async function renewalStillDue(now: number): Promise<boolean> {
    if (!since(DCV_RENEWAL_SETTINGS_PATCH)) return true;
    const revalidateAt = await replanRenewal();
    return revalidateAt === null || now >= Date.parse(revalidateAt);
  }

  /** The renewal time under DCV_REVALIDATE_BEFORE as configured now (`renewalTime`), planned when it differs; null when the row has none. */
  async function replanRenewal(): Promise<string | null> {
    const revalidateAt = await reads.renewalTime(domain.id);
    if (revalidateAt !== null && revalidateAt !== entity.state.revalidateAt) apply({ ...entity.state, revalidateAt });
    return revalidateAt;
  }

  /** What the clock (or a passed pre-check) asks for now. */
  async function step(requested: boolean): Promise<void> {
    const now = Date.now();
    if (entity.state.status === 'pending') {
      if (now >= Date.parse(entity.state.randomValueExpiresAt)) return apply(await db.expireRandomValue(domain.id));
      // The CA's side could not publish the value last time: nothing to scan for until it can.
      if (republish && !(await publish())) return;
      return scan();
    }
    if (entity.state.status === 'validated') {
      if (entity.state.validUntil && now >= Date.parse(entity.state.validUntil)) return apply(await db.expireValidation(domain.id, entity.state));
      if (!entity.state.renewing && entity.state.revalidateAt && now >= Date.parse(entity.state.revalidateAt) && (await renewalStillDue(now))) {
        apply(await db.rotateRandomValue(domain.id, 'renew'));
        if (!(await publish()) && republish) return;
      } else if (republish && !(await publish())) return;
      if (entity.state.renewing || requested) return scan();
    }
  }
}

/** Whether the next wait of `state` is a step of DCV_RETRY_SCHEDULE: waiting for the record, first or again at renewal. */
export function followsRetrySchedule(state: DomainState): boolean {
  return state.status === 'pending' || (state.status === 'validated' && state.renewing);
}

/**
 * The next moment (ms since the epoch) the clock must act; null when only a message can move the domain
 * on. `retryScheduleMs` (DCV_RETRY_SCHEDULE, the last entry repeating) is read only when
 * {@link followsRetrySchedule}; throws if it is empty then.
 */
export function nextWake(state: DomainState, retryScheduleMs: readonly number[], now: number): number | null {
  const retry = () => {
    if (!retryScheduleMs.length) throw new Error('nextWake: the retry schedule is empty');
    return now + retryScheduleMs[Math.min(state.attempt, retryScheduleMs.length - 1)];
  };
  switch (state.status) {
    case 'pending':
      return Math.min(retry(), Date.parse(state.randomValueExpiresAt));
    case 'validated': {
      const until = state.validUntil ? Date.parse(state.validUntil) : Infinity;
      const next = state.renewing ? retry() : state.revalidateAt ? Date.parse(state.revalidateAt) : Infinity;
      const wake = Math.min(until, next);
      return Number.isFinite(wake) ? wake : null;
    }
    default:
      return null;
  }
}
