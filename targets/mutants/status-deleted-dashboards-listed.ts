/** Breaks E8: the list's queryset excludes deleted dashboards; this one shows them (soft-deleted data leaks back). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'status-deleted-dashboards-listed',
  description: 'The dashboards list shows deleted dashboards.',
  catches: ['status.hidden-not-listed'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    projectDashboards(team: Parameters<ReferenceTarget['projectDashboards']>[0]) {
      return super.projectDashboards(team).map((d) => (d.deleted ? { ...d, deleted: false } : d));
    }
  })(),
});
