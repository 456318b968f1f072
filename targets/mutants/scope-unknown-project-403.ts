/** Breaks §1.1: an unknown project id is 404 "Project not found."; this target checks access first and answers 403 for it. */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-unknown-project-403',
  description: 'An unknown (integer) project id gets 403 "You don\'t have access to the project." instead of 404.',
  catches: ['project.unknown-404'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    resolveTeam(idParam: string, principal: Principal) {
      if (/^\d+$/.test(idParam) && !this.state.teams.has(Number(idParam))) throw new ApiError(this.permissionDenied("You don't have access to the project."));
      return super.resolveTeam(idParam, principal);
    }
  })(),
});
