/** Breaks E9: DashboardSerializer saves and renders `description`; this one answers 201 with the description it was sent replaced by "". */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type JsonReply } from '../reference/server.js';

export default defineMutant({
  id: 'status-dashboard-description-dropped',
  description: 'POST dashboards answers 201 but the created dashboard has an empty description, not the one sent.',
  catches: ['status.echoes-request'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    dashboardsCreate(ctx: Parameters<ReferenceTarget['dashboardsCreate']>[0]): JsonReply {
      const reply = super.dashboardsCreate(ctx);
      return reply.status === 201 ? { ...reply, body: { ...(reply.body as object), description: '' } } : reply;
    }
  })(),
});
