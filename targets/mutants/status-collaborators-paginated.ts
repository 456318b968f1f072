/** Breaks E10: DashboardCollaboratorViewSet sets pagination_class = None (a bare array); this one wraps it in the paginated envelope. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'status-collaborators-paginated',
  description: 'GET collaborators answers a paginated {count, next, previous, results} envelope instead of a bare array.',
  catches: ['status.body-schema'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    dashboardsCollaboratorsList(ctx: HandlerContext) {
      const r = super.dashboardsCollaboratorsList(ctx);
      return r.status === 200 ? { ...r, body: this.paginate(ctx.req, r.body as unknown[]) } : r;
    }
  })(),
});
