/** Breaks E6/E7: cancel and append_message get_object() is limited to the caller's own conversations; this one takes any conversation of the team. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'scope-act-on-teammate-conversation',
  description: 'A teammate\'s conversation can be canceled or appended to (200/204 instead of 404).',
  catches: ['owner.not-own-404'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    ownConversation(ctx: HandlerContext) {
      const c = this.state.conversations.get(ctx.match.params.conversation ?? '');
      return c && c.team_id === ctx.team.id ? c : super.ownConversation(ctx);
    }
  })(),
});
