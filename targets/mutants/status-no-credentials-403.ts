/**
 * Breaks §1.2: with no credentials PostHog answers 401 not_authenticated. DRF turns
 * NotAuthenticated into 403 when the first authenticator has no WWW-Authenticate header
 * (e.g. SessionAuthentication listed first); this one does.
 */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget, type RefRequest } from '../reference/server.js';

export default defineMutant({
  id: 'status-no-credentials-403',
  description: 'A request without credentials gets 403 instead of 401.',
  catches: ['auth.no-credentials-401'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    authenticate(req: RefRequest) {
      try {
        return super.authenticate(req);
      } catch (e) {
        if (e instanceof ApiError && (e.reply.body as { code?: string }).code === 'not_authenticated') throw new ApiError(this.error(403, 'authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'));
        throw e;
      }
    }
  })(),
});
