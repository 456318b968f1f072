/** Breaks E3: the conversation list holds only the caller's own; this queryset drops the user filter (every member's conversations). */
import { defineMutant } from './mutant.js';
import { ReferenceTarget } from '../reference/server.js';
import type { Team, User } from '../reference/state.js';

export default defineMutant({
  id: 'scope-list-shows-teammates',
  description: 'The conversation list shows the conversations of every member of the team, not only the caller\'s.',
  catches: ['owner.list-own-only'],
  families: ['scopes'],
  make: () => new (class extends ReferenceTarget {
    listableConversations(team: Team, user: User) {
      return team.member_ids
        .flatMap((id) => super.listableConversations(team, this.userById(id) ?? user))
        .sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
    }
  })(),
});
