/**
 * Scope and access rules (posthog-contract.md §1.3): the expected outcome of
 * every (endpoint, key) pair is computed from the contract's scope and the
 * key's scopes by `expectedAccess`, never listed by hand.
 */
import type { Contract } from '../contracts.js';
import type { Exchange } from '../http.js';
import { defineRule, type Finding } from '../rules.js';
import { errorBody, noResponse, statusIs } from './common.js';

export const NO_SCOPE_MESSAGE = 'This action does not support Personal API Key access';
export const missingScopeMessage = (scope: string) => `API key missing required scope '${scope}'`;

export type Access =
  | { allowed: true; why: 'star' | 'exact' | 'write-implies-read' }
  | { allowed: false; why: 'no-scope-action' | 'internal' | 'missing-scope'; message: string };

/** PostHog's APIScopePermission, as a pure function of the action's scope and the key's scopes. */
export function expectedAccess(scope: string | null, keyScopes: string[]): Access {
  if (scope === null) return { allowed: false, why: 'no-scope-action', message: NO_SCOPE_MESSAGE };
  if (keyScopes.includes('*')) return { allowed: true, why: 'star' };
  if (scope === 'INTERNAL') return { allowed: false, why: 'internal', message: missingScopeMessage('INTERNAL') };
  if (keyScopes.includes(scope)) return { allowed: true, why: 'exact' };
  const [object, level] = scope.split(':');
  if (level === 'read' && keyScopes.includes(`${object}:write`)) return { allowed: true, why: 'write-implies-read' };
  return { allowed: false, why: 'missing-scope', message: missingScopeMessage(scope) };
}

export interface AccessInput { c: Contract; ex: Exchange; expectStatus: number; access: Access }

const allowedCheck = ({ ex, expectStatus, access }: AccessInput): Finding[] => {
  if (!ex.response) return noResponse(ex);
  const s = ex.response.status;
  if (s === expectStatus) return [];
  return [{ message: s === 401 || s === 403 ? 'a key that holds the scope is refused' : 'a key that holds the scope does not get the expected answer', expected: `${expectStatus} (${access.why})`, actual: s }];
};

export const allowed = defineRule<AccessInput>({
  id: 'scope.allowed', family: 'scopes', strength: 'MUST',
  title: 'a key holding the required scope (or *) is let in',
  ref: 'posthog-contract.md#1.3', quote: '"*" in key scopes -> allowed. ... Otherwise 403 "API key missing required scope \'<scope>\'"',
  check: allowedCheck,
});

export const writeImpliesRead = defineRule<AccessInput>({
  id: 'scope.write-implies-read', family: 'scopes', strength: 'MUST',
  title: 'a key with X:write is let in where X:read is required',
  ref: 'posthog-contract.md#1.3', quote: 'X:write also satisfies X:read',
  check: allowedCheck,
});

export const internalStar = defineRule<AccessInput>({
  id: 'scope.internal-star-allowed', family: 'scopes', strength: 'MUST',
  title: 'a * key is let in to an INTERNAL action',
  ref: 'posthog-contract.md#1.3', quote: 'INTERNAL: ... scoped key -> 403 "API key missing required scope \'INTERNAL\'"; * key or legacy key -> passes',
  check: allowedCheck,
});

const refusedCheck = ({ c, ex }: AccessInput): Finding[] => {
  const s = statusIs(ex, 403, 'the key is refused with 403');
  return s.length ? s : errorBody(c, ex);
};

export const missingScope = defineRule<AccessInput>({
  id: 'scope.missing-scope-403', family: 'scopes', strength: 'MUST',
  title: 'a key without the required scope gets 403 with the error body',
  ref: 'posthog-contract.md#1.3', quote: 'Otherwise 403 "API key missing required scope \'<scope>\'"',
  check: refusedCheck,
});

export const internalRefused = defineRule<AccessInput>({
  id: 'scope.internal-refused', family: 'scopes', strength: 'MUST',
  title: 'an INTERNAL action refuses every scoped key with 403',
  ref: 'posthog-contract.md#1.3', quote: 'No key can hold an INTERNAL scope ... so: scoped key -> 403 "API key missing required scope \'INTERNAL\'"',
  check: refusedCheck,
});

export const noScopeAction = defineRule<AccessInput>({
  id: 'scope.no-scope-action-403', family: 'scopes', strength: 'MUST',
  title: 'an action with no scope refuses every personal API key, * too',
  ref: 'posthog-contract.md#1.3', quote: 'No required scope -> 403 "This action does not support Personal API Key access" — even for * keys (the check runs before the * shortcut)',
  check: refusedCheck,
});

export const refusalMessage = defineRule<AccessInput>({
  id: 'scope.refusal-message', family: 'scopes', strength: 'SHOULD',
  title: 'the 403 detail is PostHog\'s wording',
  ref: 'posthog-contract.md#1.3', quote: '403 "API key missing required scope \'<scope>\'" / "This action does not support Personal API Key access"',
  check: ({ ex, access }) => {
    if (access.allowed || ex.response?.status !== 403) return []; // the MUST rules report a wrong status
    const detail = (ex.json as { detail?: unknown } | undefined)?.detail;
    return detail === access.message ? [] : [{ message: 'the refusal detail differs from PostHog\'s', expected: access.message, actual: detail }];
  },
});

export interface ProjectInput { c: Contract; ex: Exchange; foreignProjectId?: string }

export const foreignRefused = defineRule<ProjectInput>({
  id: 'project.foreign-refused', family: 'scopes', strength: 'MUST',
  title: 'a project the key may not access is refused (403 or 404)',
  ref: 'posthog-contract.md#1.3', quote: 'AccessControlPermission: non-member -> 403 "You don\'t have access to the project."; scoped_teams ... -> 403',
  check: ({ ex, foreignProjectId }) => {
    const s = statusIs(ex, [403, 404], 'a foreign project is refused');
    if (s.length) return s;
    const text = ex.response!.text;
    // a refusal carries an error body, never the project's data
    const leaks = /"results"\s*:|"steps"\s*:|"tiles"\s*:|"messages"\s*:/.test(text) || (foreignProjectId !== undefined && new RegExp(`"team_id"\\s*:\\s*${foreignProjectId}\\b`).test(text));
    return leaks ? [{ message: 'the refusal carries the foreign project\'s data', expected: 'an error body', actual: text.slice(0, 300) }] : [];
  },
});

export const unknownProject = defineRule<ProjectInput>({
  id: 'project.unknown-404', family: 'scopes', strength: 'MUST',
  title: 'an unknown project id gets 404',
  ref: 'posthog-contract.md#1.1', quote: 'a non-integer or unknown id on team routes -> 404 "Project not found."',
  check: ({ ex }) => statusIs(ex, 404, 'an unknown project answers 404'),
});

export const nonIntegerProject = defineRule<ProjectInput>({
  id: 'project.non-integer-404', family: 'scopes', strength: 'MUST',
  title: 'a non-integer project id gets 404',
  ref: 'posthog-contract.md#1.1', quote: 'a non-integer or unknown id on team routes -> 404 "Project not found."',
  check: ({ ex }) => statusIs(ex, 404, 'a non-integer project id answers 404'),
});

export interface OwnerInput { c: Contract; ex: Exchange; ids?: string[]; foreign?: string[] }

export const teammateRetrieve = defineRule<OwnerInput>({
  id: 'owner.teammate-retrieve-200', family: 'scopes', strength: 'MUST',
  title: 'a teammate\'s titled conversation can be retrieved',
  ref: 'posthog-contract.md#E5', quote: 'not restricted to the caller: another member\'s conversation in the same team -> 200 (test_retrieve_other_users_conversation_succeeds)',
  check: ({ ex }) => statusIs(ex, 200, 'retrieving a teammate\'s titled conversation answers 200'),
});

export const notOwn404 = defineRule<OwnerInput>({
  id: 'owner.not-own-404', family: 'scopes', strength: 'MUST',
  title: 'a teammate\'s conversation cannot be canceled or appended to (404)',
  ref: 'posthog-contract.md#E6', quote: 'get_object() is limited to the caller\'s own conversations ... other user\'s, other team\'s or unknown -> 404',
  check: ({ ex }) => statusIs(ex, 404, 'acting on a teammate\'s conversation answers 404'),
});

export const listOwnOnly = defineRule<OwnerInput>({
  id: 'owner.list-own-only', family: 'scopes', strength: 'MUST',
  title: 'the conversation list holds only the caller\'s own',
  ref: 'posthog-contract.md#E3', quote: 'Queryset: only the caller\'s own conversations, title IS NOT NULL',
  check: ({ ex, ids = [], foreign = [] }) => {
    if (!ex.response) return noResponse(ex);
    const leaked = foreign.filter((id) => ids.includes(id));
    return leaked.length ? [{ message: 'the list shows a teammate\'s conversation', expected: 'none of the teammate\'s', actual: leaked }] : [];
  },
});
