/**
 * Breaks E5 "200 Conversation; `messages` comes from LangGraph state": the run streams its human
 * and AI messages but never writes them to the conversation's state (no checkpoint saved), so
 * the conversation is retrieved with `messages: []`. Title and status are still updated.
 */
import { ReferenceTarget, type AssistantRun } from '../reference/server.js';
import type { Conversation, StoredMessage } from '../reference/state.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-messages-not-saved',
  description: 'the streamed messages are not stored: the conversation is retrieved without messages',
  catches: ['sse.retrieve-after'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      override runAssistant(conv: Conversation, content: string | null): AssistantRun {
        const scratch: StoredMessage[] = [];
        const unsaved = new Proxy(conv, { get: (t, p, r) => (p === 'messages' ? scratch : Reflect.get(t, p, r)) });
        return super.runAssistant(unsaved, content);
      }
    })(),
});
