/**
 * Breaks E4 "`conversation`: uuid, required (client-minted id; existing -> continue, unknown ->
 * create)": the `conversation` frame carries a server-minted uuid instead of the id the client
 * sent (the conversation itself is still stored under the client's id).
 */
import { ReferenceTarget } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-wrong-echo-id',
  description: 'the conversation event carries another id than the one the client sent',
  catches: ['sse.echo-id'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override sseFrame(event: string, data: unknown): string {
        return event === 'conversation' ? super.sseFrame(event, { ...(data as Record<string, unknown>), id: this.newUuid() }) : super.sseFrame(event, data);
      }
    })(),
});
