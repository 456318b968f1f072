/** Breaks §1.5 "default limit 100, **no maximum** (`max_limit = None`)": a limit above 5 is silently capped at 5. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-limit-capped',
  description: 'A limit above 5 is silently served as 5 (a max_limit the contract does not have).',
  catches: ['pagination.page-size'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const query = new URLSearchParams(req.query);
      const limit = pyInt(query.getAll('limit').at(-1) ?? '');
      if (limit !== null && limit > 5) query.set('limit', '5');
      return super.paginate({ ...req, query }, items);
    }
  })(),
});
