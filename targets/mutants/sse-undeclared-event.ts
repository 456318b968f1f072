/**
 * Breaks E4 "End: the server simply closes after the internal STREAM_STATUS complete; there is
 * no terminal event": the internal completion marker leaks to the client as an extra
 * `event: complete` frame, a name outside AssistantEventType.
 */
import { ReferenceTarget, type AssistantRun } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-undeclared-event',
  description: 'the stream ends with an undeclared `complete` event (the internal stream status leaked)',
  catches: ['sse.event-name'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override finishRun(run: AssistantRun): void {
        if (!run.finished) this.emitFrame(run, this.sseFrame('complete', { status: 'complete' }));
        super.finishRun(run);
      }
    })(),
});
