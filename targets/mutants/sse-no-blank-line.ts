/**
 * Breaks E4 "each frame is `event: <name>\ndata: <json>\n\n`": frames end with a single newline,
 * so no blank line ever dispatches an event; a client reads one unterminated frame (its `data`
 * lines joined) that the SSE spec discards at the end of the stream.
 */
import { ReferenceTarget } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-no-blank-line',
  description: 'SSE frames are written without the blank line that ends a frame',
  catches: ['sse.data-json'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override sseFrame(event: string, data: unknown): string {
        return super.sseFrame(event, data).replace(/\n\n$/, '\n');
      }
    })(),
});
