/** Breaks §1.2/§1.3: 401 means "who are you?" and 403 "you may not"; this target swaps them (no credentials -> 403, missing scope -> 401). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'scope-401-403-swapped',
  description: 'A request without credentials gets 403 and a key missing the required scope gets 401 (the two statuses swapped).',
  catches: ['auth.no-credentials-401', 'scope.missing-scope-403'],
  families: ['status', 'scopes'],
  make: () => new (class extends ReferenceTarget {
    error(status: number, type: string, code: string, detail: string, attr: string | null = null, headers: Record<string, string> = {}) {
      const swapped = code === 'not_authenticated' ? 403 : detail.startsWith('API key missing required scope') ? 401 : status;
      return super.error(swapped, type, code, detail, attr, headers);
    }
  })(),
});
