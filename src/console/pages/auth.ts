import type { Request, Response } from 'express';
import { acceptInvitation, openInvitation, signIn } from '../../app/users';
import { Problem } from '../../problem';
import { type ConsoleContext, localPath } from '../context';
import { fieldErrors, isFormProblem } from '../forms';
import { render } from '../render';
import type { RouteTable } from '../routes';
import { startSession, stopSession } from '../session';

const home = (role: string) => (role === 'reviewer' ? '/console/reviews' : '/console/profile');

/** Sign-in, sign-out and invitations: how people get into the console. */
export function authPages(table: RouteTable, ctx: ConsoleContext): void {
  const signInPage = (req: Request, res: Response, data: Record<string, unknown> = {}, status = 200) =>
    render(res, 'sign-in.njk', { title: res.locals.t('signIn.title'), next: localPath(req.query.next ?? req.body?.next), email: '', ...data }, status);

  table.get('/sign-in', 'public', (req, res) => {
    if (res.locals.user) return res.redirect(303, home(res.locals.user.role));
    signInPage(req, res);
  });

  table.post('/sign-in', 'public', async (req, res) => {
    const email = String(req.body.email ?? '');
    try {
      const user = await signIn(
        ctx.db,
        { email, password: String(req.body.password ?? ''), address: req.ip ?? req.socket.remoteAddress ?? 'unknown' },
        ctx.settings,
      );
      await startSession(ctx.db, ctx.settings, res, user.id);
      const next = localPath(req.body.next);
      res.redirect(303, next === '/console/' ? home(user.role) : next);
    } catch (error) {
      if (!(error instanceof Problem) || (error.status !== 401 && error.status !== 429)) throw error;
      for (const [name, value] of Object.entries(error.extra.headers ?? {})) res.setHeader(name, value);
      const message =
        error.status === 429 ? res.locals.t('signIn.tooMany', { seconds: error.extra.headers?.['Retry-After'] ?? '' }) : res.locals.t('signIn.wrong');
      signInPage(req, res, { email, failure: message }, error.status);
    }
  });

  table.post('/sign-out', 'public', async (_req, res) => {
    await stopSession(ctx.db, ctx.settings, res);
    res.redirect(303, '/console/sign-in');
  });

  table.get('/invitations/:token', 'public', async (req, res) => {
    const user = await openInvitation(ctx.db, String(req.params.token));
    render(res, 'invitation.njk', { title: res.locals.t('invitation.title'), invited: user });
  });

  table.post('/invitations/:token', 'public', async (req, res) => {
    const token = String(req.params.token);
    try {
      const user = await acceptInvitation(ctx.db, token, { password: String(req.body.password ?? ''), confirmation: String(req.body.confirmation ?? '') });
      await startSession(ctx.db, ctx.settings, res, user.id);
      res.redirect(303, `${home(user.role)}?notice=welcome`);
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      const invited = await openInvitation(ctx.db, token);
      render(res, 'invitation.njk', { title: res.locals.t('invitation.title'), invited, errors: fieldErrors(error, res.locals.t) }, error.status);
    }
  });
}
