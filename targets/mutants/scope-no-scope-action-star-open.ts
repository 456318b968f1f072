/** Breaks §1.3: an action with no scope refuses every personal API key, * too (the check runs before the * shortcut); here * is checked first. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-no-scope-action-star-open',
  description: 'A * key is let in to the scope-less actions (conversation cancel, append_message) instead of 403.',
  catches: ['scope.no-scope-action-403'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    checkScope(principal: Principal, requiredScopes: string[] | null) {
      if (principal.kind === 'personal_api_key' && principal.key?.scopes.includes('*')) return;
      super.checkScope(principal, requiredScopes);
    }
  })(),
});
