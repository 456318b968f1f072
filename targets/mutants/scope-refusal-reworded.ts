/** Breaks §1.3 (SHOULD): PostHog's 403 says "API key missing required scope '<scope>'"; this one answers DRF's generic message. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'scope-refusal-reworded',
  description: 'Scope refusals are 403 with DRF\'s generic "You do not have permission to perform this action." instead of PostHog\'s wording.',
  catches: ['scope.refusal-message'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    permissionDenied() {
      return super.permissionDenied('You do not have permission to perform this action.');
    }
  })(),
});
