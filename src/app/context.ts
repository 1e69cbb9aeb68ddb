import type { DcvConfig, Timings } from '../config';
import type { Db } from '../db/connect';
import type { Idempotency } from '../db/idempotent-create';
import type { Actor } from '../domain/vocabulary';
import type { DomainWorkflows } from '../temporal/domain-client';
import type { ProfileWorkflows } from '../temporal/profile-client';
import type { WebhookWorkflows } from '../temporal/webhook-client';
import type { NotifyConfig } from '../notify/config';
import type { InteractivePresence } from '../db/interactive-presence';

/**
 * What the use cases work with: the read model, the entities' workflows, durations and DCV settings,
 * notification settings, and the key that seals DNS provider and webhook secrets. The API's context and
 * the console's both are one.
 */
export interface AppContext {
  db: Db;
  workflows: ProfileWorkflows;
  domains: DomainWorkflows;
  /** Wakes webhook endpoints' delivery workflows (redeliveries, tests, an endpoint enabled again). */
  webhooks: WebhookWorkflows;
  timings: Timings;
  dcv: DcvConfig;
  /** Webhooks' address allowance and secret overlap, email settings (src/notify/config.ts). */
  notify: NotifyConfig;
  /** Seals DNS provider and webhook secrets (AES-256-GCM, 32 bytes). */
  secretKey: Buffer;
  /** Reviewers' decisions in progress in this and the other API processes, which creates hold back for (src/db/interactive-presence.ts). */
  presence?: InteractivePresence;
}

/** A customer acting: the account whose objects they reach, and the actor the audit trail records (an API key, or a console user). */
export interface Customer {
  accountId: string;
  actor: Actor;
}

/** A CA reviewer acting: the reviewer the review history names. */
export interface Reviewer {
  reviewerId: string;
  actor: Actor;
}

/** What is left of a request's deadline (REQUEST_DEADLINE, src/api/deadline.ts). */
export interface Deadline {
  /** Its length, ms (REQUEST_DEADLINE). */
  ms: number;
  /** Aborts at the deadline. */
  signal: AbortSignal;
  /** Milliseconds left, keeping `marginMs` to answer (at least 1). */
  remaining(marginMs?: number): number;
}

/** A create's request: its deadline, and the Idempotency-Key it came with (a retry gets the first answer). */
export interface CreateRequest {
  deadline: Deadline;
  idempotency?: Idempotency;
}

/**
 * A create's outcome: its answer (201, or the Idempotency-Key's first answer), and its workflows starting
 * (src/app/start-after-commit.ts; never rejects). Send the answer, then await `workflowsStarted`: the
 * create keeps its place in the bulk lane until its workflows run (one more request deadline at most).
 */
export interface Submitted<T> {
  status: number;
  body: T;
  workflowsStarted: Promise<void>;
}

/**
 * Claims an update's Idempotency-Key right before its workflow update is sent and gives the update ID to
 * send it under (undefined without a key). The console's forms send none (`noKey`).
 */
export type ClaimKey = () => Promise<string | undefined>;
export const noKey: ClaimKey = async () => undefined;
