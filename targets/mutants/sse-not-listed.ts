/**
 * Breaks E3 "only the caller's own conversations, `title IS NOT NULL`, ...": the list is served
 * from a snapshot taken when the server started (a cache never invalidated), so conversations
 * created through the API never appear in it, even once titled.
 */
import { ReferenceTarget } from '../reference/server.js';
import type { Conversation, Team, User } from '../reference/state.js';
import { defineMutant } from './mutant.js';

export default defineMutant({
  id: 'sse-not-listed',
  description: 'conversations created after startup never appear in the list',
  catches: ['sse.listed-after'],
  families: ['streaming'],
  make: () =>
    new (class extends ReferenceTarget {
      readonly atStartup = new Set(this.state.conversations.keys());
      override listableConversations(team: Team, user: User): Conversation[] {
        return super.listableConversations(team, user).filter((c) => this.atStartup.has(c.id));
      }
    })(),
});
