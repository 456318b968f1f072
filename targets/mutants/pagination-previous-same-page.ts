/** Breaks §1.5 "`previous` ... drops `offset` when offset-limit <= 0" (offset - limit otherwise): previous links to the current offset. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt, replaceQueryParam } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-previous-same-page',
  description: 'previous links to the page itself (the current offset) instead of offset - limit.',
  catches: ['pagination.previous-returns-page'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const page = super.paginate(req, items);
      if (page.previous !== null) page.previous = replaceQueryParam(page.previous, 'offset', pyInt(req.query.getAll('offset').at(-1) ?? '') ?? 0);
      return page;
    }
  })(),
});
