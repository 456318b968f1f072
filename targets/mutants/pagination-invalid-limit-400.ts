/** Breaks §1.5 "Bad `limit` → default; bad `offset` → 0": bad values are refused with 400 instead. */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget, type RefRequest } from '../reference/server.js';
import { pyInt } from '../reference/drf.js';

export default defineMutant({
  id: 'pagination-invalid-limit-400',
  description: 'A bad limit or offset is refused with 400 validation_error instead of falling back.',
  catches: ['pagination.invalid-params-fallback'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      for (const [param, min] of [['limit', 1], ['offset', 0]] as const) {
        const raw = req.query.getAll(param).at(-1);
        const n = raw === undefined ? null : pyInt(raw);
        if (raw !== undefined && (n === null || n < min)) throw new ApiError(this.validationError({ attr: param, code: 'invalid_input', detail: 'A valid integer is required.' }));
      }
      return super.paginate(req, items);
    }
  })(),
});
