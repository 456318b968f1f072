/** Breaks §1.2: an unknown personal API key is AuthenticationFailed (401) in PostHog; this one refuses it with 403. */
import { defineMutant } from './mutant.js';
import { ApiError, ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'status-invalid-key-403',
  description: 'An invalid personal API key gets 403 permission_denied instead of 401 authentication_failed.',
  catches: ['auth.invalid-key-401'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    validatePersonalApiKey(key: string, source: 'header' | 'body' | 'query_string') {
      try {
        return super.validatePersonalApiKey(key, source);
      } catch (e) {
        if (e instanceof ApiError && e.reply.status === 401) throw new ApiError(this.permissionDenied((e.reply.body as { detail: string }).detail));
        throw e;
      }
    }
  })(),
});
