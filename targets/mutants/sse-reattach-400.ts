/**
 * Breaks E4 "`content: null` on an in-progress conversation re-attaches to its running stream":
 * content null is refused with 400 "Cannot continue streaming from an idle conversation" whatever
 * the conversation's status (the idle check forgets to look at the status).
 */
import { ReferenceTarget, type HandlerContext, type Reply } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-reattach-400',
  description: 'content null on a running conversation answers 400 instead of re-attaching',
  catches: ['sse.reattach'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override conversationsCreate(ctx: HandlerContext): Reply {
        const body = ctx.req.body as Record<string, unknown> | undefined;
        const conv = typeof body?.conversation === 'string' ? this.state.conversations.get(body.conversation) : undefined;
        if (conv && conv.user_id === ctx.user.id && conv.team_id === ctx.team.id && body!.content === null && body!.resume_payload == null) {
          return this.error(400, 'validation_error', 'invalid_input', 'Cannot continue streaming from an idle conversation');
        }
        return super.conversationsCreate(ctx);
      }
    })(),
});
