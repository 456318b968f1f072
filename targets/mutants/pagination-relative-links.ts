/** Breaks §1.5 "`next` = `request.build_absolute_uri()` ...": next and previous are relative (path and query only). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';

const relative = (link: string | null) => (link === null ? null : (({ pathname, search }) => `${pathname}${search}`)(new URL(link)));

export default defineMutant({
  id: 'pagination-relative-links',
  description: 'next and previous are relative URLs (path and query), not absolute ones.',
  catches: ['pagination.links-absolute'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override paginate(req: RefRequest, items: unknown[]) {
      const page = super.paginate(req, items);
      return { ...page, next: relative(page.next), previous: relative(page.previous) };
    }
  })(),
});
