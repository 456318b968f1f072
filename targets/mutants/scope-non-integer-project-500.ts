/** Breaks §1.1: a non-integer project id is 404 "Project not found."; this target does int(id) unguarded, so a ValueError gives 500. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type Principal } from '../reference/server.js';

export default defineMutant({
  id: 'scope-non-integer-project-500',
  description: 'A non-integer project id gets 500 instead of 404.',
  catches: ['project.non-integer-404'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    resolveTeam(idParam: string, principal: Principal) {
      if (idParam !== '@current' && !/^\d+$/.test(idParam)) throw new Error(`invalid literal for int() with base 10: '${idParam}'`);
      return super.resolveTeam(idParam, principal);
    }
  })(),
});
