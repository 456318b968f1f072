/** Breaks §1.3: a * key passes an INTERNAL action (the * shortcut comes first); this check refuses every personal API key there. */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-internal-star-refused',
  description: 'A * key is refused (403 missing scope INTERNAL) on the INTERNAL batch-export actions.',
  catches: ['scope.internal-star-allowed'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    checkScope(principal: Principal, requiredScopes: string[] | null) {
      if (principal.kind === 'personal_api_key' && requiredScopes?.includes('INTERNAL')) throw new ApiError(this.permissionDenied("API key missing required scope 'INTERNAL'"));
      super.checkScope(principal, requiredScopes);
    }
  })(),
});
