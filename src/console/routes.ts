import { type RequestHandler, Router } from 'express';
import { Problem } from '../problem';
import { csrfValid } from './csrf';
import type { SessionUser } from '../db/console-sessions';

/** Who may open a console route: anyone, an account's users, its owners only, or CA reviewers. */
export type Access = 'public' | 'customer' | 'owner' | 'reviewer';

export interface ConsoleRoute {
  method: 'get' | 'post';
  /** Express path under /console, e.g. `/organizations/:id`. */
  path: string;
  access: Access;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Handler = (...args: Parameters<RequestHandler>) => unknown;

const allowed = (access: Access, user: SessionUser) =>
  access === 'reviewer' ? user.role === 'reviewer' : access === 'owner' ? user.role === 'owner' : user.role !== 'reviewer';

/**
 * The console's routes, each registered with who may open it, and recorded so tests can walk every one
 * (the security tests: another account's ids, a customer at the review desk, a POST without its token).
 * A visitor who is not signed in is sent to sign in; a signed-in user of the wrong kind gets 403. Every
 * POST must carry the CSRF token of the visitor's session (`_csrf`), or it is refused with 403 before
 * anything is read or written.
 */
export class RouteTable {
  readonly router = Router({ mergeParams: true });
  readonly routes: ConsoleRoute[] = [];

  constructor(private readonly csrfKey: Buffer) {
    // An id that is not a UUID names nothing: 404, never a database error.
    this.router.param('id', (_req, _res, next, value) => next(UUID.test(String(value)) ? undefined : new Problem(404, 'Not Found', 'there is no such page')));
  }

  get(path: string, access: Access, handler: Handler): void {
    this.routes.push({ method: 'get', path, access });
    this.router.get(path, this.guard(access), handler as RequestHandler);
  }

  post(path: string, access: Access, handler: Handler): void {
    this.routes.push({ method: 'post', path, access });
    this.router.post(path, this.guard(access), this.csrf(), handler as RequestHandler);
  }

  private guard(access: Access): RequestHandler {
    return (req, res, next) => {
      if (access === 'public') return next();
      const user = res.locals.user as SessionUser | undefined;
      if (!user) return res.redirect(303, `/console/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
      if (!allowed(access, user)) {
        throw new Problem(
          403,
          'Forbidden',
          access === 'reviewer'
            ? 'the review desk is for CA reviewers'
            : access === 'owner'
              ? "only the account's owners may do this"
              : 'this page is for customer accounts',
        );
      }
      next();
    };
  }

  private csrf(): RequestHandler {
    return (req, res, next) => {
      if (!csrfValid(this.csrfKey, res.locals.csrfCookie as string | undefined, (req.body as Record<string, unknown> | undefined)?._csrf)) {
        throw new Problem(403, 'Forbidden', 'the form is missing its security token or it has expired: reload the page and send it again');
      }
      next();
    };
  }
}
