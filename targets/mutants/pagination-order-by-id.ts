/** Breaks E8 "ordered `-pinned, name`": dashboards come in id order. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';
import type { Dashboard } from '../reference/state.js';

export default defineMutant({
  id: 'pagination-order-by-id',
  description: 'The dashboards list is ordered by id, not pinned first then by name.',
  catches: ['pagination.order'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override compareDashboards(a: Dashboard, b: Dashboard) {
      return a.id - b.id;
    }
  })(),
});
