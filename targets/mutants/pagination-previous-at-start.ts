/** Breaks §1.5 "`previous` is null at offset 0": the first page links to a previous page (itself). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt, replaceQueryParam } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-previous-at-start',
  description: 'previous is never null: the first page links back to offset 0, i.e. to itself.',
  catches: ['pagination.previous-null-at-start'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const page = super.paginate(req, items);
      if (page.previous === null) {
        const l = pyInt(req.query.getAll('limit').at(-1) ?? '');
        page.previous = replaceQueryParam(this.absoluteUri(req), 'limit', l !== null && l > 0 ? l : 100);
      }
      return page;
    }
  })(),
});
