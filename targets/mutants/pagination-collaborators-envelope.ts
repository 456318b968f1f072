/** Breaks E10 "200 **bare array** (no pagination)" / §1.5 "`pagination_class = None` → bare JSON array": collaborators come in an envelope. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'pagination-collaborators-envelope',
  description: 'The collaborators list is paginated ({count, next, previous, results}) instead of a bare JSON array.',
  catches: ['pagination.bare-array'],
  families: ['pagination'],
  make: () => new (class extends ReferenceTarget {
    override dashboardsCollaboratorsList(ctx: HandlerContext) {
      const reply = super.dashboardsCollaboratorsList(ctx);
      return Array.isArray(reply.body) ? { ...reply, body: this.paginate(ctx.req, reply.body) } : reply;
    }
  })(),
});
