/**
 * Breaks E4 "StreamingHttpResponse(..., content_type="text/event-stream")": the conversation
 * stream keeps its SSE frames but is labelled `application/json` (the DRF default renderer's
 * type leaking onto the streaming response), so EventSource clients refuse it.
 */
import { ReferenceTarget } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-json-content-type',
  description: 'the conversation stream is served as application/json instead of text/event-stream',
  catches: ['status.content-type', 'sse.reattach'],
  families: ['streaming', 'status'],
  make: () =>
    new (class extends ReferenceTarget {
      override sseHeaders(): Record<string, string> {
        return { ...super.sseHeaders(), 'Content-Type': 'application/json' };
      }
    })(),
});
