/** Breaks E9: PostHog's CreateModelMixin answers 201 Created to POST dashboards; this one answers 200. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'status-dashboards-create-200',
  description: 'POST dashboards answers 200 instead of 201 Created.',
  catches: ['status.success'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    dashboardsCreate(ctx: HandlerContext) {
      const r = super.dashboardsCreate(ctx);
      return r.status === 201 ? { ...r, status: 200 } : r;
    }
  })(),
});
