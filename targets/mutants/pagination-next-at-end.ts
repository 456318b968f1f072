/** Breaks §1.5 "`next` ... null at the end": the last page still links to a next page. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt, replaceQueryParam } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-next-at-end',
  description: 'next is never null: the last page links to offset + limit, past the end.',
  catches: ['pagination.next-null-at-end'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const page = super.paginate(req, items);
      if (page.next === null) {
        const l = pyInt(req.query.getAll('limit').at(-1) ?? '');
        const o = pyInt(req.query.getAll('offset').at(-1) ?? '');
        const limit = l !== null && l > 0 ? l : 100;
        const offset = o !== null && o >= 0 ? o : 0;
        page.next = replaceQueryParam(replaceQueryParam(this.absoluteUri(req), 'limit', limit), 'offset', offset + limit);
      }
      return page;
    }
  })(),
});
