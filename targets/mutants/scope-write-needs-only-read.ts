/** Breaks §1.3: a write action needs X:write; this scope check accepts X:read for it (the level is ignored on writes). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-write-needs-only-read',
  description: 'A key holding only X:read is let in where X:write is required (a dashboard:read key can create dashboards).',
  catches: ['scope.missing-scope-403'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    checkScope(principal: Principal, requiredScopes: string[] | null) {
      const scopes = principal.kind === 'personal_api_key' ? (principal.key?.scopes ?? []) : [];
      if (requiredScopes?.length && requiredScopes.every((s) => s.endsWith(':write') && scopes.includes(s.replace(/:write$/, ':read')))) return;
      super.checkScope(principal, requiredScopes);
    }
  })(),
});
