/**
 * The embedded reference target (targets/reference) against PostHog's real behaviour as
 * described in posthog-contract.md: auth, scopes, routing, pagination, the dashboard and
 * batch-export endpoints, and the conversation (SSE) lifecycle. Everything waits on events
 * (stream reads) with deadlines; nothing sleeps.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ReferenceTarget, makeRefRequest, serve, type TargetInfo } from '../targets/reference/server.js';
import { SEED } from '../targets/reference/state.js';

type Served = Awaited<ReturnType<typeof serve>>;

const P = '/api/environments/1';
const CSRF = SEED.session.csrftoken;

interface CallOpts {
  method?: string;
  key?: string;
  session?: boolean;
  csrf?: boolean;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function client(server: () => Served) {
  return async function call(path: string, o: CallOpts = {}): Promise<Response> {
    const info = server().info;
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.key) headers.Authorization = `Bearer ${o.key}`;
    if (o.session) {
      headers.Cookie = info.sessionCookie;
      if (o.csrf !== false) headers['X-CSRFToken'] = CSRF;
    }
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['Content-Type'] ??= 'application/json';
    }
    return fetch(server().url + path, { method: o.method ?? 'GET', headers, body, signal: o.signal });
  };
}

async function json(r: Response): Promise<any> {
  return JSON.parse(await r.text());
}

/** Reject if `p` does not settle within `ms` (a deadline, not a sleep). */
function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline: ${what} after ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

interface SseFrame {
  event: string;
  data: any;
}

/** Minimal SSE reader: `next()` resolves with the next frame, or null at the end of the stream. */
function sse(r: Response) {
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  async function next(ms = 5000): Promise<SseFrame | null> {
    for (;;) {
      const sep = buffer.indexOf('\n\n');
      if (sep >= 0) {
        const raw = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const event = /^event: (.*)$/m.exec(raw)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(raw)?.[1] ?? 'null';
        return { event, data: JSON.parse(data) };
      }
      if (done) return null;
      const chunk = await deadline(reader.read(), ms, 'next SSE chunk');
      if (chunk.done) done = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
    }
  }
  async function rest(ms = 10_000): Promise<SseFrame[]> {
    const out: SseFrame[] = [];
    for (let f = await next(ms); f; f = await next(ms)) out.push(f);
    return out;
  }
  return { next, rest, cancel: () => reader.cancel().catch(() => {}) };
}

function expectError(body: any, type: string, code: string, detail?: string, attr: string | null = null) {
  expect(body).toEqual({ type, code, detail: detail ?? expect.any(String), attr });
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// =============================================================================================

describe('reference target: auth, scopes, routing', () => {
  let server: Served;
  const call = client(() => server);
  beforeAll(async () => {
    server = await serve(new ReferenceTarget(), 0);
  });
  afterAll(() => server.close());

  it('starts on 127.0.0.1 with the seed info', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.info).toMatchObject({ baseUrl: server.url, projectId: '1', foreignProjectId: '2', apiKey: SEED.apiKey });
    expect(server.info.keys.map((k) => k.scopes)).toEqual([
      ['dashboard:read'], ['dashboard:write'], ['conversation:read'], ['conversation:write'], ['batch_export:read'], ['feature_flag:read'],
    ]);
    expect(server.info.sessionCookie).toBe('sessionid=ref-session-u1; csrftoken=ref-csrf-u1');
  });

  it('401 not_authenticated without credentials, with WWW-Authenticate', async () => {
    const r = await call(`${P}/dashboards/`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expectError(await json(r), 'authentication_error', 'not_authenticated', 'Authentication credentials were not provided.');
  });

  it.each([
    ['header', { key: 'phx_nope_nope_nope' }, 'Authorization header', ''],
    ['query string', {}, 'query string', '?personal_api_key=phx_nope'],
  ])('401 authentication_failed for an unknown key in the %s', async (_where, o, display, qs) => {
    const r = await call(`${P}/dashboards/${qs}`, o);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expectError(await json(r), 'authentication_error', 'authentication_failed', `Personal API key found in request ${display} is invalid.`);
  });

  it('reads the key from the body and the query string too', async () => {
    const bad = await call(`${P}/dashboards/`, { method: 'POST', body: { personal_api_key: 'phx_nope' } });
    expect(bad.status).toBe(401);
    expect((await json(bad)).detail).toBe('Personal API key found in request body is invalid.');
    const q = await call(`${P}/dashboards/?personal_api_key=${SEED.apiKey}`);
    expect(q.status).toBe(200);
  });

  it('skips a pha_ (OAuth) bearer token; a key beats a session', async () => {
    const r = await call(`${P}/dashboards/`, { key: 'pha_whatever_token' });
    expect(r.status).toBe(401);
    expect((await json(r)).code).toBe('not_authenticated');
    // a scoped key plus a session: the key's scopes apply
    const both = await call(`${P}/dashboards/`, { key: SEED.scopedKeys[5].key, session: true });
    expect(both.status).toBe(403);
  });

  it('session: unsafe methods need the CSRF header', async () => {
    const r = await call(`${P}/dashboards/`, { method: 'POST', session: true, csrf: false, body: {} });
    expect(r.status).toBe(403);
    expectError(await json(r), 'authentication_error', 'permission_denied', 'CSRF Failed: CSRF token missing or incorrect.');
    expect((await call(`${P}/dashboards/`, { session: true, csrf: false })).status).toBe(200);
  });

  // ---- the scope table ----------------------------------------------------------------------
  const endpoints = [
    'batch_exports.run_test_step_new', 'batch_exports.test', 'conversations.list', 'conversations.create', 'conversations.retrieve',
    'conversations.append_message', 'conversations.cancel', 'dashboards.list', 'dashboards.create', 'dashboards.collaborators.list',
  ].map((id) => JSON.parse(readFileSync(new URL(`../schemas/endpoints/${id}.json`, import.meta.url), 'utf8')) as { id: string; method: string; scope: string | null });
  /** side-effect-free requests: bodies invalid on purpose, so a request that passes the scope check gets 400 */
  const probe: Record<string, { path: string; body?: unknown }> = {
    'batch_exports.run_test_step_new': { path: `${P}/batch_exports/run_test_step_new/`, body: {} },
    'batch_exports.test': { path: `${P}/batch_exports/test/?destination=S3` },
    'conversations.list': { path: `${P}/conversations/` },
    'conversations.create': { path: `${P}/conversations/`, body: {} },
    'conversations.retrieve': { path: `${P}/conversations/${SEED.conversations.ownListOrder[0]}/` },
    'conversations.append_message': { path: `${P}/conversations/${SEED.conversations.ownListOrder[0]}/append_message/`, body: {} },
    'conversations.cancel': { path: `${P}/conversations/${SEED.conversations.ownListOrder[0]}/cancel/` },
    'dashboards.list': { path: `${P}/dashboards/` },
    'dashboards.create': { path: `${P}/dashboards/`, body: { restriction_level: 99 } },
    'dashboards.collaborators.list': { path: `${P}/dashboards/1/collaborators/` },
  };
  function expected(scope: string | null, keyScopes: string[]): string | null {
    if (scope === null) return 'This action does not support Personal API Key access';
    if (keyScopes.includes('*')) return null;
    const ok = keyScopes.includes(scope) || (scope.endsWith(':read') && keyScopes.includes(scope.replace(':read', ':write')));
    return ok ? null : `API key missing required scope '${scope}'`;
  }
  const keys = [{ key: SEED.apiKey, scopes: ['*'] }, ...SEED.scopedKeys.map((k) => ({ key: k.key, scopes: [...k.scopes] }))];
  const table = endpoints.flatMap((e) => keys.map((k) => [e.id, k.scopes.join(','), e, k] as const));

  it.each(table)('%s with key [%s]', async (_id, _scopes, e, k) => {
    const pr = probe[e.id]!;
    const r = await call(pr.path, { method: e.method, key: k.key, body: pr.body });
    const want = expected(e.scope, k.scopes);
    if (want) {
      expect(r.status).toBe(403);
      expectError(await json(r), 'authentication_error', 'permission_denied', want);
    } else {
      expect([401, 403]).not.toContain(r.status);
    }
  });

  it.each(endpoints.map((e) => [e.id, e] as const))('%s: the session skips scopes', async (_id, e) => {
    const pr = probe[e.id]!;
    const r = await call(pr.path, { method: e.method, session: true, body: pr.body });
    expect([401, 403]).not.toContain(r.status);
  });

  it('a method the route lacks: 403 with a key, except PATCH on a list route and INTERNAL URLs', async () => {
    const dashRead = SEED.scopedKeys[0].key;
    const dashWrite = SEED.scopedKeys[1].key;
    const batchRead = SEED.scopedKeys[4].key;
    const cases: [string, string, string, number, string | null][] = [
      ['PUT', `${P}/dashboards/`, SEED.apiKey, 403, 'This action does not support Personal API Key access'],
      ['DELETE', `${P}/conversations/`, SEED.apiKey, 403, 'This action does not support Personal API Key access'],
      ['PATCH', `${P}/dashboards/`, SEED.apiKey, 405, null],
      ['PATCH', `${P}/dashboards/`, dashWrite, 405, null],
      ['PATCH', `${P}/dashboards/`, dashRead, 403, "API key missing required scope 'dashboard:write'"],
      ['PATCH', `${P}/conversations/${SEED.conversations.ownListOrder[0]}/`, SEED.apiKey, 403, 'This action does not support Personal API Key access'],
      ['PUT', `${P}/batch_exports/test/`, SEED.apiKey, 405, null],
      ['PUT', `${P}/batch_exports/run_test_step_new/`, batchRead, 403, "API key missing required scope 'INTERNAL'"],
    ];
    for (const [method, path, key, status, detail] of cases) {
      const r = await call(path, { method, key });
      expect(r.status, `${method} ${path}`).toBe(status);
      const body = await json(r);
      if (status === 403) expect(body.detail).toBe(detail);
      else expectError(body, 'invalid_request', 'method_not_allowed', `Method "${method}" not allowed.`);
    }
  });

  it('a method the route lacks, with the session: 405 + Allow', async () => {
    const r = await call(`${P}/dashboards/`, { method: 'PUT', session: true, body: {} });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
    expectError(await json(r), 'invalid_request', 'method_not_allowed', 'Method "PUT" not allowed.');
    const b = await call(`${P}/batch_exports/run_test_step_new/`, { method: 'PUT', session: true, body: {} });
    expect(b.status).toBe(405);
    expect(b.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('projects: foreign 403, unknown/non-integer 404, @current, trailing slash optional, unknown path 404', async () => {
    const foreign = await call('/api/environments/2/dashboards/', { key: SEED.apiKey });
    expect(foreign.status).toBe(403);
    expectError(await json(foreign), 'authentication_error', 'permission_denied', "You don't have access to the project.");
    for (const id of ['999', 'abc']) {
      const r = await call(`/api/environments/${id}/conversations/`, { key: SEED.apiKey });
      expect(r.status).toBe(404);
      expectError(await json(r), 'invalid_request', 'not_found', 'Project not found.');
    }
    expect((await call('/api/environments/@current/dashboards', { key: SEED.apiKey })).status).toBe(200);
    expect((await call('/api/environments/2/dashboards/', { key: SEED.foreignUserKey })).status).toBe(200);
    const unknown = await call(`${P}/nothing-here/`, { key: SEED.apiKey });
    expect(unknown.status).toBe(404);
    expectError(await json(unknown), 'invalid_request', 'not_found', 'Not found.');
    // pipeline order: 401 before 404 / 403
    expect((await call('/api/environments/999/dashboards/')).status).toBe(401);
    // scope (403) before project (404)
    expect((await call('/api/environments/999/dashboards/', { key: SEED.scopedKeys[5].key })).status).toBe(403);
  });

  it('a malformed JSON body is 400 parse_error', async () => {
    const r = await call(`${P}/dashboards/`, { method: 'POST', key: SEED.apiKey, body: '{"name": ' });
    expect(r.status).toBe(400);
    expect(await json(r)).toMatchObject({ type: 'invalid_request', code: 'parse_error', attr: null });
  });
});

// =============================================================================================

describe('reference target: dashboards', () => {
  let server: Served;
  const call = client(() => server);
  beforeAll(async () => {
    server = await serve(new ReferenceTarget(), 0);
  });
  afterAll(() => server.close());
  const key = SEED.apiKey;

  it('lists the project dashboards: -pinned, name; deleted and unlisted excluded', async () => {
    const r = await call(`${P}/dashboards/`, { key });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const body = await json(r);
    expect(body.count).toBe(10);
    expect(body.next).toBeNull();
    expect(body.previous).toBeNull();
    expect(body.results.map((d: any) => d.id)).toEqual([...SEED.dashboards.listOrder]);
    const first = body.results[1];
    expect(first).toMatchObject({ id: 1, restriction_level: 37, effective_restriction_level: 37, effective_privilege_level: 37, access_control_version: 'v1', user_access_level: 'editor', team_id: 1 });
    expect(first.created_by).toMatchObject({ id: 1, email: expect.any(String), uuid: expect.stringMatching(UUID_RE) });
    const unlisted = await json(await call(`${P}/dashboards/?creation_mode=unlisted`, { key }));
    expect(unlisted.results.map((d: any) => d.id)).toEqual([SEED.dashboards.unlisted]);
  });

  it('paginates like DRF LimitOffsetPagination', async () => {
    const host = new URL(server.url).host;
    const base = `http://${host}${P}/dashboards/`;
    const page = await json(await call(`${P}/dashboards/?zeta=1&limit=3&format=json&offset=3&a=2`, { key }));
    expect(page.count).toBe(10);
    expect(page.results.map((d: any) => d.id)).toEqual(SEED.dashboards.listOrder.slice(3, 6));
    expect(page.next).toBe(`${base}?a=2&format=json&limit=3&offset=6&zeta=1`);
    expect(page.previous).toBe(`${base}?a=2&format=json&limit=3&zeta=1`); // offset - limit <= 0: offset dropped

    const mid = await json(await call(`${P}/dashboards/?limit=3&offset=7`, { key }));
    expect(mid.next).toBeNull();
    expect(mid.previous).toBe(`${base}?limit=3&offset=4`);
    expect(mid.results).toHaveLength(3);

    for (const q of ['limit=0', 'limit=-2', 'limit=abc', 'offset=-1', 'offset=xyz']) {
      const b = await json(await call(`${P}/dashboards/?${q}`, { key }));
      expect(b.results, q).toHaveLength(10);
      expect(b.previous, q).toBeNull();
    }
    const beyond = await json(await call(`${P}/dashboards/?offset=50`, { key }));
    expect(beyond.results).toEqual([]);
    expect(beyond.previous).toBe(`${base}?limit=100`); // 50 - 100 <= 0: offset dropped
  });

  it('?format=txt renders the top-level keys as text/event-stream; an unknown format is 404', async () => {
    const r = await call(`${P}/dashboards/?format=txt`, { key });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await r.text()).toBe('countnextpreviousresults');
    const bad = await call(`${P}/dashboards/?format=xml`, { key });
    expect(bad.status).toBe(404);
    expect((await json(bad)).code).toBe('not_found');
  });

  it('collaborators: bare array of active users; 404 "Dashboard not found." otherwise', async () => {
    const r = await call(`${P}/dashboards/${SEED.dashboards.withCollaborators}/collaborators/`, { key });
    expect(r.status).toBe(200);
    const list = await json(r);
    expect(Array.isArray(list)).toBe(true);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: expect.stringMatching(UUID_RE), dashboard_id: 1, level: 37, user: { id: 2 }, added_at: expect.any(String), updated_at: expect.any(String) });
    expect(list[0]).not.toHaveProperty('user_uuid');
    expect(await json(await call(`${P}/dashboards/2/collaborators/`, { key }))).toEqual([]);
    for (const id of [SEED.dashboards.deleted, 13, 'abc', 2147483646]) {
      const x = await call(`${P}/dashboards/${id}/collaborators/`, { key });
      expect(x.status, String(id)).toBe(404);
      expectError(await json(x), 'invalid_request', 'not_found', 'Dashboard not found.');
    }
  });

  it('creates from {}: 201 Dashboard, name null, no write-only fields, no Location', async () => {
    const r = await call(`${P}/dashboards/`, { method: 'POST', key, body: {} });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBeNull();
    const d = await json(r);
    expect(d).toMatchObject({
      name: null, filters: {}, tiles: [], variables: {}, persisted_filters: {}, persisted_variables: {}, creation_mode: 'default',
      restriction_level: 21, effective_restriction_level: 21, effective_privilege_level: 37, access_control_version: 'v2',
      user_access_level: 'editor', team_id: 1, is_shared: false, deleted: false, created_by: { id: 1 },
    });
    for (const w of ['use_template', 'use_dashboard', 'delete_insights', '_create_in_folder']) expect(d).not.toHaveProperty(w);
    const full = await json(await call(`${P}/dashboards/`, {
      method: 'POST', key,
      body: { name: 'Restricted', restriction_level: 37, pinned: 'true', last_accessed_at: '2026-05-01T10:00:00+02:00', use_template: '', delete_insights: true },
    }));
    expect(full).toMatchObject({ name: 'Restricted', restriction_level: 37, access_control_version: 'v1', pinned: true, last_accessed_at: '2026-05-01T08:00:00Z' });
  });

  const createContract = JSON.parse(readFileSync(new URL('../schemas/endpoints/dashboards.create.json', import.meta.url), 'utf8'));
  function expand(v: any): any {
    return v && typeof v === 'object' && '$repeat' in v ? String(v.$repeat).repeat(v.times) : v;
  }
  const createInvalid: [string, any][] = createContract.invalid.map((c: any) => [c.variant, c]);
  it.each(createInvalid)('create refuses %s', async (_v, c) => {
    const body: Record<string, unknown> = { name: 'Valid name' };
    for (const [k, v] of Object.entries(c.body?.set ?? {})) body[k] = expand(v);
    for (const k of c.body?.unset ?? []) delete body[k];
    const r = await call(`${P}/dashboards/`, { method: 'POST', key, body });
    expect(r.status).toBe(c.expect.status);
    const b = await json(r);
    expect(b).toMatchObject({ type: c.expect.type, attr: c.expect.attr });
    if (c.expect.code) expect(b.code).toBe(c.expect.code);
  });

  it('create: use_* rules and other field errors', async () => {
    const cases: [unknown, string | null, string][] = [
      [{ use_template: 'DEFAULT_APP', use_dashboard: 2 }, null, '`use_dashboard` and `use_template` cannot be used together'],
      [{ use_dashboard: 999 }, 'use_dashboard', 'Invalid value provided'],
      [{ use_dashboard: SEED.dashboards.deleted }, 'use_dashboard', 'Invalid value provided'],
      [{ use_dashboard: 13 }, 'use_dashboard', 'Invalid value provided'],
      [{ use_template: 'NOPE' }, 'use_template', 'Invalid template provided: NOPE'],
      [{ name: { not: 'a string' } }, 'name', 'Not a valid string.'],
      [{ name: true }, 'name', 'Not a valid string.'],
      [{ restriction_level: 99 }, 'restriction_level', '"99" is not a valid choice.'],
      [{ tags: 'x' }, 'tags', 'Expected a list of items but got type "str".'],
      [['not', 'a', 'dict'], null, 'Invalid data. Expected a dictionary, but got list.'],
    ];
    for (const [body, attr, detail] of cases) {
      const r = await call(`${P}/dashboards/`, { method: 'POST', key, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(await json(r)).toMatchObject({ type: 'validation_error', attr, detail });
    }
    const dup = await json(await call(`${P}/dashboards/`, { method: 'POST', key, body: { name: 'Copy', use_dashboard: 2 } }));
    expect(dup.creation_mode).toBe('duplicate');
    const tpl = await json(await call(`${P}/dashboards/`, { method: 'POST', key, body: { use_template: 'DEFAULT_APP' } }));
    expect(tpl.creation_mode).toBe('template');
  });

  it('soft-delete through PATCH {deleted: true}: then 404 and out of the list', async () => {
    const created = await json(await call(`${P}/dashboards/`, { method: 'POST', key, body: { name: 'To delete' } }));
    expect((await call(`${P}/dashboards/${created.id}/`, { key })).status).toBe(200);
    const readOnly = await call(`${P}/dashboards/${created.id}/`, { method: 'PATCH', key: SEED.scopedKeys[0].key, body: { deleted: true } });
    expect(readOnly.status).toBe(403);
    const del = await call(`${P}/dashboards/${created.id}/`, { method: 'PATCH', key: SEED.scopedKeys[1].key, body: { deleted: true } });
    expect(del.status).toBe(200);
    expect((await json(del)).deleted).toBe(true);
    expect((await call(`${P}/dashboards/${created.id}/`, { key })).status).toBe(404);
    const list = await json(await call(`${P}/dashboards/?limit=1000`, { key }));
    expect(list.results.map((d: any) => d.id)).not.toContain(created.id);
    // restore
    expect((await call(`${P}/dashboards/${created.id}/`, { method: 'PATCH', key, body: { deleted: false } })).status).toBe(200);
    expect((await call(`${P}/dashboards/${created.id}/`, { key })).status).toBe(200);
  });
});

// =============================================================================================

describe('reference target: batch exports', () => {
  let server: Served;
  const call = client(() => server);
  beforeAll(async () => {
    server = await serve(new ReferenceTarget(), 0);
  });
  afterAll(() => server.close());
  const key = SEED.apiKey;
  const valid = () => ({
    name: 'S3 export',
    model: 'events',
    interval: 'hour',
    destination: { type: 'S3', config: { bucket_name: 'b', region: 'us-east-1', prefix: 'p/', aws_access_key_id: 'AKIA', aws_secret_access_key: 's' } },
  });

  it('test: steps with result null; missing -> 400 empty; unsupported -> 404 empty', async () => {
    const r = await call(`${P}/batch_exports/test/?destination=S3`, { key });
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body.steps.length).toBeGreaterThan(0);
    for (const s of body.steps) expect(s).toEqual({ name: expect.any(String), description: expect.any(String), result: null });
    for (const [q, status] of [['', 400], ['?destination=', 400], ['?destination=NoSuchDestination', 404], ['?destination=Postgres', 404]] as const) {
      const x = await call(`${P}/batch_exports/test/${q}`, { key });
      expect(x.status, q).toBe(status);
      expect(await x.text(), q).toBe('');
    }
    expect((await json(await call(`${P}/batch_exports/test/?destination=Snowflake`, { key }))).steps).toHaveLength(4);
  });

  it('run_test_step_new: 200 {name, description, result{status, message}}', async () => {
    const r = await call(`${P}/batch_exports/run_test_step_new/`, { method: 'POST', key, body: valid() });
    expect(r.status).toBe(200);
    const b = await json(r);
    expect(b).toEqual({ name: 'Check S3 bucket exists', description: expect.any(String), result: { status: 'Failed', message: expect.stringContaining("'b'") } });
    const unconfigured = valid();
    delete (unconfigured.destination.config as any).aws_access_key_id;
    const u = await json(await call(`${P}/batch_exports/run_test_step_new/`, { method: 'POST', key, body: { ...unconfigured, step: -1 } }));
    expect(u.result).toEqual({ status: 'Failed', message: "The test step cannot run as it's not configured." });
  });

  const contract = JSON.parse(readFileSync(new URL('../schemas/endpoints/batch_exports.run_test_step_new.json', import.meta.url), 'utf8'));
  const runInvalid: [string, any][] = contract.invalid.map((c: any) => [c.variant, c]);
  it.each(runInvalid)('run_test_step_new refuses %s', async (_v, c) => {
    const body: Record<string, unknown> = valid();
    for (const [k, v] of Object.entries(c.body?.set ?? {})) body[k] = v;
    for (const k of c.body?.unset ?? []) delete body[k];
    const r = await call(`${P}/batch_exports/run_test_step_new/`, { method: 'POST', key, body });
    expect(r.status).toBe(c.expect.status);
    expect(await json(r)).toMatchObject({ type: c.expect.type, attr: c.expect.attr });
  });

  it('run_test_step_new: nested errors, unsupported destination and bad step are 500', async () => {
    const noType = await json(await call(`${P}/batch_exports/run_test_step_new/`, { method: 'POST', key, body: { ...valid(), destination: { config: {} } } }));
    expect(noType).toMatchObject({ type: 'validation_error', code: 'required', attr: 'destination__type' });
    const extra = await json(await call(`${P}/batch_exports/run_test_step_new/`, {
      method: 'POST', key, body: { ...valid(), destination: { type: 'S3', config: { bucket_name: 'b', region: 'r', prefix: 'p', nope: 1 } } },
    }));
    expect(extra).toMatchObject({ attr: 'destination__non_field_errors', detail: "Configuration has unknown field/s: 'nope'" });
    for (const body of [{ ...valid(), step: 5 }, { ...valid(), step: 'x' }, { ...valid(), destination: { type: 'Postgres', config: {} } }]) {
      const r = await call(`${P}/batch_exports/run_test_step_new/`, { method: 'POST', key, body });
      expect(r.status).toBe(500);
      expectError(await json(r), 'server_error', 'error', 'A server error occurred.');
    }
  });
});

// =============================================================================================

describe('reference target: conversations', () => {
  let server: Served;
  let target: ReferenceTarget;
  const call = client(() => server);
  beforeAll(async () => {
    // slow frames, so a long question streams for a while (the tests wait on frames, not on time)
    target = new ReferenceTarget({ frameDelayMs: 20 });
    server = await serve(target, 0);
  });
  afterAll(() => server.close());
  const key = SEED.apiKey;
  const session = { session: true } as const;
  const longQuestion = `How did signups evolve ${'and why '.repeat(300)}?`;
  const start = (conversation: string, content: string | null, extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
    call(`${P}/conversations/`, { method: 'POST', key, body: { content, conversation, trace_id: randomUUID(), ...extra }, signal });

  it('lists own titled, listable conversations by -updated_at', async () => {
    const body = await json(await call(`${P}/conversations/`, { key }));
    expect(body.count).toBe(7);
    expect(body.results.map((c: any) => c.id)).toEqual([...SEED.conversations.ownListOrder]);
    for (const c of body.results) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'status', 'title', 'user', 'created_at', 'updated_at', 'type']));
      expect(c).not.toHaveProperty('messages');
    }
    const u2 = await json(await call(`${P}/conversations/`, { key: SEED.secondUserKey }));
    expect(u2.results.map((c: any) => c.id).sort()).toEqual([...SEED.conversations.teammate].sort());
  });

  it('retrieve: a teammate\'s titled conversation is 200; untitled, tool_call, internal, foreign, unknown, non-uuid are 404', async () => {
    const mate = await call(`${P}/conversations/${SEED.conversations.teammate[0]}/`, { key });
    expect(mate.status).toBe(200);
    const c = await json(mate);
    expect(c).toMatchObject({ id: SEED.conversations.teammate[0], user: { id: 2 }, has_unsupported_content: false, pending_approvals: [] });
    expect(c.messages.map((m: any) => m.type)).toEqual(['human', 'ai']);
    for (const id of [SEED.conversations.ownUntitled, SEED.conversations.ownToolCall, SEED.conversations.ownInternal, SEED.conversations.foreign, randomUUID(), 'not-a-uuid']) {
      const r = await call(`${P}/conversations/${id}/`, { key });
      expect(r.status, id).toBe(404);
      expectError(await json(r), 'invalid_request', 'not_found', 'Not found.');
    }
  });

  it('create: validation and {"error"} bodies', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ content: '', conversation: randomUUID(), trace_id: randomUUID() }, 'content'],
      [{ content: 'a'.repeat(40001), conversation: randomUUID(), trace_id: randomUUID() }, 'content'],
      [{ content: 'hi', conversation: 'not-a-uuid', trace_id: randomUUID() }, 'conversation'],
      [{ content: 'hi', conversation: randomUUID() }, 'trace_id'],
      [{ conversation: randomUUID(), trace_id: randomUUID() }, 'content'],
    ];
    for (const [body, attr] of cases) {
      const r = await call(`${P}/conversations/`, { method: 'POST', key, body });
      expect(r.status).toBe(400);
      expect(await json(r)).toMatchObject({ type: 'validation_error', attr });
    }
    const unknownNull = await start(randomUUID(), null);
    expect(unknownNull.status).toBe(400);
    expect(await json(unknownNull)).toEqual({ error: 'Cannot stream from non-existent conversation' });
    const other = await start(SEED.conversations.teammate[0], 'hello');
    expect(other.status).toBe(400);
    expect(await json(other)).toEqual({ error: "Cannot access other users' conversations" });
    const idle = await start(SEED.conversations.ownListOrder[0], null);
    expect(idle.status).toBe(400);
    expectError(await json(idle), 'validation_error', 'invalid_input', 'Cannot continue streaming from an idle conversation');
  });

  it('a full run: conversation, human message, growing AI message, then the stream closes and the conversation is idle', async () => {
    const id = randomUUID();
    const question = 'Which countries had the most signups last week?';
    const r = await start(id, question);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    const frames = await sse(r).rest();
    expect(frames[0]).toMatchObject({ event: 'conversation', data: { id, status: 'in_progress' } });
    expect(frames[1]).toEqual({ event: 'message', data: { content: question, type: 'human', id: expect.stringMatching(UUID_RE) } });
    const ai = frames.slice(2);
    expect(ai).toHaveLength(1 + Math.ceil(question.length / 40));
    const aiId = ai[0]!.data.id;
    let previous = '';
    for (const f of ai) {
      expect(f.event).toBe('message');
      expect(f.data).toMatchObject({ type: 'ai', id: aiId });
      expect(f.data.content.startsWith(previous)).toBe(true);
      expect(f.data.content.length).toBeGreaterThan(previous.length);
      previous = f.data.content;
    }
    const after = await json(await call(`${P}/conversations/${id}/`, { key }));
    expect(after).toMatchObject({ id, status: 'idle', type: 'assistant', title: expect.any(String) });
    expect(after.title.length).toBeLessThanOrEqual(250);
    expect(after.messages).toEqual([
      { content: question, type: 'human', id: frames[1]!.data.id },
      { content: previous, type: 'ai', id: aiId },
    ]);
    const list = await json(await call(`${P}/conversations/`, { key }));
    expect(list.results[0].id).toBe(id);
  });

  it('409 while streaming, re-attach with content null, cancel: 204 empty, every stream ends, idle', async () => {
    const id = randomUUID();
    const first = sse(await start(id, longQuestion));
    expect((await first.next())?.event).toBe('conversation');
    expect((await first.next())?.data.type).toBe('human');
    expect((await first.next())?.data.type).toBe('ai'); // the run is producing frames

    const conflict = await start(id, 'another question');
    expect(conflict.status).toBe(409);
    expectError(await json(conflict), 'server_error', 'conflict', 'Cannot resume streaming with a new message');

    const again = await start(id, null);
    expect(again.status).toBe(200);
    const second = sse(again);
    const head = await second.next();
    expect(head).toMatchObject({ event: 'conversation', data: { id, status: 'in_progress' } });
    const following = await second.next();
    expect(following).toMatchObject({ event: 'message', data: { type: 'ai' } });

    // cancel needs the session (no personal API key can reach it)
    expect((await call(`${P}/conversations/${id}/cancel/`, { method: 'PATCH', key })).status).toBe(403);
    const cancel = await call(`${P}/conversations/${id}/cancel/`, { method: 'PATCH', ...session, body: { ignored: true } });
    expect(cancel.status).toBe(204);
    expect(await cancel.text()).toBe('');

    await deadline(first.rest(), 2000, 'first stream ends after cancel');
    await deadline(second.rest(), 2000, 'second stream ends after cancel');
    const after = await json(await call(`${P}/conversations/${id}/`, { key }));
    expect(after.status).toBe('idle');
    // cancel again: no-op, still 204
    expect((await call(`${P}/conversations/${id}/cancel/`, { method: 'PATCH', ...session })).status).toBe(204);
    // idle again: a new message is accepted
    const next = await start(id, 'short one');
    expect(next.status).toBe(200);
    await sse(next).rest();
  });

  it('the run does not depend on the connection: a client that disconnects does not stop it', async () => {
    const id = randomUUID();
    const abort = new AbortController();
    const stream = sse(await start(id, 'x'.repeat(200), {}, abort.signal));
    expect((await stream.next())?.event).toBe('conversation');
    abort.abort();
    await stream.cancel();
    // re-attach and follow the run to its end
    const again = await start(id, null);
    expect(again.status).toBe(200);
    const frames = await sse(again).rest();
    expect(frames[0]?.event).toBe('conversation');
    const after = await json(await call(`${P}/conversations/${id}/`, { key }));
    expect(after.status).toBe('idle');
    expect(after.messages.map((m: any) => m.type)).toEqual(['human', 'ai']);
  });

  it('append_message: own only, 201 {id}; a teammate\'s conversation is 404 for append and cancel', async () => {
    const own = SEED.conversations.ownUntitled; // no title filter for append
    expect((await call(`${P}/conversations/${own}/append_message/`, { method: 'POST', key, body: { content: 'x' } })).status).toBe(403);
    const r = await call(`${P}/conversations/${own}/append_message/`, { method: 'POST', ...session, body: { content: 'A note' } });
    expect(r.status).toBe(201);
    const b = await json(r);
    expect(b).toEqual({ id: expect.stringMatching(UUID_RE) });
    expect(target.state.conversations.get(own)!.messages.at(-1)).toEqual({ type: 'ai', content: 'A note', id: b.id });
    for (const body of [{}, { content: '' }, { content: 'a'.repeat(10001) }]) {
      const bad = await call(`${P}/conversations/${own}/append_message/`, { method: 'POST', ...session, body });
      expect(bad.status).toBe(400);
      expect(await json(bad)).toMatchObject({ type: 'validation_error', attr: 'content' });
    }
    const mate = SEED.conversations.teammate[0];
    const mateRetrieve = await call(`${P}/conversations/${mate}/`, { ...session });
    expect(mateRetrieve.status).toBe(200);
    for (const [path, method, body] of [[`${mate}/append_message/`, 'POST', { content: 'x' }], [`${mate}/cancel/`, 'PATCH', undefined]] as const) {
      const x = await call(`${P}/conversations/${path}`, { method, ...session, body });
      expect(x.status).toBe(404);
      expectError(await json(x), 'invalid_request', 'not_found', 'Not found.');
    }
  });
});

// =============================================================================================

describe('reference target: serving', () => {
  it('close() ends open streams and the server promptly', async () => {
    const server = await serve(new ReferenceTarget({ frameDelayMs: 50 }), 0);
    const call = client(() => server);
    const r = await call(`${P}/conversations/`, {
      method: 'POST', key: SEED.apiKey, body: { content: 'q'.repeat(4000), conversation: randomUUID(), trace_id: randomUUID() },
    });
    const stream = sse(r);
    expect((await stream.next())?.event).toBe('conversation');
    await deadline(server.close(), 2000, 'close');
    await deadline(stream.rest().catch(() => []), 2000, 'stream end after close');
  });

  it('handle() works in-process, and each instance has fresh state', async () => {
    const a = new ReferenceTarget();
    const headers = { host: 'ref.test', authorization: `Bearer ${SEED.apiKey}`, 'content-type': 'application/json' };
    const created = await a.handle(makeRefRequest('POST', `${P}/dashboards/`, headers, '{"name":"only in a"}'));
    expect(created.status).toBe(201);
    const list = await a.handle(makeRefRequest('GET', `${P}/dashboards/?limit=2`, headers, ''));
    expect((list as any).body.count).toBe(11);
    expect((list as any).body.next).toBe('http://ref.test/api/environments/1/dashboards/?limit=2&offset=2');
    const b = new ReferenceTarget();
    const fresh = await b.handle(makeRefRequest('GET', `${P}/dashboards/`, headers, ''));
    expect((fresh as any).body.count).toBe(10);
  });

  it('runStandalone prints .env lines', async () => {
    const { envLines } = await import('../targets/reference/main.js');
    const info: TargetInfo = { ...(await import('../targets/reference/server.js')).referenceInfo('http://127.0.0.1:1') };
    const lines = envLines(info);
    expect(lines[0]).toBe('CONTRACT_BASE_URL=http://127.0.0.1:1');
    expect(lines).toContain(`CONTRACT_API_KEY=${SEED.apiKey}`);
    const keysLine = lines.find((l) => l.startsWith('CONTRACT_KEYS='))!;
    expect(JSON.parse(keysLine.slice("CONTRACT_KEYS='".length, -1))).toEqual(info.keys);
    expect(lines).toContain("CONTRACT_SESSION_COOKIE='sessionid=ref-session-u1; csrftoken=ref-csrf-u1'");
  });
});
