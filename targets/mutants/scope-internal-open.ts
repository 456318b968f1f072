/** Breaks §1.3: no key can hold INTERNAL, so scoped keys get 403 on the batch-export test actions; this check lets INTERNAL actions through. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-internal-open',
  description: 'An INTERNAL action (batch-export test steps) lets in any scoped personal API key.',
  catches: ['scope.internal-refused'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    checkScope(principal: Principal, requiredScopes: string[] | null) {
      if (requiredScopes?.includes('INTERNAL')) return;
      super.checkScope(principal, requiredScopes);
    }
  })(),
});
