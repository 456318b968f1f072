/** Breaks E8: the list serves a stale snapshot — dashboards created after start-up never appear in it. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'status-created-dashboards-unlisted',
  description: 'Dashboards created through the API never appear in the dashboards list (a stale cache).',
  catches: ['status.created-listed'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    projectDashboards(team: Parameters<ReferenceTarget['projectDashboards']>[0]) {
      return super.projectDashboards(team).filter((d) => d.id <= 15); // the seeded ones only
    }
  })(),
});
