/** Breaks §1.5 "`PAGE_SIZE = 100` ... default limit 100": without a valid limit a page holds 5 items. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-default-limit-small',
  description: 'The default page size is 5 instead of 100 (when limit is absent or invalid).',
  catches: ['pagination.default-limit'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const l = pyInt(req.query.getAll('limit').at(-1) ?? '');
      if (l !== null && l > 0) return super.paginate(req, items);
      const query = new URLSearchParams(req.query);
      query.set('limit', '5');
      return super.paginate({ ...req, query }, items);
    }
  })(),
});
