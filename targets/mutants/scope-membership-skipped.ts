/** Breaks §1.3: AccessControlPermission refuses a project the user is not a member of; this target skips the membership check. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'scope-membership-skipped',
  description: 'A key reaches a project its user is not a member of (no membership check).',
  catches: ['project.foreign-refused'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    checkMembership() {}
  })(),
});
