/** Breaks E4: PostHog streams POST conversations as text/event-stream; this one labels the stream application/json. */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';

export default defineMutant({
  id: 'status-conversation-stream-json',
  description: 'The conversation stream of POST conversations is served as application/json instead of text/event-stream.',
  catches: ['status.content-type'],
  families: ['status'],
  make: () => new (class extends ReferenceTarget {
    sseHeaders() {
      return { ...super.sseHeaders(), 'Content-Type': 'application/json' };
    }
  })(),
});
