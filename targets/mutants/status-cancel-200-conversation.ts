/** Breaks E7: PostHog's cancel answers 204 with an empty body; this one follows the docs: 200 with the Conversation. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'status-cancel-200-conversation',
  description: 'PATCH cancel answers 200 with the conversation as body instead of 204 with no body.',
  catches: ['status.success'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    conversationsCancel(ctx: HandlerContext) {
      const r = super.conversationsCancel(ctx);
      return r.status === 204 ? { status: 200, body: this.serializeConversation(this.ownConversation(ctx)) } : r;
    }
  })(),
});
