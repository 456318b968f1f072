/** Breaks §1.5 "`replace_query_param`" (the rest of the query is kept): links carry only limit and offset. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest } from '../reference/server.js';

export default defineMutant({
  id: 'pagination-links-drop-query',
  description: 'next and previous drop every query parameter other than limit and offset (e.g. format=json).',
  catches: ['pagination.links-keep-query'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override absoluteUri(req: RefRequest) {
      const q = new URLSearchParams();
      for (const k of ['limit', 'offset']) for (const v of req.query.getAll(k)) q.append(k, v);
      const s = q.toString();
      return `http://${req.url.host}${req.url.pathname}${s ? `?${s}` : ''}`;
    }
  })(),
});
