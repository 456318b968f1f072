/**
 * The embedded reference target: an in-memory HTTP server that behaves like PostHog's real code
 * (not its docs) for the ten Environments endpoints of this suite, as described in
 * /work/shared/reference/posthog-contract.md (cited below as "§n" / "En").
 *
 * Design for mutation testing: every step of the request pipeline and every endpoint is a
 * separate public method of `ReferenceTarget`, so a faulty target ("mutant") is
 * `class X extends ReferenceTarget` overriding ONE method.
 *
 * Pipeline (DRF `APIView.dispatch` + `initial()`; §1.3, §7):
 *   route -> negotiate (?format=) -> authenticate (401 / CSRF 403) -> checkScope (403)
 *   -> resolveTeam (404) -> checkMembership (403) -> method allowed? (405) -> handler
 *   -> finalize (Allow / Vary headers, `?format=txt` rendering)
 */

import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

import {
  createSeedState,
  scopedKeys,
  SEED,
  type Conversation,
  type Dashboard,
  type DashboardPrivilege,
  type PersonalApiKey,
  type ReferenceState,
  type RestrictionLevel,
  type StoredMessage,
  type Team,
  type User,
} from './state.js';
import {
  BooleanField,
  CharField,
  ChoiceField,
  DateTimeField,
  DictField,
  IntegerField,
  JSONField,
  ListField,
  UUIDField,
  type FieldError,
  type FieldSet,
  type Parsed,
  isPlainObject,
  notADict,
  parseUuid,
  pyInt,
  pyIsoFormat,
  pyStr,
  pyTypeName,
  removeQueryParam,
  replaceQueryParam,
  runFields,
} from './drf.js';

// =============================================================================================
// Public types
// =============================================================================================

export interface ReferenceOptions {
  /** delay between simulated assistant frames, default 10 */
  frameDelayMs?: number;
  /** one AI answer frame per this many characters of the question, default 40 */
  charsPerFrame?: number;
  /** cap on AI answer frames, default 400 */
  maxFrames?: number;
}

/** What a client needs to use the target. */
export interface TargetInfo {
  baseUrl: string;
  projectId: string;
  foreignProjectId: string;
  apiKey: string;
  /** `label` only on the extra copies of CONTRACT_REFERENCE_KEY_COPIES (bench) */
  keys: { key: string; scopes: string[]; label?: string }[];
  /** Cookie header value; unsafe methods also need `X-CSRFToken: <csrftoken>` */
  sessionCookie: string;
  secondUserKey: string;
}

export interface RefRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** parsed body: undefined when empty; a `BodyError` when it cannot be parsed (see `parseRequestBody`) */
  body: unknown;
}

/** `body` undefined => empty body. An object is sent as JSON; a string is sent verbatim when a Content-Type header is given. */
export interface JsonReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
/** Chunks are written as produced. */
export interface StreamReply {
  status: number;
  headers?: Record<string, string>;
  stream: AsyncIterable<string>;
}
export type Reply = JsonReply | StreamReply;

export function isStreamReply(r: Reply): r is StreamReply {
  return 'stream' in r;
}

/** Thrown by pipeline steps and handlers; `handle()` turns it into its reply. */
export class ApiError extends Error {
  constructor(readonly reply: JsonReply) {
    super(`reference target error reply ${reply.status}`);
  }
}

/** A request body DRF cannot parse: `parse` -> 400 parse_error, `media` -> 415 (raised when the body is read). */
export class BodyError {
  constructor(
    readonly kind: 'parse' | 'media',
    readonly detail: string,
  ) {}
}

export type Renderer = 'json' | 'txt';

export type HandlerName =
  | 'batchExportsRunTestStepNew'
  | 'batchExportsTest'
  | 'conversationsList'
  | 'conversationsCreate'
  | 'conversationsRetrieve'
  | 'conversationsAppendMessage'
  | 'conversationsCancel'
  | 'dashboardsList'
  | 'dashboardsCreate'
  | 'dashboardsRetrieve'
  | 'dashboardsPartialUpdate'
  | 'dashboardsCollaboratorsList'
  | 'optionsMetadata';

/** One DRF route: a URL pattern of a viewset with its method -> action map. */
export interface RouteDef {
  name: string;
  /** matched against the path; named groups become params (`id` = the project/environment id) */
  pattern: RegExp;
  /** DRF `view.detail` (matters for PATCH on a list route, §7) */
  detail: boolean;
  /** viewset `scope_object` */
  scopeObject: string;
  /** action-level `required_scopes`, applied to every method of the URL (the INTERNAL batch-export actions, §7) */
  requiredScopes?: string[];
  /** renderer formats the viewset offers (`?format=`); first one is the default */
  formats: Renderer[];
  /** HTTP method -> DRF action + our handler */
  actions: Partial<Record<string, { action: string; handler: HandlerName }>>;
}

export interface RouteMatch {
  def: RouteDef;
  params: Record<string, string>;
}

export interface Principal {
  kind: 'personal_api_key' | 'session';
  user: User;
  key?: PersonalApiKey;
  keySource?: 'header' | 'body' | 'query_string';
}

export interface HandlerContext {
  req: RefRequest;
  match: RouteMatch;
  principal: Principal;
  user: User;
  team: Team;
  renderer: Renderer;
}

/** A destination-test step (products/batch_exports/backend/api/destination_tests). */
export interface DestinationTestStepDef {
  name: string;
  description: string;
  /** config keys that must be set for the step to be "configured" */
  requires: string[];
  /** the failure message a configured step gets (no real destination is reachable from here) */
  failure(config: Record<string, unknown>): string;
}

export interface StepResult {
  status: 'Passed' | 'Failed' | 'Skipped';
  message: string | null;
}

/** A running assistant generation; independent of any HTTP connection (E4). */
export interface AssistantRun {
  conversationId: string;
  /** every SSE frame the run produced so far (human message, AI frames) */
  frames: string[];
  listeners: Set<FrameChannel>;
  finished: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  aiMessageId: string;
  answerWords: string[];
  totalFrames: number;
  sentFrames: number;
}

// =============================================================================================
// A tiny async queue used for SSE streams
// =============================================================================================

/** Async iterable of frames: `push`/`end` from the run, `return()` from the consumer (disconnect). */
export class FrameChannel implements AsyncIterableIterator<string> {
  private queue: string[] = [];
  private ended = false;
  private waiter: ((r: IteratorResult<string>) => void) | null = null;
  onClose: (() => void) | null = null;

  push(frame: string): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: frame, done: false });
    } else this.queue.push(frame);
  }

  /** No more frames: the consumer drains what is queued, then sees the end. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter && this.queue.length === 0) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
    this.onClose?.();
    this.onClose = null;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<string>> {
    this.queue = [];
    this.end();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

// =============================================================================================
// Constants
// =============================================================================================

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** DRF `http_method_names` order, used for the `Allow` header */
const HTTP_METHOD_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const WRITE_ACTIONS = new Set(['create', 'update', 'partial_update', 'patch', 'destroy']);
const READ_ACTIONS = new Set(['list', 'retrieve']);
const LISTABLE_CONVERSATION_TYPES = new Set(['assistant', 'deep_research', 'slack']);
const BATCH_EXPORT_DESTINATIONS = ['S3', 'Snowflake', 'Postgres', 'Redshift', 'BigQuery', 'Databricks', 'AzureBlob', 'Workflows', 'HTTP', 'NoOp'];
const BATCH_EXPORT_INTERVALS = ['hour', 'day', 'week', 'every 5 minutes'];
const DASHBOARD_TEMPLATES = new Set(['DEFAULT_APP']);
const NOT_CONFIGURED = "The test step cannot run as it's not configured.";

const ENV = String.raw`^/api/environments/(?<id>[^/.]+)`;
const ENV_OR_PROJECT = String.raw`^/api/(?:environments|projects)/(?<id>[^/.]+)`;

// =============================================================================================
// The target
// =============================================================================================

export class ReferenceTarget {
  readonly options: Required<ReferenceOptions>;
  /** The whole in-memory world (fresh per instance). */
  state: ReferenceState;
  /** Running assistant generations, by conversation id. */
  readonly runs = new Map<string, AssistantRun>();
  private lastNowMs = 0;

  constructor(options: ReferenceOptions = {}) {
    this.options = {
      frameDelayMs: options.frameDelayMs ?? 10,
      charsPerFrame: options.charsPerFrame ?? 40,
      maxFrames: options.maxFrames ?? 400,
    };
    this.state = this.seed();
  }

  /** The initial state (override to start from a different world). */
  seed(): ReferenceState {
    return createSeedState();
  }

  /** Current time as DRF renders it; strictly increasing so `-updated_at` orderings are total. */
  now(): string {
    const ms = Math.max(Date.now(), this.lastNowMs + 1);
    this.lastNowMs = ms;
    return pyIsoFormat(ms);
  }

  newUuid(): string {
    return randomUUID();
  }

  /** Stop every assistant run and end every attached stream (used by `serve().close()`). */
  dispose(): void {
    for (const run of this.runs.values()) {
      if (run.timer) clearTimeout(run.timer);
      run.timer = null;
      run.finished = true;
      for (const l of [...run.listeners]) l.end();
    }
    this.runs.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Pipeline
  // -------------------------------------------------------------------------------------------

  /** The whole pipeline, in DRF order (see the file comment). Never throws. */
  async handle(req: RefRequest): Promise<Reply> {
    let match: RouteMatch | null = null;
    let renderer: Renderer = 'json';
    try {
      match = this.route(req);
      if (!match) return this.notFound();
      renderer = this.negotiate(req, match);
      const principal = this.authenticate(req);
      this.checkScope(principal, this.requiredScopes(match, req.method));
      const team = this.resolveTeam(match.params.id ?? '', principal);
      this.checkMembership(principal, team);
      const action = this.actionFor(match.def, req.method);
      if (!action) return this.finalize(this.methodNotAllowed(req, match), match, renderer);
      const ctx: HandlerContext = { req, match, principal, user: principal.user, team, renderer };
      const reply = await this.dispatch(action.handler, ctx);
      return this.finalize(reply, match, renderer);
    } catch (err) {
      const reply = err instanceof ApiError ? err.reply : this.unexpectedError(err);
      return match ? this.finalize(reply, match, renderer) : reply;
    }
  }

  /** Calls the named handler method (dynamic, so subclass overrides apply). */
  dispatch(handler: HandlerName, ctx: HandlerContext): Promise<Reply> | Reply {
    return this[handler](ctx);
  }

  /**
   * The routes (§1.1): `/api/environments/{id}/…` with optional trailing slash
   * (`DefaultRouterPlusPlus.trailing_slash = r"/?"`); dashboards, collaborators and batch exports
   * also answer on the legacy `/api/projects/{id}/…` twins (conversations do not).
   * Detail routes for dashboards (GET/PATCH) exist for cleanup: not one of the ten endpoints.
   */
  routes(): RouteDef[] {
    return [
      {
        name: 'batch_exports.run_test_step_new',
        pattern: new RegExp(`${ENV_OR_PROJECT}/batch_exports/run_test_step_new/?$`),
        detail: false,
        scopeObject: 'batch_export',
        requiredScopes: ['INTERNAL'],
        formats: ['json'],
        actions: { POST: { action: 'run_test_step_new', handler: 'batchExportsRunTestStepNew' } },
      },
      {
        name: 'batch_exports.test',
        pattern: new RegExp(`${ENV_OR_PROJECT}/batch_exports/test/?$`),
        detail: false,
        scopeObject: 'batch_export',
        requiredScopes: ['INTERNAL'],
        formats: ['json'],
        actions: { GET: { action: 'test', handler: 'batchExportsTest' } },
      },
      {
        name: 'conversations',
        pattern: new RegExp(`${ENV}/conversations/?$`),
        detail: false,
        scopeObject: 'conversation',
        formats: ['json'],
        actions: {
          GET: { action: 'list', handler: 'conversationsList' },
          POST: { action: 'create', handler: 'conversationsCreate' },
        },
      },
      {
        name: 'conversations.append_message',
        pattern: new RegExp(`${ENV}/conversations/(?<conversation>[^/.]+)/append_message/?$`),
        detail: true,
        scopeObject: 'conversation',
        formats: ['json'],
        actions: { POST: { action: 'append_message', handler: 'conversationsAppendMessage' } },
      },
      {
        name: 'conversations.cancel',
        pattern: new RegExp(`${ENV}/conversations/(?<conversation>[^/.]+)/cancel/?$`),
        detail: true,
        scopeObject: 'conversation',
        formats: ['json'],
        actions: { PATCH: { action: 'cancel', handler: 'conversationsCancel' } },
      },
      {
        name: 'conversations.detail',
        pattern: new RegExp(`${ENV}/conversations/(?<conversation>[^/.]+)/?$`),
        detail: true,
        scopeObject: 'conversation',
        formats: ['json'],
        actions: { GET: { action: 'retrieve', handler: 'conversationsRetrieve' } },
      },
      {
        name: 'dashboards',
        pattern: new RegExp(`${ENV_OR_PROJECT}/dashboards/?$`),
        detail: false,
        scopeObject: 'dashboard',
        formats: ['json', 'txt'], // SafeJSONRenderer + ServerSentEventRenderer (§1.7)
        actions: {
          GET: { action: 'list', handler: 'dashboardsList' },
          POST: { action: 'create', handler: 'dashboardsCreate' },
        },
      },
      {
        name: 'dashboards.collaborators',
        pattern: new RegExp(`${ENV_OR_PROJECT}/dashboards/(?<dashboard>[^/.]+)/collaborators/?$`),
        detail: false,
        scopeObject: 'dashboard',
        formats: ['json'],
        actions: { GET: { action: 'list', handler: 'dashboardsCollaboratorsList' } },
      },
      {
        name: 'dashboards.detail',
        pattern: new RegExp(`${ENV_OR_PROJECT}/dashboards/(?<dashboard>[^/.]+)/?$`),
        detail: true,
        scopeObject: 'dashboard',
        formats: ['json', 'txt'],
        actions: {
          GET: { action: 'retrieve', handler: 'dashboardsRetrieve' },
          PATCH: { action: 'partial_update', handler: 'dashboardsPartialUpdate' },
        },
      },
    ];
  }

  /** Match the path against `routes()`; null -> 404 not_found. */
  route(req: RefRequest): RouteMatch | null {
    for (const def of this.routes()) {
      const m = def.pattern.exec(req.path);
      if (m) return { def, params: { ...(m.groups ?? {}) } };
    }
    return null;
  }

  /**
   * DRF content negotiation, which runs in `initial()` BEFORE authentication: `?format=` must
   * name one of the view's renderers, else 404 (E8). `Accept` picks among them; an Accept no
   * renderer satisfies would be 406 in DRF (derived, unsettled §5) — here it falls back to the
   * first renderer instead.
   */
  negotiate(req: RefRequest, match: RouteMatch): Renderer {
    let renderers = match.def.formats;
    const format = req.query.getAll('format').at(-1);
    if (format) {
      renderers = renderers.filter((r) => r === format);
      if (!renderers.length) throw new ApiError(this.notFound());
    }
    const mediaOf: Record<Renderer, string> = { json: 'application/json', txt: 'text/event-stream' };
    const accept = String(req.headers.accept ?? '*/*');
    const ranges = accept
      .split(',')
      .map((s) => s.split(';')[0]!.trim().toLowerCase())
      .filter(Boolean);
    const precedence = (r: string) => (r === '*/*' ? 0 : r.endsWith('/*') ? 1 : 2);
    for (const level of [2, 1, 0]) {
      const set = ranges.filter((r) => precedence(r) === level);
      for (const renderer of renderers) {
        const [main] = mediaOf[renderer].split('/');
        if (set.some((r) => r === '*/*' || r === `${main}/*` || r === mediaOf[renderer])) return renderer;
      }
    }
    return renderers[0]!;
  }

  /**
   * §1.2: personal API key first (`Authorization: Bearer`, else body `personal_api_key`, else
   * query `?personal_api_key=`), then the Django session cookie (+ CSRF for unsafe methods).
   * Nothing -> 401 not_authenticated.
   */
  authenticate(req: RefRequest): Principal {
    const found = this.findPersonalApiKey(req);
    if (found) return this.validatePersonalApiKey(found.key, found.source);
    const session = this.sessionUser(req);
    if (session) {
      this.enforceCsrf(req, session.csrftoken);
      return { kind: 'session', user: session.user };
    }
    throw new ApiError(this.error(401, 'authentication_error', 'not_authenticated', 'Authentication credentials were not provided.'));
  }

  /**
   * `PersonalAPIKeyAuthentication.find_key_with_source`: header regex `^Bearer\s+(\S.+)$`
   * (an OAuth `pha_` token makes it return nothing at all), else body, else query string.
   * Reading the body here is why a malformed body gives 400 even before authentication.
   */
  findPersonalApiKey(req: RefRequest): { key: string; source: 'header' | 'body' | 'query_string' } | null {
    const auth = req.headers.authorization;
    if (typeof auth === 'string') {
      const m = /^Bearer\s+(\S.+)$/.exec(auth);
      if (m) {
        const token = m[1]!.trim();
        if (token.startsWith('pha_')) return null;
        return { key: token, source: 'header' };
      }
    }
    const body = this.readBody(req);
    if (isPlainObject(body) && 'personal_api_key' in body) return { key: pyStr(body.personal_api_key), source: 'body' };
    const fromQuery = req.query.getAll('personal_api_key');
    if (fromQuery.length) return { key: fromQuery.at(-1)!, source: 'query_string' };
    return null;
  }

  /** `validate_key`: unknown key (or a key of an inactive user) -> 401 authentication_failed. */
  validatePersonalApiKey(key: string, source: 'header' | 'body' | 'query_string'): Principal {
    const record = this.state.apiKeys.get(key);
    const owner = record ? this.state.users.get(record.user_id) : undefined;
    if (!record || !owner || !owner.is_active) {
      const where = { header: 'Authorization header', body: 'body', query_string: 'query string' }[source];
      throw new ApiError(
        this.error(401, 'authentication_error', 'authentication_failed', `Personal API key found in request ${where} is invalid.`),
      );
    }
    return { kind: 'personal_api_key', user: owner, key: record, keySource: source };
  }

  /** Django session from `Cookie: sessionid=…`; also returns the request's csrftoken cookie. */
  sessionUser(req: RefRequest): { user: User; csrftoken: string | null } | null {
    const cookies = parseCookies(req.headers.cookie);
    const session = cookies.sessionid ? this.state.sessions.get(cookies.sessionid) : undefined;
    const user = session ? this.state.users.get(session.user_id) : undefined;
    if (!user || !user.is_active) return null;
    return { user, csrftoken: cookies.csrftoken ?? null };
  }

  /** DRF SessionAuthentication.enforce_csrf: unsafe methods need `X-CSRFToken` == the csrftoken cookie. */
  enforceCsrf(req: RefRequest, cookieToken: string | null): void {
    if (SAFE_METHODS.has(req.method.toUpperCase())) return;
    const header = req.headers['x-csrftoken'];
    if (!cookieToken || typeof header !== 'string' || header !== cookieToken) {
      throw new ApiError(this.error(403, 'authentication_error', 'permission_denied', 'CSRF Failed: CSRF token missing or incorrect.'));
    }
  }

  /** DRF action of a method on a route (HEAD maps to GET's action; unmapped -> null). */
  drfAction(def: RouteDef, method: string): string | null {
    const m = method.toUpperCase();
    return def.actions[m]?.action ?? (m === 'HEAD' ? def.actions.GET?.action : undefined) ?? null;
  }

  /**
   * `ScopeBasePermission._get_required_scopes` (§1.3, §7): action `required_scopes` win (every
   * method of the INTERNAL URLs); a list route's unmapped PATCH counts as action `patch` (write);
   * write actions need `X:write`, list/retrieve/OPTIONS `X:read`; anything else -> null.
   */
  requiredScopes(match: RouteMatch, method: string): string[] | null {
    const def = match.def;
    if (def.requiredScopes?.length) return def.requiredScopes;
    const m = method.toUpperCase();
    let action = this.drfAction(def, m);
    if (!action && m === 'PATCH' && !def.detail) action = 'patch';
    if (action && WRITE_ACTIONS.has(action)) return [`${def.scopeObject}:write`];
    if ((action && READ_ACTIONS.has(action)) || m === 'OPTIONS') return [`${def.scopeObject}:read`];
    return null;
  }

  /**
   * `APIScopePermission.has_permission` (§1.3): only for personal API keys (sessions skip it);
   * an unscoped legacy key passes; no required scope -> 403 even for `*`; then `*` passes;
   * `X:write` also satisfies `X:read`; INTERNAL is held by no scoped key.
   */
  checkScope(principal: Principal, requiredScopes: string[] | null): void {
    if (principal.kind !== 'personal_api_key' || !principal.key) return;
    const scopes = principal.key.scopes;
    if (!scopes.length) return;
    if (!requiredScopes?.length) throw new ApiError(this.permissionDenied('This action does not support Personal API Key access'));
    if (scopes.includes('*')) return;
    for (const required of requiredScopes) {
      const valid = [required];
      if (required.endsWith(':read')) valid.push(required.replace(':read', ':write'));
      if (!valid.some((s) => scopes.includes(s))) {
        throw new ApiError(this.permissionDenied(`API key missing required scope '${required}'`));
      }
    }
  }

  /** `TeamAndOrgViewSetMixin.team` (§1.1): `@current` = the user's current team; non-integer or unknown -> 404. */
  resolveTeam(idParam: string, principal: Principal): Team {
    let id: number | null = null;
    if (idParam === '@current') id = principal.user.current_team_id;
    else if (/^\d+$/.test(idParam)) id = Number(idParam);
    const team = id === null ? undefined : this.state.teams.get(id);
    if (!team) throw new ApiError(this.error(404, 'invalid_request', 'not_found', 'Project not found.'));
    return team;
  }

  /** `AccessControlPermission` (§1.3): a non-member gets 403 "You don't have access to the project." */
  checkMembership(principal: Principal, team: Team): void {
    if (!team.member_ids.includes(principal.user.id)) {
      throw new ApiError(this.permissionDenied("You don't have access to the project."));
    }
  }

  /** Handler for a method, if the route has it (HEAD follows GET; OPTIONS is DRF metadata). */
  actionFor(def: RouteDef, method: string): { action: string; handler: HandlerName } | null {
    const m = method.toUpperCase();
    return def.actions[m] ?? (m === 'HEAD' ? def.actions.GET : undefined) ?? (m === 'OPTIONS' ? { action: 'metadata', handler: 'optionsMetadata' } : undefined) ?? null;
  }

  /** DRF `allowed_methods`, for the `Allow` header. */
  allowedMethods(def: RouteDef): string[] {
    const has = new Set(Object.keys(def.actions));
    if (has.has('GET')) has.add('HEAD');
    has.add('OPTIONS');
    return HTTP_METHOD_ORDER.filter((m) => has.has(m));
  }

  /** 405 (reached only after auth and permissions, §7): `Method "PUT" not allowed.` + Allow. */
  methodNotAllowed(req: RefRequest, match: RouteMatch): JsonReply {
    return this.error(405, 'invalid_request', 'method_not_allowed', `Method "${req.method.toUpperCase()}" not allowed.`, null, {
      Allow: this.allowedMethods(match.def).join(', '),
    });
  }

  /**
   * DRF `finalize_response`: `Allow` and `Vary: Accept` on every response of a view; with the
   * `txt` renderer (ServerSentEventRenderer, §1.7, E8) Django iterates the returned dict, so the
   * body is its concatenated top-level keys, as `text/event-stream; charset=utf-8`.
   */
  finalize(reply: Reply, match: RouteMatch, renderer: Renderer): Reply {
    const headers: Record<string, string> = { Allow: this.allowedMethods(match.def).join(', '), Vary: 'Accept', ...(reply.headers ?? {}) };
    if (renderer === 'txt' && !isStreamReply(reply) && reply.body !== undefined) {
      const body = reply.body;
      const text = isPlainObject(body) ? Object.keys(body).join('') : Array.isArray(body) ? body.map(pyStr).join('') : pyStr(body);
      return { status: reply.status, headers: { ...headers, 'Content-Type': 'text/event-stream; charset=utf-8' }, body: text };
    }
    return { ...reply, headers };
  }

  // -------------------------------------------------------------------------------------------
  // Errors and bodies
  // -------------------------------------------------------------------------------------------

  /** The exception handler's body (§1.4): `{type, code, detail, attr}`; every 401 gets `WWW-Authenticate: Bearer`. */
  error(status: number, type: string, code: string, detail: string, attr: string | null = null, headers: Record<string, string> = {}): JsonReply {
    const h = status === 401 ? { 'WWW-Authenticate': 'Bearer', ...headers } : headers;
    return { status, headers: h, body: { type, code, detail, attr } };
  }

  notFound(detail = 'Not found.'): JsonReply {
    return this.error(404, 'invalid_request', 'not_found', detail);
  }

  permissionDenied(detail: string): JsonReply {
    return this.error(403, 'authentication_error', 'permission_denied', detail);
  }

  validationError(e: FieldError): JsonReply {
    return this.error(400, 'validation_error', e.code, e.detail, e.attr);
  }

  /** A non-APIException (when not DEBUG) -> 500 generic body. */
  serverError(): JsonReply {
    return this.error(500, 'server_error', 'error', 'A server error occurred.');
  }

  unexpectedError(err: unknown): JsonReply {
    if (process.env.REFERENCE_DEBUG) console.error('[reference target] unexpected error', err);
    return this.serverError();
  }

  /** `request.data`: the parsed body; throws 400 parse_error / 415 when DRF could not parse it. */
  readBody(req: RefRequest): unknown {
    const body = req.body;
    if (body instanceof BodyError) {
      if (body.kind === 'parse') throw new ApiError(this.error(400, 'invalid_request', 'parse_error', body.detail));
      throw new ApiError(this.error(415, 'invalid_request', 'unsupported_media_type', body.detail));
    }
    return body;
  }

  /** A serializer's input: an absent body is `{}`; a non-dict is DRF's non-field `invalid` error. */
  readDict(req: RefRequest): Record<string, unknown> {
    const body = this.readBody(req);
    if (body === undefined) return {};
    if (!isPlainObject(body)) throw new ApiError(this.validationError(notADict(body)));
    return body;
  }

  /** DRF OPTIONS metadata (SimpleMetadata, minimal). */
  optionsMetadata(ctx: HandlerContext): JsonReply {
    return {
      status: 200,
      body: {
        name: ctx.match.def.name,
        description: '',
        renders: ctx.match.def.formats.map((f) => (f === 'json' ? 'application/json' : 'text/event-stream')),
        parses: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Pagination and SSE
  // -------------------------------------------------------------------------------------------

  /**
   * DRF LimitOffsetPagination exactly (§1.5): default limit 100, no maximum; a bad, zero or
   * negative `limit` -> default; bad or negative `offset` -> 0 (last value of a repeated param
   * wins, like QueryDict). Links = `http://` + Host + path with the query re-encoded and sorted
   * by key (`replace_query_param`); `previous` drops `offset` when offset - limit <= 0.
   */
  paginate(req: RefRequest, items: unknown[]): { count: number; next: string | null; previous: string | null; results: unknown[] } {
    const defaultLimit = 100;
    const rawLimit = req.query.getAll('limit').at(-1);
    const parsedLimit = rawLimit === undefined ? null : pyInt(rawLimit);
    const limit = parsedLimit !== null && parsedLimit > 0 ? parsedLimit : defaultLimit;
    const rawOffset = req.query.getAll('offset').at(-1);
    const parsedOffset = rawOffset === undefined ? null : pyInt(rawOffset);
    const offset = parsedOffset !== null && parsedOffset >= 0 ? parsedOffset : 0;
    const count = items.length;
    const results = count === 0 || offset > count ? [] : items.slice(offset, offset + limit);
    const absolute = this.absoluteUri(req);
    let next: string | null = null;
    if (offset + limit < count) next = replaceQueryParam(replaceQueryParam(absolute, 'limit', limit), 'offset', offset + limit);
    let previous: string | null = null;
    if (offset > 0) {
      const withLimit = replaceQueryParam(absolute, 'limit', limit);
      previous = offset - limit <= 0 ? removeQueryParam(withLimit, 'offset') : replaceQueryParam(withLimit, 'offset', offset - limit);
    }
    return { count, next, previous, results };
  }

  /** Django `request.build_absolute_uri()`: `http://` + Host header + full path. */
  absoluteUri(req: RefRequest): string {
    const host = typeof req.headers.host === 'string' && req.headers.host ? req.headers.host : req.url.host;
    return `http://${host}${req.url.pathname}${req.url.search}`;
  }

  /** One SSE frame (E4, `AssistantSSESerializer`): `event: <name>\ndata: <json>\n\n`. */
  sseFrame(event: string, data: unknown): string {
    return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  /** Headers of the conversation stream (E4: 200, `text/event-stream`). */
  sseHeaders(): Record<string, string> {
    return { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' };
  }

  // -------------------------------------------------------------------------------------------
  // Serializers
  // -------------------------------------------------------------------------------------------

  /** UserBasicSerializer. */
  serializeUser(user: User): Record<string, unknown> {
    return {
      id: user.id,
      uuid: user.uuid,
      distinct_id: user.distinct_id,
      first_name: user.first_name,
      last_name: user.last_name,
      email: user.email,
      is_email_verified: user.is_email_verified,
      hedgehog_config: user.hedgehog_config,
      role_at_organization: user.role_at_organization,
    };
  }

  userById(id: number | null): User | null {
    return id === null ? null : (this.state.users.get(id) ?? null);
  }

  /**
   * The viewer's privilege on a dashboard (E8, posthog/models/dashboard.py): 37 when everyone
   * in the project can edit, for the creator and for an edit collaborator; else 21.
   */
  dashboardPrivilege(d: Dashboard, viewer: User): RestrictionLevel {
    if (d.restriction_level <= 21 || d.created_by_id === viewer.id) return 37;
    const p = this.state.dashboardPrivileges.find((x) => x.dashboard_id === d.id && x.user_id === viewer.id);
    return p?.level === 37 ? 37 : 21;
  }

  /** DashboardBasicSerializer (E8); `access_control_version` "v1" if restriction_level > 21 else "v2". */
  serializeDashboardBasic(d: Dashboard, viewer: User): Record<string, unknown> {
    const privilege = this.dashboardPrivilege(d, viewer);
    return {
      id: d.id,
      name: d.name,
      description: d.description,
      pinned: d.pinned,
      created_at: d.created_at,
      created_by: d.created_by_id === null ? null : this.serializeUser(this.userById(d.created_by_id)!),
      last_accessed_at: d.last_accessed_at,
      last_viewed_at: d.last_viewed_at,
      is_shared: d.is_shared,
      deleted: d.deleted,
      creation_mode: d.creation_mode,
      tags: [...d.tags],
      restriction_level: d.restriction_level,
      effective_restriction_level: d.restriction_level,
      effective_privilege_level: privilege,
      user_access_level: privilege === 37 ? 'editor' : 'viewer',
      access_control_version: d.restriction_level > 21 ? 'v1' : 'v2',
      last_refresh: d.last_refresh,
      team_id: d.team_id,
    };
  }

  /** DashboardSerializer (E9): the basic fields plus filters, variables, persisted_*, tiles (key order as PostHog's). */
  serializeDashboard(d: Dashboard, viewer: User): Record<string, unknown> {
    const b = this.serializeDashboardBasic(d, viewer);
    return {
      id: b.id,
      name: b.name,
      description: b.description,
      pinned: b.pinned,
      created_at: b.created_at,
      created_by: b.created_by,
      last_accessed_at: b.last_accessed_at,
      last_viewed_at: b.last_viewed_at,
      is_shared: b.is_shared,
      deleted: b.deleted,
      creation_mode: b.creation_mode,
      filters: { ...d.filters },
      variables: { ...d.variables },
      breakdown_colors: d.breakdown_colors,
      data_color_theme_id: d.data_color_theme_id,
      tags: b.tags,
      restriction_level: b.restriction_level,
      effective_restriction_level: b.effective_restriction_level,
      effective_privilege_level: b.effective_privilege_level,
      user_access_level: b.user_access_level,
      access_control_version: b.access_control_version,
      last_refresh: b.last_refresh,
      persisted_filters: { ...d.filters },
      persisted_variables: { ...d.variables },
      team_id: b.team_id,
      tiles: [],
    };
  }

  /** ConversationMinimalSerializer (E3, E4 `conversation` frames). */
  serializeConversationMinimal(c: Conversation): Record<string, unknown> {
    const owner = this.userById(c.user_id);
    return {
      id: c.id,
      status: c.status,
      title: c.title,
      user: owner ? this.serializeUser(owner) : null,
      created_at: c.created_at,
      updated_at: c.updated_at,
      type: c.type,
      is_internal: c.is_internal,
      slack_thread_key: c.slack_thread_key,
      slack_workspace_domain: c.slack_workspace_domain,
    };
  }

  /** ConversationSerializer (E5): minimal + messages (graph state), has_unsupported_content, agent_mode, pending_approvals. */
  serializeConversation(c: Conversation): Record<string, unknown> {
    return {
      ...this.serializeConversationMinimal(c),
      messages: c.messages.map((m) => ({ ...m })),
      has_unsupported_content: false,
      agent_mode: c.agent_mode,
      pending_approvals: [],
    };
  }

  /** DashboardCollaboratorSerializer (E10); `user_uuid` is write-only and never shown. */
  serializeCollaborator(p: DashboardPrivilege): Record<string, unknown> {
    return {
      id: p.id,
      dashboard_id: p.dashboard_id,
      user: this.serializeUser(this.userById(p.user_id)!),
      level: p.level,
      added_at: p.added_at,
      updated_at: p.updated_at,
    };
  }

  // -------------------------------------------------------------------------------------------
  // E1, E2: batch exports
  // -------------------------------------------------------------------------------------------

  /**
   * E1 `run_test_step_new`: `step` is popped from the body unvalidated (default 0), the rest
   * goes through BatchExportSerializer (400), then `get_destination_test(type)` (unsupported ->
   * ValueError -> 500) and `steps[step]` (Python indexing: negatives count from the end,
   * out-of-range or non-int -> 500). The step cannot reach a real destination, so a configured
   * step reports "Failed" with the destination's message.
   */
  batchExportsRunTestStepNew(ctx: HandlerContext): JsonReply {
    const body = this.readBody(ctx.req);
    if (body !== undefined && !isPlainObject(body)) throw new ApiError(this.serverError()); // request.data.pop on a non-dict
    const { step = 0, ...data } = body ?? {};
    const valid = this.validateBatchExport(data);
    if (!valid.ok) throw new ApiError(this.validationError(valid.error));
    const destination = valid.value.destination as { type: string; config: Record<string, unknown> };
    const steps = this.destinationTest(destination.type);
    if (!steps) throw new ApiError(this.serverError());
    const index = pythonIndex(step, steps.length);
    if (index === null) throw new ApiError(this.serverError());
    const def = steps[index]!;
    return { status: 200, body: { name: def.name, description: def.description, result: this.runDestinationTestStep(def, destination.config) } };
  }

  /** E2 `test`: `?destination=` missing -> 400 EMPTY body; unsupported -> 404 EMPTY body; else the steps, unrun. */
  batchExportsTest(ctx: HandlerContext): JsonReply {
    const destination = ctx.req.query.getAll('destination').at(-1);
    if (!destination) return { status: 400 };
    const steps = this.destinationTest(destination);
    if (!steps) return { status: 404 };
    return { status: 200, body: { steps: steps.map((s) => ({ name: s.name, description: s.description, result: null })) } };
  }

  /** BatchExportSerializer (E1) in field order: name, model, destination, interval, paused, dates, hogql_query, filters. */
  validateBatchExport(data: Record<string, unknown>) {
    const fields: FieldSet = [
      ['name', CharField({ required: true })],
      ['model', ChoiceField(['events', 'persons', 'sessions'], { allowBlank: true, allowNull: true })],
      ['destination', { required: true, parse: (v) => this.parseBatchExportDestination(v) }],
      ['interval', ChoiceField(BATCH_EXPORT_INTERVALS, { required: true })],
      ['paused', BooleanField()],
      ['last_paused_at', DateTimeField({ allowNull: true })],
      ['start_at', DateTimeField({ allowNull: true })],
      ['end_at', DateTimeField({ allowNull: true })],
      ['hogql_query', { parse: (v) => parseHogQLQuery(v) }],
      ['filters', JSONField({ allowNull: true })],
    ];
    return runFields(data, fields);
  }

  /**
   * BatchExportDestinationSerializer: `type` (required choice), `config`, `integration_id`; then
   * `validate()` rejects unknown or missing config keys of the destination's workflow inputs
   * (errors are non-field -> attr `destination__non_field_errors`). Config keys are only
   * checked for S3 here (other destinations' input dataclasses are not modelled).
   */
  parseBatchExportDestination(v: unknown): Parsed {
    if (!isPlainObject(v)) {
      return { ok: false, code: 'invalid', detail: `Invalid data. Expected a dictionary, but got ${pyTypeName(v)}.`, path: 'non_field_errors' };
    }
    const inner = runFields(v, [
      ['type', ChoiceField(BATCH_EXPORT_DESTINATIONS, { required: true })],
      ['config', JSONField()],
      [
        'integration_id',
        {
          allowNull: true,
          parse: (x): Parsed =>
            typeof x === 'number' && Number.isInteger(x)
              ? { ok: false, code: 'does_not_exist', detail: `Invalid pk "${x}" - object does not exist.` }
              : { ok: false, code: 'incorrect_type', detail: `Incorrect type. Expected pk value, received ${pyTypeName(x)}.` },
        },
      ],
    ]);
    if (!inner.ok) return { ok: false, code: inner.error.code, detail: inner.error.detail, path: inner.error.attr ?? 'non_field_errors' };
    const type = inner.value.type as string;
    const config = inner.value.config ?? {};
    // `config.keys()` on a non-dict raises AttributeError in PostHog -> 500.
    if (!isPlainObject(config)) throw new ApiError(this.serverError());
    const schema = this.destinationConfigKeys(type);
    if (schema) {
      const unknown = Object.keys(config).filter((k) => !schema.required.includes(k) && !schema.optional.includes(k)).sort();
      if (unknown.length) {
        return { ok: false, code: 'invalid', detail: `Configuration has unknown field/s: ${unknown.map((k) => `'${k}'`).join(', ')}`, path: 'non_field_errors' };
      }
      const missing = schema.required.find((k) => !(k in config));
      if (missing) return { ok: false, code: 'invalid', detail: `Configuration missing required field: '${missing}'`, path: 'non_field_errors' };
    }
    return { ok: true, value: { type, config } };
  }

  /** Workflow-input keys per destination type (S3BatchExportInputs + BaseBatchExportInputs); null = not checked. */
  destinationConfigKeys(type: string): { required: string[]; optional: string[] } | null {
    const base = ['team_id', 'batch_export_id', 'interval', 'data_interval_end', 'exclude_events', 'include_events', 'run_id', 'backfill_details', 'batch_export_model', 'batch_export_schema', 'is_backfill', 'is_earliest_backfill'];
    if (type === 'S3') {
      return {
        required: ['bucket_name', 'region', 'prefix'],
        optional: ['aws_access_key_id', 'aws_secret_access_key', 'compression', 'encryption', 'kms_key_id', 'endpoint_url', 'file_format', 'max_file_size_mb', 'use_virtual_style_addressing', ...base],
      };
    }
    return null;
  }

  /**
   * `get_destination_test`: S3 (1 step), BigQuery (3), Snowflake (4), Databricks (3); anything
   * else -> null (E1: 500, E2: 404). Names/descriptions as in destination_tests; the Databricks
   * steps are modelled, not copied.
   */
  destinationTest(type: string): DestinationTestStepDef[] | null {
    const q = (c: Record<string, unknown>, k: string) => pyStr(c[k]);
    switch (type) {
      case 'S3':
        return [
          {
            name: 'Check S3 bucket exists',
            description: 'Ensure the configured S3 bucket exists and that we have the required permissions to access it.',
            requires: ['bucket_name', 'aws_access_key_id', 'aws_secret_access_key'],
            failure: (c) =>
              `We couldn't access bucket '${q(c, 'bucket_name')}'. Check the provided credentials, endpoint, and whether the necessary permissions to access the bucket have been granted`,
          },
        ];
      case 'BigQuery':
        return [
          {
            name: 'Verify BigQuery project',
            description: 'Ensure the configured BigQuery project exists and that we have the required permissions to access it.',
            requires: ['project_id'],
            failure: (c) => `Project '${q(c, 'project_id')}' could not be found because it doesn't exist or we don't have permissions to use it`,
          },
          {
            name: 'Verify BigQuery dataset',
            description: 'Ensure the configured BigQuery dataset exists and that we have the required permissions to access it.',
            requires: ['project_id', 'dataset_id'],
            failure: (c) => `Dataset '${q(c, 'dataset_id')}' could not be found because it doesn't exist or we don't have permissions to use it`,
          },
          {
            name: 'Verify BigQuery table',
            description:
              'Ensure the configured BigQuery table already exists or that we have the required permissions to create it. Additionally, when creating a table, we will attempt to delete it.',
            requires: ['project_id', 'dataset_id', 'table_id'],
            failure: (c) => `A table could not be created in dataset '${q(c, 'dataset_id')}': Access Denied`,
          },
        ];
      case 'Snowflake': {
        const connection = ['account', 'user'];
        return [
          {
            name: 'Establish connection to Snowflake',
            description: 'Attempt to establish a Snowflake connection with the provided configuration values.',
            requires: connection,
            failure: () =>
              'Could not establish a connection to Snowflake as the resolved URL does not exist. This usually indicates an invalid Snowflake account.',
          },
          {
            name: 'Verify Snowflake warehouse',
            description: 'Verify the configured Snowflake warehouse exists and we have the necessary permissions to use it.',
            requires: [...connection, 'warehouse'],
            failure: (c) => `The configured warehouse '${q(c, 'warehouse')}' does not exist or we are missing 'USAGE' permissions on it.`,
          },
          {
            name: 'Verify Snowflake database',
            description: 'Verify the configured Snowflake database exists and we have the necessary permissions to use it.',
            requires: [...connection, 'warehouse', 'database'],
            failure: (c) => `The configured database '${q(c, 'database')}' does not exist or we are missing 'USAGE' permissions on it.`,
          },
          {
            name: 'Verify Snowflake schema',
            description: 'Verify the configured Snowflake schema exists and we have the necessary permissions to use it.',
            requires: [...connection, 'warehouse', 'database', 'schema'],
            failure: (c) => `The configured schema '${q(c, 'schema')}' does not exist or we are missing 'USAGE' permissions on it.`,
          },
        ];
      }
      case 'Databricks':
        return [
          {
            name: 'Establish connection to Databricks',
            description: 'Attempt to establish a Databricks connection with the provided integration and configuration values.',
            requires: ['http_path'],
            failure: () => 'Could not establish a connection to Databricks. Check the integration and the configured HTTP path.',
          },
          {
            name: 'Verify Databricks catalog',
            description: 'Verify the configured Databricks catalog exists and we have the necessary permissions to use it.',
            requires: ['http_path', 'catalog'],
            failure: (c) => `The configured catalog '${q(c, 'catalog')}' does not exist or we are missing 'USE CATALOG' permissions on it.`,
          },
          {
            name: 'Verify Databricks schema',
            description: 'Verify the configured Databricks schema exists and we have the necessary permissions to use it.',
            requires: ['http_path', 'catalog', 'schema'],
            failure: (c) => `The configured schema '${q(c, 'schema')}' does not exist or we are missing 'USE SCHEMA' permissions on it.`,
          },
        ];
      default:
        return null;
    }
  }

  /** `DestinationTestStep.run`: not configured -> Failed with the fixed message; else the simulated failure. */
  runDestinationTestStep(step: DestinationTestStepDef, config: Record<string, unknown>): StepResult {
    const configured = step.requires.every((k) => config[k] !== undefined && config[k] !== null);
    if (step.name === 'Establish connection to Snowflake' || step.name.startsWith('Verify Snowflake')) {
      // Snowflake also needs a password or a private key.
      if (config.password == null && config.private_key == null) return { status: 'Failed', message: NOT_CONFIGURED };
    }
    if (!configured) return { status: 'Failed', message: NOT_CONFIGURED };
    return { status: 'Failed', message: step.failure(config) };
  }

  // -------------------------------------------------------------------------------------------
  // E3-E7: conversations
  // -------------------------------------------------------------------------------------------

  /** E3 queryset: the caller's own, in this team, titled, type assistant|deep_research|slack, not internal; -updated_at. */
  listableConversations(team: Team, user: User): Conversation[] {
    return [...this.state.conversations.values()]
      .filter((c) => c.team_id === team.id && c.user_id === user.id && c.title !== null && LISTABLE_CONVERSATION_TYPES.has(c.type) && !c.is_internal)
      .sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
  }

  /** E3: paginated ConversationMinimal items. */
  conversationsList(ctx: HandlerContext): JsonReply {
    const items = this.listableConversations(ctx.team, ctx.user).map((c) => this.serializeConversationMinimal(c));
    return { status: 200, body: this.paginate(ctx.req, items) };
  }

  /** E5: any titled, listable-type, non-internal conversation of the team (a teammate's too); else (or non-uuid) 404. */
  conversationsRetrieve(ctx: HandlerContext): JsonReply {
    const id = parseUuid(ctx.match.params.conversation);
    const c = id ? this.state.conversations.get(id) : undefined;
    if (!c || c.team_id !== ctx.team.id || c.title === null || !LISTABLE_CONVERSATION_TYPES.has(c.type) || c.is_internal) {
      return this.notFound();
    }
    return { status: 200, body: this.serializeConversation(c) };
  }

  /** E6/E7 `get_object()`: the caller's own conversation in this team, with no title/type filter; else 404. */
  ownConversation(ctx: HandlerContext): Conversation {
    const id = parseUuid(ctx.match.params.conversation);
    const c = id ? this.state.conversations.get(id) : undefined;
    if (!c || c.team_id !== ctx.team.id || c.user_id !== ctx.user.id) throw new ApiError(this.notFound());
    return c;
  }

  /** MessageSerializer (E4), in field order. */
  validateMessage(data: Record<string, unknown>) {
    const fields: FieldSet = [
      ['content', CharField({ required: true, allowNull: true, maxLength: 40000 })],
      ['conversation', UUIDField({ required: true })],
      ['contextual_tools', DictField()],
      ['ui_context', JSONField({ allowNull: true })],
      ['billing_context', JSONField({ allowNull: true })],
      ['trace_id', UUIDField({ required: true })],
      ['session_id', CharField()],
      ['agent_mode', CharField({ allowNull: true })],
      ['resume_payload', JSONField({ allowNull: true })],
    ];
    return runFields(data, fields);
  }

  /**
   * E4 `create` flow: validate (400) -> another user's/team's conversation -> 400 {"error"};
   * unknown + content null -> 400 {"error"}; unknown + content -> created (untitled) ->
   * content while not idle -> 409 Conflict (type server_error); content null on idle (no
   * resume_payload) -> 400 validation; content null while running -> re-attach; else a new run.
   * Success is 200 `text/event-stream` (not the documented 201).
   */
  conversationsCreate(ctx: HandlerContext): Reply {
    const valid = this.validateMessage(this.readDict(ctx.req));
    if (!valid.ok) return this.validationError(valid.error);
    const data = valid.value;
    const content = data.content as string | null;
    const conversationId = data.conversation as string;
    let conv = this.state.conversations.get(conversationId);
    if (conv) {
      if (conv.user_id !== ctx.user.id || conv.team_id !== ctx.team.id) {
        return { status: 400, body: { error: "Cannot access other users' conversations" } };
      }
    } else {
      if (content === null) return { status: 400, body: { error: 'Cannot stream from non-existent conversation' } };
      const now = this.now();
      conv = {
        id: conversationId,
        team_id: ctx.team.id,
        user_id: ctx.user.id,
        status: 'idle',
        title: null,
        type: data.agent_mode === 'research' ? 'deep_research' : 'assistant',
        is_internal: false,
        created_at: now,
        updated_at: now,
        agent_mode: typeof data.agent_mode === 'string' ? data.agent_mode : null,
        slack_thread_key: null,
        slack_workspace_domain: null,
        messages: [],
      };
      this.state.conversations.set(conv.id, conv);
    }
    if (content !== null && conv.status !== 'idle') {
      return this.error(409, 'server_error', 'conflict', 'Cannot resume streaming with a new message');
    }
    if (content === null && conv.status === 'idle' && data.resume_payload == null) {
      return this.error(400, 'validation_error', 'invalid_input', 'Cannot continue streaming from an idle conversation');
    }
    if (content === null && conv.status !== 'idle') {
      // Re-attach to the running generation: a `conversation` frame, then what the run produces next.
      const run = this.runs.get(conv.id);
      const prefix = [this.sseFrame('conversation', this.serializeConversationMinimal(conv))];
      return { status: 200, headers: this.sseHeaders(), stream: this.openRunStream(run, prefix, run ? run.frames.length : 0) };
    }
    conv.status = 'in_progress';
    conv.updated_at = this.now();
    const prefix = [this.sseFrame('conversation', this.serializeConversationMinimal(conv))];
    const run = this.runAssistant(conv, content);
    return { status: 200, headers: this.sseHeaders(), stream: this.openRunStream(run, prefix, 0) };
  }

  /** E6: own conversation only (404); MessageMinimalSerializer; stores an `ai` message, bumps updated_at; 201 {"id"}. */
  conversationsAppendMessage(ctx: HandlerContext): JsonReply {
    const conv = this.ownConversation(ctx);
    const valid = runFields(this.readDict(ctx.req), [['content', CharField({ required: true, maxLength: 10000 })]]);
    if (!valid.ok) return this.validationError(valid.error);
    const id = this.newUuid();
    conv.messages.push({ type: 'ai', content: valid.value.content as string, id });
    conv.updated_at = this.now();
    return { status: 201, body: { id } };
  }

  /** E7: own conversation only (404); body ignored; in_progress -> cancel the run; idle/canceling -> no-op; 204 EMPTY. */
  conversationsCancel(ctx: HandlerContext): JsonReply {
    const conv = this.ownConversation(ctx);
    if (conv.status === 'in_progress') this.cancelRun(conv);
    return { status: 204 };
  }

  /** Title of a new conversation: the first words of the question, at most 250 characters. */
  conversationTitle(question: string): string {
    return question.trim().split(/\s+/).slice(0, 8).join(' ').slice(0, 250);
  }

  /** N = min(maxFrames, 1 + ceil(question length / charsPerFrame)) AI frames. */
  answerFrameCount(question: string): number {
    return Math.min(this.options.maxFrames, 1 + Math.ceil(question.length / this.options.charsPerFrame));
  }

  /** The words of the simulated AI answer: at least `frames` of them, so every frame grows. */
  answerWords(question: string, frames: number): string[] {
    const filler = ['This', 'is', 'a', 'simulated', 'assistant', 'reply', 'from', 'the', 'posthog-contract', 'reference', 'target.'];
    const words = ['Reference', 'answer', 'to:', ...question.trim().split(/\s+/).filter(Boolean).slice(0, 12), ...filler];
    for (let i = 0; words.length < frames; i++) words.push(filler[i % filler.length]!);
    return words;
  }

  /**
   * Start a generation for `conv` (already `in_progress`), independent of any HTTP connection:
   * the human message frame (if any) immediately, the title, then every `frameDelayMs` one
   * `message` frame of a single AI message growing word by word; then the AI message is stored,
   * status -> idle, updated_at = now and attached streams end (no terminal event, E4).
   */
  runAssistant(conv: Conversation, content: string | null): AssistantRun {
    const question = content ?? '';
    const totalFrames = this.answerFrameCount(question);
    const run: AssistantRun = {
      conversationId: conv.id,
      frames: [],
      listeners: new Set(),
      finished: false,
      timer: null,
      aiMessageId: this.newUuid(),
      answerWords: this.answerWords(question, totalFrames),
      totalFrames,
      sentFrames: 0,
    };
    this.runs.set(conv.id, run);
    if (content !== null) {
      const human: StoredMessage = { content, type: 'human', id: this.newUuid() };
      conv.messages.push(human);
      this.emitFrame(run, this.sseFrame('message', human));
      if (conv.title === null) conv.title = this.conversationTitle(content);
    }
    const tick = () => {
      run.timer = null;
      if (run.finished) return;
      run.sentFrames += 1;
      const words = Math.ceil((run.sentFrames * run.answerWords.length) / run.totalFrames);
      const text = run.answerWords.slice(0, words).join(' ');
      this.emitFrame(run, this.sseFrame('message', { type: 'ai', id: run.aiMessageId, content: text }));
      if (run.sentFrames >= run.totalFrames) {
        conv.messages.push({ type: 'ai', content: text, id: run.aiMessageId });
        conv.status = 'idle';
        conv.updated_at = this.now();
        this.finishRun(run);
      } else run.timer = setTimeout(tick, this.options.frameDelayMs);
    };
    run.timer = setTimeout(tick, this.options.frameDelayMs);
    return run;
  }

  emitFrame(run: AssistantRun, frame: string): void {
    run.frames.push(frame);
    for (const l of run.listeners) l.push(frame);
  }

  /** End a run: no more frames, every attached stream ends. */
  finishRun(run: AssistantRun): void {
    if (run.timer) clearTimeout(run.timer);
    run.timer = null;
    run.finished = true;
    if (this.runs.get(run.conversationId) === run) this.runs.delete(run.conversationId);
    for (const l of [...run.listeners]) l.end();
  }

  /** E7 `cancel_workflow`: status canceling, stop the run now (streams end), then idle. */
  cancelRun(conv: Conversation): void {
    conv.status = 'canceling';
    const run = this.runs.get(conv.id);
    if (run) this.finishRun(run);
    conv.status = 'idle';
    conv.updated_at = this.now();
  }

  /** A stream of `prefix` frames, then the run's frames from `fromIndex` on, until the run ends. */
  openRunStream(run: AssistantRun | undefined, prefix: string[], fromIndex: number): AsyncIterable<string> {
    const channel = new FrameChannel();
    for (const f of prefix) channel.push(f);
    if (!run) {
      channel.end();
      return channel;
    }
    for (const f of run.frames.slice(fromIndex)) channel.push(f);
    if (run.finished) channel.end();
    else {
      run.listeners.add(channel);
      channel.onClose = () => run.listeners.delete(channel);
    }
    return channel;
  }

  // -------------------------------------------------------------------------------------------
  // E8-E10: dashboards
  // -------------------------------------------------------------------------------------------

  /** Dashboards of the team's project (a project may hold several environments). */
  projectDashboards(team: Team): Dashboard[] {
    return [...this.state.dashboards.values()].filter((d) => this.state.teams.get(d.team_id)?.project_id === team.project_id);
  }

  /** `-pinned, name` (Postgres: NULL names last), then id. */
  compareDashboards(a: Dashboard, b: Dashboard): number {
    if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
    if (a.name !== b.name) {
      if (a.name === null) return 1;
      if (b.name === null) return -1;
      const byName = a.name.localeCompare(b.name, 'en');
      if (byName) return byName;
    }
    return a.id - b.id;
  }

  /** E8: not deleted; `unlisted` excluded unless `?creation_mode=` (which then filters on it); DashboardBasic, paginated. */
  dashboardsList(ctx: HandlerContext): JsonReply {
    const creationMode = ctx.req.query.getAll('creation_mode').at(-1);
    const items = this.projectDashboards(ctx.team)
      .filter((d) => !d.deleted)
      .filter((d) => (creationMode ? d.creation_mode === creationMode : d.creation_mode !== 'unlisted'))
      .sort((a, b) => this.compareDashboards(a, b))
      .map((d) => this.serializeDashboardBasic(d, ctx.user));
    return { status: 200, body: this.paginate(ctx.req, items) };
  }

  /** DashboardSerializer writable + write-only fields, in PostHog's field order (E9). */
  dashboardFields(): FieldSet {
    return [
      ['name', CharField({ allowNull: true, allowBlank: true, maxLength: 400 })],
      ['description', CharField({ allowBlank: true })],
      ['pinned', BooleanField()],
      ['last_accessed_at', DateTimeField({ allowNull: true })],
      ['deleted', BooleanField()],
      ['breakdown_colors', JSONField({ allowNull: true })],
      ['data_color_theme_id', IntegerField({ allowNull: true })],
      ['tags', ListField()],
      ['restriction_level', ChoiceField([21, 37])],
      ['last_refresh', DateTimeField({ allowNull: true })],
      ['use_template', CharField({ allowBlank: true })],
      ['use_dashboard', IntegerField({ allowNull: true })],
      ['delete_insights', BooleanField()],
      ['_create_in_folder', CharField({ allowBlank: true })],
    ];
  }

  /**
   * E9: no field required (`{}` -> 201, name null). `validate()`: use_dashboard + use_template
   * -> 400 (non-field); `create()`: unknown template -> 400 attr use_template; unknown / deleted
   * / other project's use_dashboard -> 400 attr use_dashboard. 201 Dashboard, no Location.
   */
  dashboardsCreate(ctx: HandlerContext): JsonReply {
    const valid = runFields(this.readDict(ctx.req), this.dashboardFields());
    if (!valid.ok) return this.validationError(valid.error);
    const v = valid.value;
    if (v.use_dashboard && v.use_template) {
      return this.validationError({ attr: null, code: 'invalid_input', detail: '`use_dashboard` and `use_template` cannot be used together' });
    }
    let creationMode: Dashboard['creation_mode'] = 'default';
    let source: Dashboard | undefined;
    if (v.use_template) {
      if (!DASHBOARD_TEMPLATES.has(v.use_template as string)) {
        return this.validationError({ attr: 'use_template', code: 'invalid_input', detail: `Invalid template provided: ${v.use_template as string}` });
      }
      creationMode = 'template';
    } else if (v.use_dashboard) {
      source = this.projectDashboards(ctx.team).find((d) => d.id === v.use_dashboard && !d.deleted);
      if (!source) return this.validationError({ attr: 'use_dashboard', code: 'invalid_input', detail: 'Invalid value provided' });
      creationMode = 'duplicate';
    }
    const d: Dashboard = {
      id: this.state.nextDashboardId++,
      team_id: ctx.team.id,
      name: (v.name as string | null | undefined) ?? null,
      description: (v.description as string | undefined) ?? source?.description ?? '',
      pinned: (v.pinned as boolean | undefined) ?? false,
      created_at: this.now(),
      created_by_id: ctx.user.id,
      last_accessed_at: (v.last_accessed_at as string | null | undefined) ?? null,
      last_viewed_at: null,
      is_shared: false,
      deleted: (v.deleted as boolean | undefined) ?? false,
      creation_mode: creationMode,
      filters: source ? { ...source.filters } : {},
      variables: source ? { ...source.variables } : {},
      breakdown_colors: v.breakdown_colors ?? [],
      data_color_theme_id: (v.data_color_theme_id as number | null | undefined) ?? null,
      tags: (v.tags as unknown[] | undefined) ?? [],
      restriction_level: (v.restriction_level as RestrictionLevel | undefined) ?? 21,
      last_refresh: (v.last_refresh as string | null | undefined) ?? null,
    };
    this.state.dashboards.set(d.id, d);
    return { status: 201, body: this.serializeDashboard(d, ctx.user) };
  }

  /** A dashboard of the team's project for the detail routes; deleted ones only when `includeDeleted`. */
  findDashboard(team: Team, idParam: string | undefined, includeDeleted = false): Dashboard | undefined {
    if (!idParam || !/^\d+$/.test(idParam)) return undefined;
    const d = this.state.dashboards.get(Number(idParam));
    if (!d || this.state.teams.get(d.team_id)?.project_id !== team.project_id) return undefined;
    return d.deleted && !includeDeleted ? undefined : d;
  }

  /** GET dashboards/{id}/ (cleanup helper): deleted or unknown -> 404; bumps last_accessed_at. */
  dashboardsRetrieve(ctx: HandlerContext): JsonReply {
    const d = this.findDashboard(ctx.team, ctx.match.params.dashboard);
    if (!d) return this.notFound();
    d.last_accessed_at = this.now();
    return { status: 200, body: this.serializeDashboard(d, ctx.user) };
  }

  /**
   * PATCH dashboards/{id}/ (cleanup helper): partial DashboardSerializer update; a deleted
   * dashboard is reachable only with a falsy `deleted` in the body (restore); restricted
   * dashboards need edit privilege (`CanEditDashboard`).
   */
  dashboardsPartialUpdate(ctx: HandlerContext): JsonReply {
    const body = this.readDict(ctx.req);
    let includeDeleted = false;
    if (body.deleted !== undefined && body.deleted !== null) {
      const parsed = BooleanField().parse(body.deleted);
      includeDeleted = parsed.ok && parsed.value === false;
    }
    const d = this.findDashboard(ctx.team, ctx.match.params.dashboard, includeDeleted);
    if (!d) return this.notFound();
    if (this.dashboardPrivilege(d, ctx.user) < 37) return this.permissionDenied("You don't have edit permissions for this dashboard.");
    const valid = runFields(body, this.dashboardFields(), { partial: true });
    if (!valid.ok) return this.validationError(valid.error);
    const v = valid.value;
    const writable = ['name', 'description', 'pinned', 'last_accessed_at', 'deleted', 'breakdown_colors', 'data_color_theme_id', 'tags', 'restriction_level', 'last_refresh'] as const;
    for (const key of writable) {
      if (key in v) (d as unknown as Record<string, unknown>)[key] = v[key];
    }
    return { status: 200, body: this.serializeDashboard(d, ctx.user) };
  }

  /**
   * E10: `Dashboard.objects.get(id=…, team__project_id=…)`: unknown, deleted, other project's
   * or non-integer -> 404 "Dashboard not found."; 200 bare array (no pagination) of the
   * collaborators whose user is active.
   */
  dashboardsCollaboratorsList(ctx: HandlerContext): JsonReply {
    const d = this.findDashboard(ctx.team, ctx.match.params.dashboard);
    if (!d) return this.notFound('Dashboard not found.');
    const items = this.state.dashboardPrivileges
      .filter((p) => p.dashboard_id === d.id && this.userById(p.user_id)?.is_active)
      .map((p) => this.serializeCollaborator(p));
    return { status: 200, body: items };
  }
}

// =============================================================================================
// Helpers
// =============================================================================================

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    if (k && !(k in out)) out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Python `seq[step]` index (bools are ints; negatives from the end); null where Python raises. */
function pythonIndex(step: unknown, length: number): number | null {
  const n = typeof step === 'boolean' ? Number(step) : step;
  if (typeof n !== 'number' || !Number.isInteger(n)) return null;
  const i = n < 0 ? n + length : n;
  return i >= 0 && i < length ? i : null;
}

/** HogQLSelectQueryField + `validate_hogql_query` (E1), approximated: a SELECT … FROM events without JOIN/UNION. */
function parseHogQLQuery(v: unknown): Parsed {
  const bad = (detail: string): Parsed => ({ ok: false, code: 'invalid', detail });
  if (typeof v !== 'string' || !/^\s*select\s/i.test(v)) return bad('Failed to parse query');
  if (/\bunion\b/i.test(v)) return bad('UNIONs are not supported');
  const from = /\bfrom\s+([A-Za-z_][\w.]*)/i.exec(v);
  if (!from) return bad('Query must SELECT FROM events');
  if (from[1] !== 'events') return bad('Query must only SELECT FROM events');
  if (/\bjoin\b/i.test(v)) return bad('JOINs are not supported');
  return { ok: true, value: v };
}

/**
 * DRF parsers (JSONParser, FormParser): empty body -> undefined; JSON (or `+json`) -> parsed or a
 * `BodyError('parse')`; urlencoded -> object (last value per key); anything else, including a
 * body without Content-Type -> `BodyError('media')` (415 when read).
 */
export function parseRequestBody(rawBody: string, contentType: string | undefined): unknown {
  if (rawBody === '') return undefined;
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json' || media.endsWith('+json')) {
    try {
      return JSON.parse(rawBody) as unknown;
    } catch (e) {
      return new BodyError('parse', `JSON parse error - ${(e as Error).message}`);
    }
  }
  if (media === 'application/x-www-form-urlencoded') {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(rawBody)) out[k] = v;
    return out;
  }
  return new BodyError('media', `Unsupported media type "${contentType ?? ''}" in request.`);
}

/** Build a RefRequest from raw parts (also handy for in-process tests). */
export function makeRefRequest(method: string, rawUrl: string, headers: IncomingHttpHeaders, rawBody: string): RefRequest {
  let host = typeof headers.host === 'string' && headers.host ? headers.host : '127.0.0.1';
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    host = '127.0.0.1';
    url = new URL(`http://${host}`);
  }
  const qm = rawUrl.indexOf('?');
  url.pathname = qm < 0 ? rawUrl : rawUrl.slice(0, qm);
  url.search = qm < 0 ? '' : rawUrl.slice(qm);
  return {
    method: method.toUpperCase(),
    url,
    path: url.pathname,
    query: url.searchParams,
    headers,
    rawBody,
    body: parseRequestBody(rawBody, typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined),
  };
}

/** What a client needs to use a target served at `baseUrl` (fixed seed facts). */
export function referenceInfo(baseUrl: string): TargetInfo {
  return {
    baseUrl,
    projectId: String(SEED.projectId),
    foreignProjectId: String(SEED.foreignProjectId),
    apiKey: SEED.apiKey,
    keys: scopedKeys(),
    sessionCookie: `sessionid=${SEED.session.sessionid}; csrftoken=${SEED.session.csrftoken}`,
    secondUserKey: SEED.secondUserKey,
  };
}

async function readRequestBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

async function writeReply(res: ServerResponse, reply: Reply, openStreams: Set<() => void>): Promise<void> {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (!isStreamReply(reply)) {
    let payload: string | undefined;
    if (reply.body !== undefined) {
      if (typeof reply.body === 'string' && hasHeader(headers, 'content-type')) payload = reply.body;
      else {
        payload = JSON.stringify(reply.body);
        if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
      }
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
    return;
  }
  res.writeHead(reply.status, headers);
  res.flushHeaders();
  const it = reply.stream[Symbol.asyncIterator]();
  let stopped = false;
  let wake: () => void = () => {};
  const stop = new Promise<null>((resolve) => (wake = () => resolve(null)));
  // Ends the HTTP stream; the producer (an assistant run) is not affected.
  const end = () => {
    if (stopped) return;
    stopped = true;
    wake();
    Promise.resolve(it.return?.()).catch(() => {});
    if (!res.writableEnded) res.end();
  };
  openStreams.add(end);
  res.on('close', end);
  try {
    while (!stopped) {
      const r = await Promise.race([it.next(), stop]);
      if (!r || r.done) break;
      res.write(r.value);
    }
  } finally {
    openStreams.delete(end);
    end();
  }
}

/**
 * Serve a target over HTTP on 127.0.0.1 (`port` 0 = ephemeral). `close()` ends open streams,
 * stops the target's assistant runs and closes every connection promptly.
 */
export async function serve(
  target: ReferenceTarget,
  port = 0,
): Promise<{ url: string; info: TargetInfo; close(): Promise<void> }> {
  const openStreams = new Set<() => void>();
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const rawBody = await readRequestBody(req);
        const refReq = makeRefRequest(req.method ?? 'GET', req.url ?? '/', req.headers, rawBody);
        const reply = await target.handle(refReq);
        await writeReply(res, reply, openStreams);
      } catch {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ type: 'server_error', code: 'error', detail: 'A server error occurred.', attr: null }));
        } else res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    info: referenceInfo(url),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const end of [...openStreams]) end();
        target.dispose();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
