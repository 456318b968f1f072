/** Breaks §1.3: in PostHog X:write also satisfies X:read; this scope check wants the exact scope. */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-write-not-implying-read',
  description: 'A key holding X:write (and not X:read) is refused where X:read is required.',
  catches: ['scope.write-implies-read'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    checkScope(principal: Principal, requiredScopes: string[] | null) {
      const scopes = principal.kind === 'personal_api_key' ? (principal.key?.scopes ?? []) : [];
      const read = requiredScopes?.find((s) => s.endsWith(':read') && scopes.length > 0 && !scopes.includes('*') && !scopes.includes(s));
      if (read) throw new ApiError(this.permissionDenied(`API key missing required scope '${read}'`));
      super.checkScope(principal, requiredScopes);
    }
  })(),
});
