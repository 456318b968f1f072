/** Breaks E5: retrieve is not limited to the caller (a teammate's titled conversation -> 200); this one is. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type HandlerContext } from '../reference/server.js';

export default defineMutant({
  id: 'scope-retrieve-own-only',
  description: 'GET a teammate\'s titled conversation answers 404 (retrieve limited to the caller\'s own).',
  catches: ['owner.teammate-retrieve-200'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    conversationsRetrieve(ctx: HandlerContext) {
      this.ownConversation(ctx);
      return super.conversationsRetrieve(ctx);
    }
  })(),
});
