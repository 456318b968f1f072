/** Breaks §1.5 envelope `count`: count is the size of the page, not the total. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';

export default defineMutant({
  id: 'pagination-count-page-size',
  description: 'count reports the number of results on the page instead of the number of items in the list.',
  catches: ['pagination.count-total'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const page = super.paginate(req, items);
      return { ...page, count: page.results.length };
    }
  })(),
});
