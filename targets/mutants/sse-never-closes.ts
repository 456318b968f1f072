/**
 * Breaks E4 "End: the server simply closes after the internal STREAM_STATUS complete": when the
 * assistant finishes, the stream is left open (no more frames, no close), as when the view keeps
 * waiting on the Redis stream after its `complete` status. Cancel still closes it. The reader's
 * gap deadline (1.5 s embedded) ends the read, so the run stays short.
 */
import { ReferenceTarget, type AssistantRun } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-never-closes',
  description: 'the stream of a completed run is never closed by the server',
  catches: ['sse.stream-ends'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override finishRun(run: AssistantRun): void {
        if (run.sentFrames < run.totalFrames) return super.finishRun(run); // canceled: streams end as usual
        const attached = run.listeners;
        run.listeners = new Set(); // completed: nobody is told, the attached streams stay open
        super.finishRun(run);
        run.listeners = attached;
      }
    })(),
});
