/**
 * Breaks §7: a wrong method from a personal API key must be refused (403 or 405). On the
 * INTERNAL batch-export URLs a * key passes the scope check and reaches the method check;
 * here that path crashes (500) for key requests.
 */
import { defineMutant } from './mutant.js';
import { ReferenceTarget, type RefRequest, type RouteMatch } from '../reference/server.js';

export default defineMutant({
  id: 'status-method-key-500',
  description: 'PUT with a personal API key that passes the scope check answers 500 instead of 405.',
  catches: ['method.key-refused'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    methodNotAllowed(req: RefRequest, match: RouteMatch) {
      return this.findPersonalApiKey(req) ? this.serverError() : super.methodNotAllowed(req, match);
    }
  })(),
});
