/**
 * Status-family rules: documented success status, content type and body;
 * 401 without or with a bad credential; 404 on unknown ids; 400 with a
 * validation_error naming the field; wrong methods refused (405 via session;
 * 403 or 405 from a key, posthog-contract.md §7).
 */
import { validate, type Contract, type Divergence, type InvalidVariant } from '../contracts.js';
import type { Exchange } from '../http.js';
import { defineRule, type Finding } from '../rules.js';
import { contentTypeIs, errorBody, noResponse, statusIs } from './common.js';

export interface ExchangeInput { c: Contract; ex: Exchange }
export interface InvalidInput extends ExchangeInput { variant: InvalidVariant }
export interface DivergenceInput extends ExchangeInput { divergence: Divergence }

/** Precondition: a rule about the success body says nothing when the status itself is wrong (status.success says it). */
const onSuccess = (f: (i: ExchangeInput) => Finding[]) => (i: ExchangeInput): Finding[] =>
  !i.ex.response ? noResponse(i.ex) : i.ex.response.status !== i.c.success.status ? [] : f(i);

export const success = defineRule<ExchangeInput>({
  id: 'status.success', family: 'status', strength: 'MUST',
  title: 'a valid request gets the documented success status',
  ref: 'posthog-contract.md#6', quote: 'Summary: Success 200 | 200 | 200 | **200** (docs 201) | 200 | **201** (docs 200) | **204** (docs 200) | 200 | 201 | 200',
  check: ({ c, ex }) => statusIs(ex, c.success.status, `${c.method} with a valid request answers ${c.success.status}`),
});

export const contentType = defineRule<ExchangeInput>({
  id: 'status.content-type', family: 'status', strength: 'MUST',
  title: 'the success response has the documented content type',
  ref: 'posthog-contract.md#6', quote: 'Content-Type: application/json | text/event-stream (conversations create) | – (cancel 204: empty body)',
  check: onSuccess(({ c, ex }) => c.success.contentType
    ? contentTypeIs(ex, c.success.contentType)
    : ex.response!.text.length === 0 ? [] : [{ message: `a ${c.success.status} has an empty body`, expected: '(empty)', actual: ex.response!.text.slice(0, 200) }]),
});

export const bodySchema = defineRule<ExchangeInput>({
  id: 'status.body-schema', family: 'status', strength: 'MUST',
  title: 'the success body validates against the response schema',
  ref: 'posthog-contract.md#2', quote: 'responses by status: the body of each endpoint (Dashboard, DashboardBasic, Conversation, DashboardCollaborator[], ...); extra fields allowed (§7 forward compatibility)',
  check: onSuccess(({ c, ex }) => {
    if (ex.json === undefined) return [{ message: 'the success body is not JSON', expected: 'JSON', actual: ex.jsonError ?? '(empty body)' }];
    const errs = validate(c, 'success', c.success.schema!, ex.json);
    return errs.map((e) => ({ message: `body${e.path === '/' ? '' : e.path} ${e.message}` }));
  }),
});

export const noCredentials = defineRule<ExchangeInput>({
  id: 'auth.no-credentials-401', family: 'status', strength: 'MUST',
  title: 'a request without credentials gets 401 with the error body',
  ref: 'posthog-contract.md#1.2', quote: 'No credentials -> IsAuthenticated fails -> 401 {"type":"authentication_error","code":"not_authenticated",...}',
  check: ({ c, ex }) => {
    const s = statusIs(ex, 401, 'no credentials answers 401');
    return s.length ? s : errorBody(c, ex, 'authentication_error', 'not_authenticated');
  },
});

export const invalidKey = defineRule<ExchangeInput>({
  id: 'auth.invalid-key-401', family: 'status', strength: 'MUST',
  title: 'an invalid personal API key gets 401 with the error body',
  ref: 'posthog-contract.md#1.2', quote: 'Bad key -> AuthenticationFailed("Personal API key found in request Authorization header is invalid.") -> 401',
  check: ({ c, ex }) => {
    const s = statusIs(ex, 401, 'an invalid key answers 401');
    return s.length ? s : errorBody(c, ex, 'authentication_error', 'authentication_failed');
  },
});

export const unknownId = defineRule<ExchangeInput>({
  id: 'status.unknown-id-404', family: 'status', strength: 'MUST',
  title: 'an unknown id in the path gets 404',
  ref: 'posthog-contract.md#E5', quote: 'Untitled, tool_call, internal or unknown -> 404 not_found (E5); other user\'s, other team\'s or unknown -> 404 (E6, E7); Missing ... -> 404 "Dashboard not found." (E10)',
  check: ({ ex }) => statusIs(ex, 404, 'an unknown id answers 404'),
});

export const invalidStatus = defineRule<InvalidInput>({
  id: 'validation.status', family: 'status', strength: 'MUST',
  title: 'an invalid request gets the contract\'s error status',
  ref: 'posthog-contract.md#1.4', quote: 'ValidationError -> 400 validation_error (and the per-endpoint errors of §2)',
  check: ({ ex, variant }) => statusIs(ex, variant.expect.status, variant.title),
});

export const invalidBody = defineRule<InvalidInput>({
  id: 'validation.error-body', family: 'status', strength: 'MUST',
  title: 'the error body names the invalid field',
  ref: 'posthog-contract.md#1.4', quote: 'ValidationError code invalid is renamed invalid_input; attr = field name, nested keys joined with __, null for non-field errors',
  check: ({ c, ex, variant }) => {
    if (!ex.response) return noResponse(ex);
    const e = variant.expect;
    if (ex.response.status !== e.status) return []; // validation.status reports it
    if (e.emptyBody) return ex.response.text.length === 0 ? [] : [{ message: 'the error response has an empty body', expected: '(empty)', actual: ex.response.text.slice(0, 200) }];
    if (e.schema) {
      if (ex.json === undefined) return [{ message: 'the error body is not JSON', actual: ex.response.text.slice(0, 200) || '(empty)' }];
      return validate(c, `invalid.${variant.variant}`, e.schema, ex.json).map((x) => ({ message: `error body${x.path === '/' ? '' : x.path} ${x.message}` }));
    }
    const base = errorBody(c, ex, e.type);
    if (base.length) return base;
    const body = ex.json as { attr: string | null; code: string };
    const out: Finding[] = [];
    if (e.attr !== undefined && body.attr !== e.attr) out.push({ message: 'attr does not name the invalid field', expected: e.attr, actual: body.attr });
    if (e.code !== undefined && body.code !== e.code) out.push({ message: 'the error code differs', expected: e.code, actual: body.code });
    return out;
  },
});

export const methodSession = defineRule<ExchangeInput>({
  id: 'method.session-405', family: 'status', strength: 'MUST',
  title: 'a method the path does not allow gets 405 through the session',
  ref: 'posthog-contract.md#7', quote: 'With session auth the answer is 405 {"type":"invalid_request","code":"method_not_allowed","detail":"Method \\"PUT\\" not allowed.","attr":null} with an Allow header',
  check: ({ c, ex }) => {
    const s = statusIs(ex, 405, 'a method the path lacks answers 405');
    return s.length ? s : errorBody(c, ex, 'invalid_request');
  },
});

export const methodKey = defineRule<ExchangeInput>({
  id: 'method.key-refused', family: 'status', strength: 'MUST',
  title: 'a method the path does not allow is refused to a key (403 or 405)',
  ref: 'posthog-contract.md#7', quote: 'from a key, a wrong method must be refused with 403 or 405 (never 2xx or 5xx); 405 exactly is checkable only through the session',
  check: ({ ex }) => statusIs(ex, [403, 405], 'a method the path lacks is refused'),
});

export const divergence = defineRule<DivergenceInput>({
  id: 'divergence.documented', family: 'status', strength: 'INFO',
  title: 'the published docs differ from PostHog\'s code here',
  ref: 'posthog-contract.md#3', quote: 'Documented vs real: several documented statuses/bodies are drf-spectacular artefacts',
  check: ({ c, ex, divergence: d }) => ex.response?.status === c.success.status
    ? [{ message: `known divergence (${d.about}): the docs say ${d.documented}; PostHog's code, and this target, ${d.actual}`, expected: d.actual, actual: `${ex.response.status} ${ex.response.headers['content-type'] ?? ''}`.trim() }]
    : [],
});

export const echoes = defineRule<ExchangeInput>({
  id: 'status.echoes-request', family: 'status', strength: 'MUST',
  title: 'the created object carries back the values sent',
  ref: 'posthog-contract.md#E9', quote: 'CreateModelMixin.create + DashboardSerializer.create ... 201 Dashboard (the serializer renders the saved instance)',
  check: onSuccess(({ c, ex }) => {
    const sent = ex.request.body ? (JSON.parse(ex.request.body) as Record<string, unknown>) : {};
    const got = (ex.json ?? {}) as Record<string, unknown>;
    return (c.success.echo ?? []).filter((f) => f in sent && JSON.stringify(got[f]) !== JSON.stringify(sent[f]))
      .map((f) => ({ message: `${f} differs from the value sent`, expected: sent[f], actual: got[f] }));
  }),
});

export interface ListedInput { c: Contract; created: Exchange; list: Exchange; ids: unknown[]; id: unknown }

export const createdListed = defineRule<ListedInput>({
  id: 'status.created-listed', family: 'status', strength: 'MUST',
  title: 'a created object then appears in its list',
  ref: 'posthog-contract.md#E8', quote: 'Queryset: all dashboards of the team\'s project, deleted excluded',
  check: ({ list, ids, id }) => {
    if (!list.response) return noResponse(list);
    return ids.includes(id) ? [] : [{ message: 'the object just created is not in the list', expected: id, actual: `${ids.length} other item(s)` }];
  },
});

export const hiddenNotListed = defineRule<ListedInput>({
  id: 'status.hidden-not-listed', family: 'status', strength: 'MUST',
  title: 'an object created hidden (e.g. deleted) is not listed',
  ref: 'posthog-contract.md#E8', quote: 'Queryset: all dashboards of the team\'s project, deleted excluded, creation_mode="unlisted" excluded',
  check: ({ list, ids, id }) => {
    if (!list.response) return noResponse(list);
    return ids.includes(id) ? [{ message: 'a hidden object is in the list', expected: `no ${String(id)}`, actual: id }] : [];
  },
});
