/** Breaks E8: DashboardBasic items carry `restriction_level`; this list drops it. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'status-dashboard-list-no-restriction-level',
  description: 'The dashboard list items lack the required restriction_level field.',
  catches: ['status.body-schema'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    dashboardsList(ctx: HandlerContext) {
      const r = super.dashboardsList(ctx);
      const page = r.body as { results: Record<string, unknown>[] };
      return { ...r, body: { ...page, results: page.results.map(({ restriction_level: _, ...rest }) => rest) } };
    }
  })(),
});
