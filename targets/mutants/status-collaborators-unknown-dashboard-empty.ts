/** Breaks E10: PostHog looks the dashboard up first (404 "Dashboard not found."); this one just filters privileges by dashboard_id. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'status-collaborators-unknown-dashboard-empty',
  description: 'GET collaborators of an unknown dashboard answers 200 [] instead of 404.',
  catches: ['status.unknown-id-404'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    dashboardsCollaboratorsList(ctx: HandlerContext) {
      const r = super.dashboardsCollaboratorsList(ctx);
      return r.status === 404 ? { status: 200, body: [] } : r;
    }
  })(),
});
