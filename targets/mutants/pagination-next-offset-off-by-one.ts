/** Breaks §1.5 "`next` = ... with `limit` and `offset=offset+limit` replaced": next skips one item (offset + limit + 1). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { replaceQueryParam } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-next-offset-off-by-one',
  description: 'The next link asks for offset + limit + 1, so every page boundary skips one item.',
  catches: ['pagination.no-gap'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const page = super.paginate(req, items);
      if (page.next) {
        const offset = Number(new URL(page.next).searchParams.get('offset'));
        page.next = replaceQueryParam(page.next, 'offset', offset + 1);
      }
      return page;
    }
  })(),
});
