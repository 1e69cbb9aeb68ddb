import type { Harness } from './harness';
import { acceptInvitation, createReviewerUser, inviteAccountUser } from '../../src/app/users';
import { parseDuration } from '../../src/domain/duration';

/** A password that meets the console's rules. */
export const PASSWORD = 'correct horse battery staple';

let users = 0;

/** A console user of a new account (its owner), with a password set; `accountId` adds the user to an existing account instead. */
export async function consoleCustomer(
  harness: Harness,
  options: { accountId?: string; role?: 'owner' | 'member'; name?: string } = {},
): Promise<{ email: string; password: string; accountId: string; userId: string }> {
  let accountId = options.accountId;
  if (!accountId) {
    const customer = await harness.customer(options.name ?? 'Console customer');
    accountId = customer.id;
  }
  const email = `user${++users}.${Date.now()}@acme.cn`;
  const invitation = await inviteAccountUser(
    harness.db,
    accountId,
    { email, name: options.name ?? `User ${users}`, role: options.role ?? 'owner' },
    parseDuration('1h'),
  );
  await acceptInvitation(harness.db, invitation.token, { password: PASSWORD, confirmation: PASSWORD });
  return { email, password: PASSWORD, accountId, userId: invitation.user.id };
}

/** A CA reviewer with a console user and a password set. */
export async function consoleReviewer(harness: Harness, name = `Reviewer ${++users}`): Promise<{ email: string; password: string; reviewerId: string }> {
  const email = `reviewer${++users}.${Date.now()}@ca.example.com`;
  const created = await createReviewerUser(harness.db, { name, email }, parseDuration('1h'));
  await acceptInvitation(harness.db, created.invitation.token, { password: PASSWORD, confirmation: PASSWORD });
  return { email, password: PASSWORD, reviewerId: created.reviewerId };
}

export interface PageResponse {
  status: number;
  headers: Headers;
  html: string;
  /** Where a redirect points. */
  location: string | null;
}

/** The CSRF token of a page's first form. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
}

/**
 * A browser without JavaScript, for HTTP-level console tests: keeps cookies, follows nothing by itself,
 * and posts forms with the CSRF token of the page it last loaded (unless told otherwise).
 */
export class ConsoleClient {
  private cookies = new Map<string, string>();
  lastHtml = '';

  constructor(readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<PageResponse> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...value] = pair.split('=');
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    const html = await response.text();
    if (response.headers.get('content-type')?.includes('html')) this.lastHtml = html;
    return { status: response.status, headers: response.headers, html, location: response.headers.get('location') };
  }

  get(path: string): Promise<PageResponse> {
    return this.request('GET', path);
  }

  /** Posts `form` with the CSRF token of the last page loaded (pass `_csrf` to override, or `null` to send none). */
  post(path: string, form: Record<string, string | null> = {}): Promise<PageResponse> {
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (v !== null) body[k] = v;
    if (!('_csrf' in form)) body._csrf = csrfOf(this.lastHtml);
    return this.request('POST', path, body);
  }

  /** Signs in (loading the sign-in page first for its token); returns the answer to the POST. */
  async signIn(email: string, password: string): Promise<PageResponse> {
    await this.get('/console/sign-in');
    return this.post('/console/sign-in', { email, password });
  }
}
