/** Breaks §1.2: PostHog answers an unknown key with AuthenticationFailed (code authentication_failed); this one says "not_authenticated", as if no credential had been sent. */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'status-invalid-key-not-authenticated',
  description: 'An invalid personal API key gets 401 with code not_authenticated instead of authentication_failed.',
  catches: ['auth.invalid-key-401'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    validatePersonalApiKey(key: string, source: 'header' | 'body' | 'query_string') {
      if (!this.state.apiKeys.has(key)) throw new ApiError(this.error(401, 'authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'));
      return super.validatePersonalApiKey(key, source);
    }
  })(),
});
