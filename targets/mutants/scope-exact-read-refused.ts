/**
 * Breaks §1.3: X:read is satisfied by X:read or X:write. This check builds the valid list by
 * replacing ':read' with ':write' instead of appending it, so the exact read scope is refused.
 */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-exact-read-refused',
  description: 'A key holding exactly X:read is refused where X:read is required (a dashboard:read key cannot list dashboards).',
  catches: ['scope.allowed'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    checkScope(principal: Principal, requiredScopes: string[] | null) {
      const scopes = principal.kind === 'personal_api_key' ? (principal.key?.scopes ?? []) : [];
      const read = requiredScopes?.find((s) => s.endsWith(':read') && scopes.includes(s) && !scopes.includes('*') && !scopes.includes(s.replace(':read', ':write')));
      if (read) throw new ApiError(this.permissionDenied(`API key missing required scope '${read}'`));
      super.checkScope(principal, requiredScopes);
    }
  })(),
});
