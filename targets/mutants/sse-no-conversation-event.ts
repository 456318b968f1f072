/**
 * Breaks E4 "`conversation`: ConversationMinimalSerializer(conversation).data" (the frame the
 * stream opens with): the stream carries only the run's `message` frames, so the client never
 * learns the conversation's status or title, nor sees its id echoed.
 */
import { ReferenceTarget, type AssistantRun } from '../reference/server.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-no-conversation-event',
  description: 'the stream never sends the conversation event, only messages',
  catches: ['sse.required-events', 'sse.echo-id'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override openRunStream(run: AssistantRun | undefined, _prefix: string[], fromIndex: number): AsyncIterable<string> {
        return super.openRunStream(run, [], fromIndex);
      }
    })(),
});
