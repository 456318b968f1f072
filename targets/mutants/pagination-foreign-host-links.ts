/** Breaks §1.5 "`request.build_absolute_uri()`" (the request's own Host): links name an internal host instead. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';

export default defineMutant({
  id: 'pagination-foreign-host-links',
  description: 'next and previous point at an internal host name (internal.posthog.example:8000), not the host that was asked.',
  catches: ['pagination.links-same-origin'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override absoluteUri(req: RefRequest) {
      return `http://internal.posthog.example:8000${req.url.pathname}${req.url.search}`;
    }
  })(),
});
