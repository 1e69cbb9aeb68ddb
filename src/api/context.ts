import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { DcvConfig, Timings } from '../config';
import type { Db } from '../db/connect';
import { claimUpdateKey, type Idempotency, recordUpdateAnswer, type UpdateAnswer } from '../db/idempotent-create';
import type { Principal } from '../db/principals';
import type { DomainWorkflows } from '../temporal/domain-client';
import type { ProfileWorkflows } from '../temporal/profile-client';
import { notFound, parse } from './problem';

export interface ApiContext {
  db: Db;
  workflows: ProfileWorkflows;
  domains: DomainWorkflows;
  timings: Timings;
  dcv: DcvConfig;
  /** Seals DNS provider secrets. */
  secretKey: Buffer;
  /** Readiness: database and Temporal reachable; each probe bounded by `probeTimeoutMs(requestDeadlineMs)`, in parallel. */
  ready: () => Promise<{ database: boolean; temporal: boolean }>;
  /** REQUEST_DEADLINE in milliseconds: every request is answered within it (503 + Retry-After past it). Default 5 s. */
  requestDeadlineMs?: number;
}

const uuid = z.uuid();

/** A path id that is not a UUID cannot name anything: 404, never a database error. */
export function pathId(req: Request, name: string, what: string): string {
  const value = req.params[name];
  if (!uuid.safeParse(value).success) throw notFound(`${what} ${value}`);
  return String(value);
}

const idempotencyKey = z.string().min(1).max(255);

/** The Idempotency-Key header with a fingerprint of what it was sent with (method, path, body). */
export function idempotencyOf(req: Request): Idempotency | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  parse(idempotencyKey, key, ['Idempotency-Key']);
  const fingerprint = createHash('sha256').update(`${req.method} ${req.path} ${JSON.stringify(req.body ?? null)}`).digest('hex');
  return { key, fingerprint };
}

/** What an update route answers: its status and body (none for 204). */
export type Answer = UpdateAnswer;

/**
 * An update route (edit, resubmit, decision, revalidate, delete) run at most once per Idempotency-Key.
 * The key is claimed for this request first (422 if it was used for another); a retry of a request
 * that finished gets its first answer back, even once the entity moved on or was deleted. `run` gets
 * the Temporal update ID derived from the key (hashed, so any key length fits Temporal's limit), so a
 * retry while the first is still running joins it. Without a key the request simply runs.
 */
export function idempotentUpdate(ctx: Pick<ApiContext, 'db'>, run: (req: Request, res: Response, updateId?: string) => Promise<Answer>): RequestHandler {
  return async (req, res) => {
    const principal = res.locals.principal as Principal;
    const idempotency = idempotencyOf(req);
    const first = idempotency ? await claimUpdateKey(ctx.db, principal, idempotency) : undefined;
    const answer =
      first ?? (await run(req, res, idempotency && `idempotency:${createHash('sha256').update(`${idempotency.key} ${idempotency.fingerprint}`).digest('hex')}`));
    if (idempotency && !first && answer.status < 300) {
      // The change is committed whatever happens here: a lost answer only means a retry asks Temporal again.
      await recordUpdateAnswer(ctx.db, principal, idempotency, answer).catch((error) =>
        console.warn(`[certificate-profiles] could not keep the answer of Idempotency-Key ${idempotency.key}: ${error.message}`),
      );
    }
    if (answer.body === undefined) res.status(answer.status).end();
    else res.status(answer.status).json(answer.body);
  };
}

export function bodyOf(req: Request): unknown {
  return req.body === undefined ? {} : req.body;
}
