import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { AppContext } from '../app/context';
import type { BulkLane } from './bulk-lane';
import type { ConsoleSettings } from '../console/settings';
import type { Db } from '../db/connect';
import { claimUpdateKey, findUpdateKey, type Idempotency, recordUpdateAnswer, type UpdateAnswer } from '../db/idempotent-create';
import { wasDeleted } from '../db/events';
import type { Principal } from '../db/principals';
import { idempotencyKey } from './idempotency-key';
import { notFound, parse, Problem, problemBody } from './problem';
import type { Readiness } from './readiness';
import { log } from '../log';
import type { ServiceMetrics } from '../metrics';

/** The API's context: the use cases' (src/app/context.ts) and what only the HTTP edge needs. */
export interface ApiContext extends AppContext {
  /** The Temporal payload codec, served at /codec for the Temporal UI and CLI. */
  codec: PayloadCodec;
  /** Origins of the Temporal UI allowed to call /codec (TEMPORAL_UI_ORIGIN). */
  uiOrigins: readonly string[];
  /** Readiness (database, migrations, Temporal, search attributes); each probe bounded by `probeTimeoutMs(requestDeadlineMs)`, in parallel. */
  ready: () => Promise<Readiness>;
  /** REQUEST_DEADLINE in milliseconds: every request is answered within it (503 + Retry-After past it). Default 5 s. */
  requestDeadlineMs?: number;
  /** False until this process's SECRET_KEY was checked against the database's record (src/db/secret-key-check.ts): every request but the probes and the docs answers 503 meanwhile. Unset: checked. */
  secretKeyChecked?: () => boolean;
  /** CREATE_CONCURRENCY: creates in progress at once in this process (the bulk lane, src/api/bulk-lane.ts). */
  createConcurrency: number;
  /** CREATE_YIELD_MAX in milliseconds: how long a create about to start holds back for reviewers' decisions in progress (0: not at all). Default 1 s. */
  createYieldMaxMs?: number;
  /** The web console's settings (src/console/settings.ts); defaults when unset (tests of the API alone). */
  console?: ConsoleSettings;
  /** Set by createApp: the bulk lane, shared by every create route. */
  bulkLane?: BulkLane;
  /** Where requests are observed (http_request_duration_seconds); the process serves it on METRICS_LISTEN. */
  metrics?: Pick<ServiceMetrics, 'httpRequestDuration'>;
}

const uuid = z.uuid();

/** A path id that is not a UUID cannot name anything: 404, never a database error. */
export function pathId(req: Request, name: string, what: string): string {
  const value = req.params[name];
  if (!uuid.safeParse(value).success) throw notFound(`${what} ${value}`);
  return String(value);
}

/**
 * The Idempotency-Key header with a fingerprint of what it was sent with: method, full path (the
 * mounting routers' part included, so one key sent to two administrators' domains is two requests) and
 * body. One field only: a second `Idempotency-Key` field would be joined into another key by the HTTP
 * parser, so it answers 400 (draft-ietf-httpapi-idempotency-key-header §2.1: one sf-string).
 */
export function idempotencyOf(req: Request): Idempotency | undefined {
  const fields = req.headersDistinct['idempotency-key'];
  if (fields === undefined) return undefined;
  if (fields.length > 1) {
    throw new Problem(400, 'Invalid request', `the Idempotency-Key header was sent ${fields.length} times; send it once`, {
      errors: [{ field: 'Idempotency-Key', message: 'sent more than once', rule: 'single-field' }],
    });
  }
  const key = parse(idempotencyKey, fields[0], ['Idempotency-Key']);
  const fingerprintOf = (path: string, body: string) => createHash('sha256').update(`${req.method} ${path} ${body}`).digest('hex');
  const sent = JSON.stringify(req.body ?? null);
  return {
    key,
    // The request as the API reads it: an id in upper case, a trailing slash or the body's keys in another order are the same request.
    fingerprint: fingerprintOf(`${req.baseUrl}${req.path}`.toLowerCase().replace(/(.)\/+$/, '$1'), canonicalJson(req.body ?? null)),
    // Keys stored by earlier releases (fingerprint versions 1 and 2): a retry sent across the upgrade still matches.
    formerFingerprints: [fingerprintOf(req.path, sent), fingerprintOf(`${req.baseUrl}${req.path}`, sent)],
  };
}

/** JSON with every object's keys in sorted order (RFC 8785's ordering for the ASCII keys the API takes). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What an update route answers: its status and body (none for 204). */
export type Answer = UpdateAnswer;

/** What an update route learns of its Idempotency-Key. */
export interface UpdateKey {
  /** Claims the key for this request and gives the Temporal update ID to send the update under (none without a key). */
  claim(): Promise<string | undefined>;
  /** An earlier attempt of this same request was sent (its answer was lost, e.g. a 503): it may have taken effect. */
  retried: boolean;
}

/**
 * An update route (edit, resubmit, decision, revalidate, delete) run at most once per Idempotency-Key.
 * A retry of a request that finished gets its first answer back (2xx, or the workflow's 4xx refusal),
 * even once the entity moved on or was deleted; the same key with another request answers 422. The key
 * is claimed only when `run` is about to send its update (`key.claim()`), so a request refused before
 * (a bad body, an unknown id) leaves it free. The update ID is derived from the key (hashed, so any key
 * length fits Temporal's limit): a retry while the first attempt still runs joins it. Without a key the
 * request simply runs.
 */
export function idempotentUpdate(ctx: Pick<ApiContext, 'db'>, run: (req: Request, res: Response, key: UpdateKey) => Promise<Answer>): RequestHandler {
  return async (req, res) => {
    const principal = res.locals.principal as Principal;
    const idempotency = idempotencyOf(req);
    const found = idempotency ? await findUpdateKey(ctx.db, principal, idempotency) : { claimed: false };
    if (found.answer) return send(res, found.answer);
    let sent = false;
    const key: UpdateKey = {
      retried: found.claimed,
      async claim() {
        if (!idempotency) return undefined;
        // The fingerprint the key was first claimed with: a retry's update ID is its first attempt's.
        const fingerprint = await claimUpdateKey(ctx.db, principal, idempotency);
        sent = true;
        return `idempotency:${createHash('sha256').update(`${idempotency.key} ${fingerprint}`).digest('hex')}`;
      },
    };
    const keep = async (answer: Answer) => {
      // The outcome stands whatever happens here: a lost answer only means a retry asks Temporal again.
      if (!idempotency || !sent) return;
      await recordUpdateAnswer(ctx.db, principal, idempotency, answer).catch((error) =>
        log.warn(`could not keep the answer of Idempotency-Key ${idempotency.key}: ${error.message}`),
      );
    };
    let answer: Answer;
    try {
      answer = await run(req, res, key);
    } catch (error) {
      // The workflow's refusal (409, 404, 400) is the request's answer too; an outage (503) is not.
      if (error instanceof Problem && error.status >= 400 && error.status < 500) await keep({ status: error.status, body: problemBody(error, req) });
      throw error;
    }
    await keep(answer);
    send(res, answer);
  };
}

/**
 * A DELETE that answers 204 once it took effect: the retry of an attempt whose answer was lost (a 503
 * while the delete still committed) finds the row gone and its deletion in the audit trail (`audited`;
 * otherwise the key its first attempt claimed once it had found the row is the proof), and answers 204
 * as the first attempt would have, not 404.
 */
export async function deleteOnce<Row>(
  db: Db,
  key: UpdateKey,
  accountId: string,
  id: string,
  load: () => Promise<Row>,
  remove: (row: Row, updateId?: string) => Promise<unknown>,
  audited = true,
): Promise<Answer> {
  let row: Row;
  try {
    row = await load();
  } catch (error) {
    if (key.retried && error instanceof Problem && error.status === 404 && (!audited || (await wasDeleted(db, accountId, id)))) return { status: 204 };
    throw error;
  }
  await remove(row, await key.claim());
  return { status: 204 };
}

function send(res: Response, answer: Answer): void {
  if (answer.status >= 400) res.type('application/problem+json');
  if (answer.body === undefined) res.status(answer.status).end();
  else res.status(answer.status).json(answer.body);
}

export function bodyOf(req: Request): unknown {
  return req.body === undefined ? {} : req.body;
}
