/**
 * Breaks E7 "AgentExecutor.cancel_workflow sets status="canceling", saves, and cancels the
 * Temporal workflow": the status is set but the workflow is never canceled, so the assistant
 * goes on and the stream runs to its natural end (the long question's ~2 s) after cancel's 204.
 */
import { ReferenceTarget } from '../reference/server.js';
import type { Conversation } from '../reference/state.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-cancel-keeps-streaming',
  description: 'cancel answers 204 but the run and its stream go on to the end',
  catches: ['sse.cancel-stops-stream'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override cancelRun(conv: Conversation): void {
        conv.status = 'canceling'; // the run is not stopped; it sets idle itself when it completes
        conv.updated_at = this.now();
      }
    })(),
});
