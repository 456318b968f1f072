/**
 * Breaks §1.5 (each page is `queryset[offset:offset+limit]` of ONE ordered queryset): the list is
 * ordered by a non-unique key, so ties come back in a different order on each request. Here the
 * tie order is a hash of the item and the request's limit/offset (deterministic per URL, different
 * per page), which makes a walk repeat some items and miss others.
 */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export default defineMutant({
  id: 'pagination-unstable-order',
  description: 'The list is ordered by a non-unique key whose ties are shuffled per request: pages overlap and leave gaps.',
  catches: ['pagination.no-overlap', 'pagination.no-gap'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const salt = `${req.query.get('limit')}|${req.query.get('offset')}`;
      const rank = (item: unknown) => fnv(`${JSON.stringify((item as { id?: unknown }).id)}|${salt}`);
      return super.paginate(req, [...items].sort((a, b) => rank(a) - rank(b)));
    }
  })(),
});
