/** Breaks §1.5 "envelope `{"count","next","previous","results"}`": the envelope has no `previous` field. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';

export default defineMutant({
  id: 'pagination-envelope-no-previous',
  description: 'The pagination envelope omits the previous field.',
  catches: ['pagination.envelope'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const { previous: _dropped, ...rest } = super.paginate(req, items);
      return rest as ReturnType<ReferenceTarget['paginate']>;
    }
  })(),
});
