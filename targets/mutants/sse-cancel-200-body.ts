/**
 * Breaks E7 "-> 204, empty body (docs: 200 Conversation)": cancel does what the published docs
 * say instead of what PostHog's code does, answering 200 with the Conversation as its body (for
 * a running conversation and for an idle one alike).
 */
import { ReferenceTarget, type HandlerContext, type JsonReply } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-cancel-200-body',
  description: 'cancel answers 200 with the Conversation body instead of 204 with no body',
  catches: ['sse.cancel-204', 'status.success'],
  families: ['streaming', 'status'],
  make: () =>
    new (class extends ReferenceTarget {
      override conversationsCancel(ctx: HandlerContext): JsonReply {
        const reply = super.conversationsCancel(ctx);
        return reply.status === 204 ? { status: 200, body: this.serializeConversation(this.ownConversation(ctx)) } : reply;
      }
    })(),
});
