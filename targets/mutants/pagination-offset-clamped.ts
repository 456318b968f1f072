/** Breaks §1.5 / DRF "`offset > count` → []": an offset past the end is clamped to the last page. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-offset-clamped',
  description: 'An offset past the end serves the last page instead of empty results.',
  catches: ['pagination.offset-past-end'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const offset = pyInt(req.query.getAll('offset').at(-1) ?? '');
      const l = pyInt(req.query.getAll('limit').at(-1) ?? '');
      const limit = l !== null && l > 0 ? l : 100;
      if (offset === null || offset < items.length || items.length === 0) return super.paginate(req, items);
      const query = new URLSearchParams(req.query);
      query.set('offset', String(Math.max(0, items.length - limit)));
      return super.paginate({ ...req, query }, items);
    }
  })(),
});
