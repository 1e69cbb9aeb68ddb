import path from 'node:path';
import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import helmet from 'helmet';
import { parse as parseCookies } from 'cookie';
import type { ApiContext } from '../api/context';
import type { DeadlineAnswer } from '../api/deadline';
import { isDatabaseUnavailable } from '../db/unavailable';
import { Problem } from '../problem';
import { describeError, isTemporalUnavailable, serviceUnavailable } from '../temporal/update-errors';
import { log } from '../log';
import { csrfKeyOf, csrfToken } from './csrf';
import { hasMessage, LANGUAGE_COOKIE, localeOf, translator } from './i18n';
import { render } from './render';
import { type ConsoleRoute, RouteTable } from './routes';
import { csrfCookieValue, loadSession, sessionCookies } from './session';
import { type ConsoleSettings, consoleSettingsOf } from './settings';
import { TIME_ZONE_COOKIE, validTimeZone } from './time';
import { type ConsoleContext, localPath } from './context';
import { authPages } from './pages/auth';
import { homePages } from './pages/home';
import { profilePages } from './pages/profile';
import { domainPages } from './pages/domains';
import { accountPages } from './pages/account';
import { reviewPages } from './pages/reviews';
import { loggablePath } from '../api/request-observer';

/**
 * Content-Security-Policy of every console page: nothing but this origin's own files, no inline script or
 * style, no framing, forms posting only here (helmet sets the other security headers).
 */
function securityHeaders(settings: ConsoleSettings): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(settings.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: settings.secureCookies,
    // Invitation links carry their token in the path: never send it on as a referrer.
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** The web console under /console: customers' My Profile and the CA's review desk (issue 10). */
export function consoleRouter(api: ApiContext): Router & { routes: ConsoleRoute[] } {
  const settings = api.console ?? consoleSettingsOf({}, 'http://127.0.0.1:3000');
  const ctx: ConsoleContext = { ...api, settings };
  const csrfKey = csrfKeyOf(api.secretKey);
  const router = Router() as Router & { routes: ConsoleRoute[] };

  router.use(securityHeaders(settings));
  router.use('/static', express.static(path.join(__dirname, 'static'), { index: false, maxAge: '1h' }));
  router.use((req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    const cookies = parseCookies(req.headers.cookie ?? '');
    res.locals.cookies = cookies;
    const lang = localeOf(req, cookies);
    res.locals.lang = lang;
    res.locals.t = translator(lang);
    res.locals.timeZone = validTimeZone(cookies[TIME_ZONE_COOKIE]) ?? 'UTC';
    res.locals.here = req.originalUrl;
    const notice = `notice.${req.query.notice}`;
    if (hasMessage(notice)) res.locals.notice = res.locals.t(notice);
    // A page its request deadline overtakes is still a page (src/api/deadline.ts), not problem+json.
    res.locals.answerDeadline = ((problem) => errorPage(problem, req, res, () => undefined)) satisfies DeadlineAnswer;
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  router.use(loadSession(api.db, settings));
  router.use((_req, res, next) => {
    const cookies = sessionCookies(settings);
    const pre = (res.locals.cookies as Record<string, string | undefined>)[cookies.preSession];
    res.locals.csrfCookie = (res.locals.sessionToken as string | undefined) ?? pre;
    res.locals.csrf = csrfToken(csrfKey, csrfCookieValue(settings, res));
    next();
  });

  const table = new RouteTable(csrfKey);
  table.get('/language', 'public', (req, res) => {
    const lang = String(req.query.lang ?? '');
    if (lang === 'en' || lang === 'zh-CN')
      res.cookie(LANGUAGE_COOKIE, lang, { httpOnly: true, sameSite: 'lax', secure: settings.secureCookies, path: '/', maxAge: 365 * 86_400_000 });
    res.redirect(303, localPath(req.query.back));
  });
  authPages(table, ctx);
  homePages(table, ctx);
  profilePages(table, ctx);
  domainPages(table, ctx);
  accountPages(table, ctx);
  reviewPages(table, ctx);
  router.use(table.router);
  router.routes = table.routes;

  router.use(() => {
    throw new Problem(404, 'Not Found', 'there is no such page');
  });
  router.use(errorPage);
  return router;
}

const TITLES: Record<number, string> = {
  400: 'error.badRequest',
  401: 'error.unauthorized',
  403: 'error.forbidden',
  404: 'error.notFound',
  409: 'error.conflict',
  422: 'error.badRequest',
  429: 'error.tooMany',
  503: 'error.unavailable',
};

/** Errors as pages: a problem with its status and words, an outage as 503 with Retry-After, anything else a logged 500. */
const errorPage: ErrorRequestHandler = (error, req, res, _next) => {
  if (res.headersSent) return;
  let problem: Problem;
  if (error instanceof Problem) problem = error;
  else if (isDatabaseUnavailable(error) || isTemporalUnavailable(error)) {
    log.warn(`console ${req.method} ${loggablePath(req)}: dependency unavailable: ${describeError(error)}`);
    problem = serviceUnavailable('the service cannot reach its database or workflow service; try again in a moment');
  } else if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
    problem = new Problem(error.status, 'Bad Request', 'the request could not be read');
  } else {
    log.error({ err: error }, `console ${req.method} ${loggablePath(req)} failed`);
    problem = new Problem(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged');
  }
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) res.setHeader(name, value);
  // Before the console's own middleware ran (a body it could not read), the page still needs its words.
  if (!res.locals.t) {
    res.locals.lang = 'en';
    res.locals.t = translator('en');
    res.locals.timeZone = 'UTC';
    res.locals.csrf = '';
    res.locals.here = req.originalUrl;
  }
  const key = TITLES[problem.status] ?? 'error.unexpected';
  // An outage or a full lane (503): the viewer's own words for what to do, with the Retry-After it was sent.
  const retrySeconds = problem.status === 503 ? problem.extra.headers?.['Retry-After'] : undefined;
  render(
    res,
    'error.njk',
    { title: hasMessage(key) ? res.locals.t(key) : problem.title, detail: problem.detail, status: problem.status, retrySeconds },
    problem.status,
  );
};
