import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import type { DcvConfig, Timings } from '../config';
import type { Db } from '../db/connect';
import { claimUpdateKey, type Idempotency } from '../db/idempotent-create';
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

/**
 * The Temporal update ID of a request sent with an Idempotency-Key, once the key is claimed for this
 * request (422 if it was used for another): a retry of the same request gets the first result back.
 * Hashed, so any key length fits Temporal's limit.
 */
export async function updateIdOf(db: Db, principal: Principal, req: Request): Promise<string | undefined> {
  const idempotency = idempotencyOf(req);
  if (!idempotency) return undefined;
  await claimUpdateKey(db, principal, idempotency);
  return `idempotency:${createHash('sha256').update(`${idempotency.key} ${idempotency.fingerprint}`).digest('hex')}`;
}

export function bodyOf(req: Request): unknown {
  return req.body === undefined ? {} : req.body;
}
