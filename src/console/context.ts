import type { Response } from 'express';
import type { ApiContext } from '../api/context';
import type { SessionUser } from '../db/console-sessions';
import type { Actor } from '../domain/vocabulary';
import type { ConsoleSettings } from './settings';

/** What the console's pages need: the API's context (the same use cases, database and workflows) and its settings. */
export interface ConsoleContext extends ApiContext {
  settings: ConsoleSettings;
}

/** A path inside the console to go back to (a redirect target taken from a request), else its home. */
export function localPath(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return /^\/console(\/[^\\]*)?$/.test(text) && !text.startsWith('//') ? text : '/console/';
}

export const userOf = (res: Response) => res.locals.user as SessionUser;

/**
 * The signed-in customer as the use cases know callers: the account, and the actor its changes are
 * recorded under (the console user; the audit trail names them by their name).
 */
export function customerOf(res: Response): { accountId: string; actor: Actor } {
  const user = userOf(res);
  return { accountId: user.accountId!, actor: { kind: 'customer', id: user.id } };
}

/** The signed-in reviewer: the reviewer the review history names. */
export function reviewerOf(res: Response): { reviewerId: string; name: string; actor: Actor } {
  const user = userOf(res);
  return { reviewerId: user.reviewerId!, name: user.name, actor: { kind: 'reviewer', id: user.reviewerId! } };
}
