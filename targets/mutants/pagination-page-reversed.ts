/** Breaks §1.5 (each page is `queryset[offset:offset+limit]` of one ordered queryset): each page's results come reversed. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';

export default defineMutant({
  id: 'pagination-page-reversed',
  description: 'Each page holds the right items in reverse order, so a walk and one big page disagree on the order.',
  catches: ['pagination.walk-order'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const page = super.paginate(req, items);
      return { ...page, results: [...page.results].reverse() };
    }
  })(),
});
