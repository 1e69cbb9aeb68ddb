import type { ConsoleContext } from '../context';
import type { RouteTable } from '../routes';

/** `/console/`: where each kind of user starts. */
export function homePages(table: RouteTable, _ctx: ConsoleContext): void {
  table.get('/', 'public', (_req, res) => {
    const user = res.locals.user;
    res.redirect(303, !user ? '/console/sign-in' : user.role === 'reviewer' ? '/console/reviews' : '/console/profile');
  });
}
