/** Breaks E6: PostHog's append_message answers 201 {"id"}; this one follows the docs' 200. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'status-append-message-200',
  description: 'POST append_message answers 200 (the documented status) instead of PostHog\'s 201.',
  catches: ['status.success'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    conversationsAppendMessage(ctx: HandlerContext) {
      const r = super.conversationsAppendMessage(ctx);
      return r.status === 201 ? { ...r, status: 200 } : r;
    }
  })(),
});
