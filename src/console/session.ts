import { randomBytes } from 'node:crypto';
import type { CookieOptions, RequestHandler, Response } from 'express';
import type { Db } from '../db/connect';
import { deleteExpiredSessions, endSession, findSession, openSession, type SessionUser, touchSession } from '../db/console-sessions';
import { addDuration } from '../domain/duration';
import type { ConsoleSettings } from './settings';

/**
 * Server-side sessions (OWASP Session Management Cheat Sheet): the cookie holds 256 random bits, the
 * `console_sessions` table their sha256 with the user and the expiry. Cookies are HttpOnly and SameSite=Lax
 * (a link from an email still opens the console signed in; every change is a POST with a CSRF token), and
 * with CONSOLE_SECURE_COOKIES `Secure` with the `__Host-` prefix (no Domain, Path=/). A session ends after
 * CONSOLE_SESSION_IDLE unused and CONSOLE_SESSION_LIFETIME after sign-in in any case; signing in opens a
 * new session (no fixation), signing out deletes it.
 */
export interface SessionCookies {
  session: string;
  preSession: string;
  options: CookieOptions;
}

export function sessionCookies(settings: Pick<ConsoleSettings, 'secureCookies'>): SessionCookies {
  const prefix = settings.secureCookies ? '__Host-' : '';
  return {
    session: `${prefix}cps_session`,
    preSession: `${prefix}cps_pre`,
    options: { httpOnly: true, sameSite: 'lax', secure: settings.secureCookies, path: '/' },
  };
}

/** How often a session's idle expiry is written while it is used (not on every request). */
const TOUCH_EVERY_MS = 60_000;

const idleExpiry = (settings: Pick<ConsoleSettings, 'sessionIdle' | 'sessionLifetime'>, createdAt: Date, now: Date) =>
  new Date(Math.min(addDuration(now, settings.sessionIdle).getTime(), addDuration(createdAt, settings.sessionLifetime).getTime()));

/** Reads the session cookie: `res.locals.user` is the signed-in user, `res.locals.sessionToken` the cookie's value. */
export function loadSession(db: Db, settings: ConsoleSettings): RequestHandler {
  const cookies = sessionCookies(settings);
  return async (_req, res, next) => {
    const token = (res.locals.cookies as Record<string, string | undefined>)[cookies.session];
    if (token) {
      const now = new Date();
      const found = await findSession(db, token, now);
      if (found) {
        res.locals.user = found.user satisfies SessionUser;
        res.locals.sessionToken = token;
        if (now.getTime() - found.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(db, token, now, idleExpiry(settings, found.createdAt, now));
      } else {
        res.clearCookie(cookies.session, cookies.options);
      }
    }
    next();
  };
}

/** Opens a new session for the user and sets its cookie (a session cookie: it ends with the browser, or at the expiry). */
export async function startSession(db: Db, settings: ConsoleSettings, res: Response, userId: string): Promise<void> {
  const now = new Date();
  await deleteExpiredSessions(db, now);
  const token = await openSession(db, userId, now, idleExpiry(settings, now, now));
  const cookies = sessionCookies(settings);
  res.cookie(cookies.session, token, cookies.options);
  res.clearCookie(cookies.preSession, cookies.options);
}

export async function stopSession(db: Db, settings: ConsoleSettings, res: Response): Promise<void> {
  const token = res.locals.sessionToken as string | undefined;
  if (token) await endSession(db, token);
  const cookies = sessionCookies(settings);
  res.clearCookie(cookies.session, cookies.options);
}

/**
 * The cookie the visitor's CSRF token is bound to: the session's, or before sign-in a pre-session cookie
 * (random, set here when missing) so the sign-in and invitation forms are protected too.
 */
export function csrfCookieValue(settings: ConsoleSettings, res: Response): string {
  const session = res.locals.sessionToken as string | undefined;
  if (session) return session;
  const cookies = sessionCookies(settings);
  const existing = (res.locals.cookies as Record<string, string | undefined>)[cookies.preSession];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const value = randomBytes(32).toString('base64url');
  res.cookie(cookies.preSession, value, cookies.options);
  (res.locals.cookies as Record<string, string>)[cookies.preSession] = value;
  return value;
}
