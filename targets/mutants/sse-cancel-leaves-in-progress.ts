/**
 * Breaks E7 "cancel_workflow sets status="canceling", saves, and cancels the Temporal workflow":
 * the workflow is canceled (the stream ends) but the status is never written, so the
 * conversation stays `in_progress` and every later message would get 409.
 */
import { ReferenceTarget } from '../reference/server.js';
import type { Conversation } from '../reference/state.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-cancel-leaves-in-progress',
  description: 'cancel stops the stream but leaves the conversation in_progress',
  catches: ['sse.cancel-leaves-in-progress'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override cancelRun(conv: Conversation): void {
        const run = this.runs.get(conv.id);
        if (run) this.finishRun(run); // status left as it was: in_progress
      }
    })(),
});
