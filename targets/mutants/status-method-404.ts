/** Breaks §7: DRF answers 405 method_not_allowed (with Allow) for a method the route lacks; this router answers 404. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'status-method-404',
  description: 'A method the path does not allow gets 404 not_found instead of 405 method_not_allowed.',
  catches: ['method.session-405'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    methodNotAllowed() {
      return this.notFound();
    }
  })(),
});
