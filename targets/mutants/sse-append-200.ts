/**
 * Breaks E6 "Returns 201 {"id":"<uuid>"} (docs say 200 MessageMinimal)": append_message stores
 * the message but answers 200, the documented status, instead of PostHog's 201.
 */
import { ReferenceTarget, type HandlerContext, type JsonReply } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-append-200',
  description: 'append_message answers 200 instead of 201',
  catches: ['status.success'],
  families: ['streaming', 'status'],
  make: () =>
    new (class extends ReferenceTarget {
      override conversationsAppendMessage(ctx: HandlerContext): JsonReply {
        const reply = super.conversationsAppendMessage(ctx);
        return reply.status === 201 ? { ...reply, status: 200 } : reply;
      }
    })(),
});
