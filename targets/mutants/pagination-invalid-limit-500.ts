/** Breaks §1.5 "Bad `limit` → default": int('abc') is not caught, so a non-numeric limit is a 500. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-invalid-limit-500',
  description: 'A non-numeric limit raises an uncaught ValueError: 500 instead of the default page.',
  catches: ['pagination.invalid-params-no-5xx'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const raw = req.query.getAll('limit').at(-1);
      if (raw !== undefined && pyInt(raw) === null) throw new Error(`invalid literal for int() with base 10: '${raw}'`);
      return super.paginate(req, items);
    }
  })(),
});
