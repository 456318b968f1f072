/**
 * In-memory state of the reference target, and its deterministic seed.
 *
 * Everything here is plain data (no timers, no I/O) so a fresh `createSeedState()` is cheap and
 * every ReferenceTarget instance starts from exactly the same world. Ids, uuids, keys and
 * timestamps are fixed strings: tests and mutants can rely on them (see SEED below).
 */

export type ConversationStatus = 'idle' | 'in_progress' | 'canceling';
export type ConversationType = 'assistant' | 'tool_call' | 'deep_research' | 'slack';
export type CreationMode = 'default' | 'template' | 'duplicate' | 'unlisted';
/** 21 = everyone in the project can edit, 37 = only collaborators can edit (posthog/models/dashboard.py). */
export type RestrictionLevel = 21 | 37;

export interface User {
  id: number;
  uuid: string;
  distinct_id: string;
  first_name: string;
  last_name: string;
  email: string;
  is_email_verified: boolean | null;
  hedgehog_config: Record<string, unknown> | null;
  role_at_organization: string | null;
  /** Inactive users cannot authenticate and are hidden from collaborator lists. */
  is_active: boolean;
  /** Team `@current` resolves to. */
  current_team_id: number | null;
}

/** A PostHog team/environment. Here team id == project id (one environment per project). */
export interface Team {
  id: number;
  project_id: number;
  name: string;
  member_ids: number[];
}

export interface PersonalApiKey {
  key: string;
  user_id: number;
  label: string;
  /** `["*"]` = everything; an empty list would be a legacy unscoped key (allowed everything). */
  scopes: string[];
}

export interface Session {
  sessionid: string;
  csrftoken: string;
  user_id: number;
}

export interface Dashboard {
  id: number;
  team_id: number;
  name: string | null;
  description: string;
  pinned: boolean;
  created_at: string;
  created_by_id: number | null;
  last_accessed_at: string | null;
  last_viewed_at: string | null;
  is_shared: boolean;
  deleted: boolean;
  creation_mode: CreationMode;
  filters: Record<string, unknown>;
  variables: Record<string, unknown>;
  breakdown_colors: unknown;
  data_color_theme_id: number | null;
  tags: unknown[];
  restriction_level: RestrictionLevel;
  last_refresh: string | null;
}

/** ee DashboardPrivilege: an explicit collaborator of a dashboard. */
export interface DashboardPrivilege {
  id: string;
  dashboard_id: number;
  user_id: number;
  level: RestrictionLevel;
  added_at: string;
  updated_at: string;
}

/** A message of the conversation's (LangGraph) state, as PostHog serialises it. */
export interface StoredMessage {
  type: string;
  content: string;
  id: string;
  [extra: string]: unknown;
}

export interface Conversation {
  id: string;
  team_id: number;
  user_id: number;
  status: ConversationStatus;
  title: string | null;
  type: ConversationType;
  /** Created during an impersonated session: hidden from list and retrieve. */
  is_internal: boolean;
  created_at: string;
  updated_at: string;
  agent_mode: string | null;
  slack_thread_key: string | null;
  slack_workspace_domain: string | null;
  messages: StoredMessage[];
}

export interface ReferenceState {
  users: Map<number, User>;
  teams: Map<number, Team>;
  apiKeys: Map<string, PersonalApiKey>;
  /** by sessionid */
  sessions: Map<string, Session>;
  dashboards: Map<number, Dashboard>;
  dashboardPrivileges: DashboardPrivilege[];
  conversations: Map<string, Conversation>;
  nextDashboardId: number;
}

/** Deterministic uuid: `<8 hex prefix>-0000-4000-8000-<12 digit n>`. */
export function fixedUuid(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** Public facts about the seed, for TargetInfo, tests and mutant authors. */
export const SEED = {
  projectId: 1,
  foreignProjectId: 2,
  users: { owner: 1, teammate: 2, foreign: 3, inactive: 4 },
  /** user 1's "*" key */
  apiKey: 'phx_ref_all_u1_0000000000000000000001',
  /** user 1's scoped keys, in TargetInfo order */
  scopedKeys: [
    { key: 'phx_ref_dashboard_read_u1_0000000000002', scopes: ['dashboard:read'] },
    { key: 'phx_ref_dashboard_write_u1_000000000003', scopes: ['dashboard:write'] },
    { key: 'phx_ref_conversation_read_u1_0000000004', scopes: ['conversation:read'] },
    { key: 'phx_ref_conversation_write_u1_000000005', scopes: ['conversation:write'] },
    { key: 'phx_ref_batch_export_read_u1_0000000006', scopes: ['batch_export:read'] },
    { key: 'phx_ref_feature_flag_read_u1_0000000007', scopes: ['feature_flag:read'] },
  ],
  /** user 2's "*" key (user 2 is a member of project 1) */
  secondUserKey: 'phx_ref_all_u2_0000000000000000000001',
  /** user 3's "*" key (user 3 is the only member of project 2) */
  foreignUserKey: 'phx_ref_all_u3_0000000000000000000001',
  session: { sessionid: 'ref-session-u1', csrftoken: 'ref-csrf-u1' },
  secondUserSession: { sessionid: 'ref-session-u2', csrftoken: 'ref-csrf-u2' },
  dashboards: {
    /** project 1, ids 1..12, all created by user 1 */
    all: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    pinned: [1, 6, 11],
    deleted: 8,
    unlisted: 9,
    /** restriction_level 37; collaborators: user 2 (active, listed) and user 4 (inactive, not listed) */
    withCollaborators: 1,
    /** default list order (pinned desc, name asc): 10 dashboards */
    listOrder: [6, 1, 11, 2, 4, 10, 12, 7, 5, 3],
    /** project 2 (foreign), created by user 3 */
    foreign: [13, 14, 15],
  },
  conversations: {
    /** user 1, project 1, titled and listable; in list order (-updated_at) */
    ownListOrder: [
      fixedUuid('c1000000', 2),
      fixedUuid('c1000000', 5),
      fixedUuid('c1000000', 1),
      fixedUuid('c1000000', 7),
      fixedUuid('c1000000', 4),
      fixedUuid('c1000000', 6),
      fixedUuid('c1000000', 3),
    ],
    ownUntitled: fixedUuid('c1000000', 8),
    ownToolCall: fixedUuid('c1000000', 9),
    ownInternal: fixedUuid('c1000000', 10),
    /** user 2, project 1, titled: retrievable by user 1, but not cancelable / appendable by user 1 */
    teammate: [fixedUuid('c2000000', 1), fixedUuid('c2000000', 2)],
    /** user 3, project 2 */
    foreign: fixedUuid('c3000000', 1),
  },
} as const;

function user(
  id: number,
  first: string,
  last: string,
  role: string | null,
  active: boolean,
  currentTeam: number | null,
): User {
  return {
    id,
    uuid: fixedUuid('01900000', id),
    distinct_id: `ref-user-${id}`,
    first_name: first,
    last_name: last,
    email: `${first.toLowerCase()}@reference.posthog-contract.local`,
    is_email_verified: true,
    hedgehog_config: null,
    role_at_organization: role,
    is_active: active,
    current_team_id: currentTeam,
  };
}

function dashboard(
  id: number,
  teamId: number,
  name: string,
  createdBy: number,
  extra: Partial<Dashboard> = {},
): Dashboard {
  const day = String(id).padStart(2, '0');
  return {
    id,
    team_id: teamId,
    name,
    description: `${name} (seeded)`,
    pinned: false,
    created_at: `2026-01-${day}T09:00:00Z`,
    created_by_id: createdBy,
    last_accessed_at: null,
    last_viewed_at: null,
    is_shared: false,
    deleted: false,
    creation_mode: 'default',
    filters: {},
    variables: {},
    breakdown_colors: [],
    data_color_theme_id: null,
    tags: [],
    restriction_level: 21,
    last_refresh: null,
    ...extra,
  };
}

function conversation(
  prefix: string,
  n: number,
  teamId: number,
  userId: number,
  title: string | null,
  updatedAt: string,
  extra: Partial<Conversation> = {},
): Conversation {
  const id = fixedUuid(prefix, n);
  const messages: StoredMessage[] =
    title === null
      ? []
      : [
          { content: `${title}?`, type: 'human', id: fixedUuid(`${prefix.slice(0, 2)}a00000`, n) },
          {
            content: `Here is what I found about ${title.toLowerCase()}.`,
            type: 'ai',
            id: fixedUuid(`${prefix.slice(0, 2)}b00000`, n),
          },
        ];
  return {
    id,
    team_id: teamId,
    user_id: userId,
    status: 'idle',
    title,
    type: 'assistant',
    is_internal: false,
    created_at: '2026-02-01T08:00:00Z',
    updated_at: updatedAt,
    agent_mode: null,
    slack_thread_key: null,
    slack_workspace_domain: null,
    messages,
    ...extra,
  };
}

/**
 * User 1's scoped keys as served: SEED.scopedKeys, each repeated
 * CONTRACT_REFERENCE_KEY_COPIES times (default 1) with a distinct key string and
 * label `<scopes>#n`, so the bench can grow the key matrix with keys of the same scopes.
 */
export function scopedKeys(): { key: string; scopes: string[]; label?: string }[] {
  const copies = Math.max(1, Math.floor(Number(process.env.CONTRACT_REFERENCE_KEY_COPIES) || 1));
  return SEED.scopedKeys.flatMap((k) => Array.from({ length: copies }, (_, i) =>
    i === 0 ? { key: k.key, scopes: [...k.scopes] } : { key: `${k.key}_copy${i + 1}`, scopes: [...k.scopes], label: `${k.scopes.join('+')}#${i + 1}` }));
}

/** A fresh copy of the seed world. */
export function createSeedState(): ReferenceState {
  const users = [
    user(1, 'Ada', 'Lovelace', 'engineering', true, 1),
    user(2, 'Grace', 'Hopper', 'data', true, 1),
    user(3, 'Alan', 'Turing', 'founder', true, 2),
    user(4, 'Edsger', 'Dijkstra', null, false, 1),
  ];
  const teams: Team[] = [
    { id: 1, project_id: 1, name: 'Reference project', member_ids: [1, 2, 4] },
    { id: 2, project_id: 2, name: 'Foreign project', member_ids: [3] },
  ];
  const keys: PersonalApiKey[] = [
    { key: SEED.apiKey, user_id: 1, label: 'all (u1)', scopes: ['*'] },
    ...scopedKeys().map((k) => ({ key: k.key, user_id: 1, label: k.scopes.join(','), scopes: [...k.scopes] })),
    { key: SEED.secondUserKey, user_id: 2, label: 'all (u2)', scopes: ['*'] },
    { key: SEED.foreignUserKey, user_id: 3, label: 'all (u3)', scopes: ['*'] },
  ];
  const sessions: Session[] = [
    { ...SEED.session, user_id: 1 },
    { ...SEED.secondUserSession, user_id: 2 },
  ];

  const dashboards: Dashboard[] = [
    dashboard(1, 1, 'Product overview', 1, { pinned: true, restriction_level: 37, tags: ['core'] }),
    dashboard(2, 1, 'Acquisition funnel', 1),
    dashboard(3, 1, 'Web vitals', 1),
    dashboard(4, 1, 'Billing health', 1),
    dashboard(5, 1, 'Retention cohorts', 1),
    dashboard(6, 1, 'Core metrics', 1, { pinned: true }),
    dashboard(7, 1, 'Onboarding flow', 1),
    dashboard(8, 1, 'Old campaign', 1, { deleted: true }),
    dashboard(9, 1, 'Embedded LLM costs', 1, { creation_mode: 'unlisted' }),
    dashboard(10, 1, 'Error tracking', 1),
    dashboard(11, 1, 'Zeta launch', 1, { pinned: true }),
    dashboard(12, 1, 'Mobile app', 1),
    dashboard(13, 2, 'Foreign revenue', 3, { pinned: true }),
    dashboard(14, 2, 'Foreign signups', 3),
    dashboard(15, 2, 'Foreign errors', 3),
  ];
  const privileges: DashboardPrivilege[] = [
    {
      id: fixedUuid('d0000000', 1),
      dashboard_id: 1,
      user_id: 2,
      level: 37,
      added_at: '2026-01-15T10:00:00Z',
      updated_at: '2026-01-15T10:00:00Z',
    },
    {
      id: fixedUuid('d0000000', 2),
      dashboard_id: 1,
      user_id: 4,
      level: 37,
      added_at: '2026-01-16T10:00:00Z',
      updated_at: '2026-01-16T10:00:00Z',
    },
  ];

  // updated_at deliberately not in id order, so -updated_at ordering is observable.
  const conversations: Conversation[] = [
    conversation('c1000000', 1, 1, 1, 'Weekly active users trend', '2026-03-05T12:00:00Z'),
    conversation('c1000000', 2, 1, 1, 'Top referrers last month', '2026-03-07T12:00:00Z'),
    conversation('c1000000', 3, 1, 1, 'Funnel drop-off analysis', '2026-03-01T12:00:00Z', {
      type: 'deep_research',
      agent_mode: 'research',
    }),
    conversation('c1000000', 4, 1, 1, 'Churn question from Slack', '2026-03-03T12:00:00Z', {
      type: 'slack',
      slack_thread_key: 'T0REF:C0REF:1767225600.000100',
      slack_workspace_domain: 'reference',
    }),
    conversation('c1000000', 5, 1, 1, 'SQL for signups by country', '2026-03-06T12:00:00Z', { agent_mode: 'sql' }),
    conversation('c1000000', 6, 1, 1, 'Session replays of checkout errors', '2026-03-02T12:00:00Z'),
    conversation('c1000000', 7, 1, 1, 'Feature flag rollout plan', '2026-03-04T12:00:00Z'),
    conversation('c1000000', 8, 1, 1, null, '2026-03-08T12:00:00Z'),
    conversation('c1000000', 9, 1, 1, 'Tool call generating HogQL', '2026-03-09T12:00:00Z', { type: 'tool_call' }),
    conversation('c1000000', 10, 1, 1, 'Support impersonation session', '2026-03-10T12:00:00Z', {
      is_internal: true,
    }),
    conversation('c2000000', 1, 1, 2, 'Retention of the March cohort', '2026-03-11T12:00:00Z'),
    conversation('c2000000', 2, 1, 2, 'Draft SQL for revenue', '2026-03-12T12:00:00Z'),
    conversation('c3000000', 1, 2, 3, 'Foreign project question', '2026-03-13T12:00:00Z'),
  ];

  return {
    users: new Map(users.map((u) => [u.id, u])),
    teams: new Map(teams.map((t) => [t.id, t])),
    apiKeys: new Map(keys.map((k) => [k.key, k])),
    sessions: new Map(sessions.map((s) => [s.sessionid, s])),
    dashboards: new Map(dashboards.map((d) => [d.id, d])),
    dashboardPrivileges: privileges,
    conversations: new Map(conversations.map((c) => [c.id, c])),
    nextDashboardId: 16,
  };
}
