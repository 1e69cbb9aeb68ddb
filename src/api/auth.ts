import type { RequestHandler } from 'express';
import type { Db } from '../db/connect';
import { findPrincipal, type Principal } from '../db/principals';
import type { Actor } from '../../workflows/messages';
import { Problem } from './problem';
import type { Customer, Reviewer } from '../app/context';

const unauthorized = (detail: string) => new Problem(401, 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer realm="certificate-profiles"' } });

/** Resolves `Authorization: Bearer <key>` and admits only the given role. */
export function requireRole(db: Db, role: Principal['role']): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    if (!match) throw unauthorized('send an API key as "Authorization: Bearer <key>"');
    const principal = await findPrincipal(db, match[1]);
    if (!principal) throw unauthorized('the API key is not valid');
    if (principal.role !== role) {
      throw new Problem(403, 'Forbidden', role === 'reviewer' ? 'reviewer endpoints need a reviewer key' : 'reviewer keys reach only /v1/reviews');
    }
    res.locals.principal = principal;
    next();
  };
}

export function customerOf(res: { locals: Record<string, unknown> }): Extract<Principal, { role: 'customer' }> {
  return res.locals.principal as Extract<Principal, { role: 'customer' }>;
}

export function reviewerOf(res: { locals: Record<string, unknown> }): Extract<Principal, { role: 'reviewer' }> {
  return res.locals.principal as Extract<Principal, { role: 'reviewer' }>;
}

export function actorOf(principal: Principal): Actor {
  return principal.role === 'customer' ? { kind: 'customer', id: principal.keyId } : { kind: 'reviewer', id: principal.reviewerId };
}

/** The customer key's holder as the use cases (src/app) know callers: its account, and the key as the actor of its changes. */
export function customerCaller(res: { locals: Record<string, unknown> }): Customer {
  const principal = customerOf(res);
  return { accountId: principal.accountId, actor: actorOf(principal) };
}

/** The reviewer key's holder as the use cases know it. */
export function reviewerCaller(res: { locals: Record<string, unknown> }): Reviewer {
  const principal = reviewerOf(res);
  return { reviewerId: principal.reviewerId, actor: actorOf(principal) };
}
