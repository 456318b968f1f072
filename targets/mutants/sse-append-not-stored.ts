/**
 * Breaks E6 "Appends AssistantMessage(content, id=uuid4) to the LangGraph state ... Returns 201
 * {"id":"<uuid>"}": the 201 and its id come back, but the state update is lost, so the message
 * is not in the conversation afterwards.
 */
import { ReferenceTarget, type HandlerContext, type JsonReply } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-append-not-stored',
  description: 'append_message answers 201 with an id but does not store the message',
  catches: ['sse.append-visible'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override conversationsAppendMessage(ctx: HandlerContext): JsonReply {
        const conv = this.ownConversation(ctx);
        const before = conv.messages.length;
        const reply = super.conversationsAppendMessage(ctx);
        conv.messages.length = before; // the state write is lost
        return reply;
      }
    })(),
});
