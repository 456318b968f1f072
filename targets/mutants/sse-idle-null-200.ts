/**
 * Breaks E4 flow step 5 "`content` null on an idle conversation without `resume_payload` -> 400
 * "Cannot continue streaming from an idle conversation"": the server "re-attaches" to a run that
 * does not exist and answers 200 with an empty event stream.
 */
import { ReferenceTarget, type HandlerContext, type Reply } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-idle-null-200',
  description: 'content null on an idle conversation answers 200 with an empty stream instead of 400',
  catches: ['sse.idle-null-400'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override conversationsCreate(ctx: HandlerContext): Reply {
        const reply = super.conversationsCreate(ctx);
        const body = ctx.req.body as Record<string, unknown> | undefined;
        const conv = typeof body?.conversation === 'string' ? this.state.conversations.get(body.conversation) : undefined;
        if (reply.status === 400 && body?.content === null && conv?.status === 'idle' && conv.user_id === ctx.user.id) {
          return { status: 200, headers: this.sseHeaders(), stream: this.openRunStream(undefined, [], 0) };
        }
        return reply;
      }
    })(),
});
