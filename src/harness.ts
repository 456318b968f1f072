/**
 * The harness: one per run (per vitest worker, or per meta-suite run). It owns
 * the target (starting the embedded reference when no base URL is set), sends
 * exchanges with timeouts and redaction, memoises exchanges that several cases
 * observe, resolves path parameters to real resources, and records what the run
 * creates so it can be removed at the end.
 */
import type { Faker } from '@faker-js/faker';
import { contracts as loadAll, type Contract } from './contracts.js';
import { loadSettings, makeRedactor, remoteTarget, secretsOf, targetFromInfo, type KeySpec, type Settings, type Target } from './config.js';
import { appendFileSync } from 'node:fs';
import { bodyText, buildUrl, isUnsafe, requestHeaders, send, type Auth, type Exchange, type RequestSpec } from './http.js';
import { openStream, type OpenStream } from './stream.js';
import { seededFaker, validRequest, type Built } from '../fixtures/index.js';

/** Thrown inside a case to skip it with a reason (never counted as passed). */
export class SkipCase extends Error {
  constructor(public reason: string) { super(reason); }
}

export interface Created { kind: string; id: string | number; name?: string; endpoint: string; removed?: boolean; note?: string }

export interface CaseContext {
  readonly h: Harness;
  readonly exchanges: Exchange[];
  faker(key?: string): Faker;
  send(spec: RequestSpec, label: string): Promise<Exchange>;
  stream(spec: RequestSpec, label: string): Promise<OpenStream>;
  /** Memoised per run: several cases observe one exchange (one request, many rules). */
  shared<T>(key: string, fn: (ctx: CaseContext) => Promise<T>): Promise<T>;
}

export interface HarnessOptions {
  settings?: Settings;
  /** An already running target (the meta-suite passes a mutant's). */
  target?: Target;
}

export class Harness {
  readonly contracts: Contract[];
  readonly created: Created[] = [];
  /** ms spent starting the embedded reference (0 for a remote target) */
  bootMs = 0;
  readonly redact: (text: string) => string;
  private memo = new Map<string, { promise: Promise<unknown>; exchanges: Exchange[] }>();
  private closers: (() => Promise<void>)[] = [];

  private retryBudget: number;

  private constructor(readonly settings: Settings, readonly target: Target) {
    this.retryBudget = settings.retryBudgetMs;
    this.contracts = loadAll();
    this.redact = makeRedactor(secretsOf(target));
  }

  static async create(opts: HarnessOptions = {}): Promise<Harness> {
    const settings = opts.settings ?? loadSettings();
    if (opts.target) return new Harness(settings, opts.target);
    if (settings.baseUrl) return new Harness(settings, remoteTarget(settings));
    // the embedded reference: fresh state for this run, on an ephemeral loopback port
    const bootStarted = performance.now();
    const { ReferenceTarget, serve } = await import('../targets/reference/server.js');
    const server = await serve(new ReferenceTarget(), 0);
    const bootMs = performance.now() - bootStarted;
    const h = new Harness(settings, targetFromInfo(server.info));
    h.bootMs = bootMs;
    h.closers.push(() => server.close());
    return h;
  }

  get star(): Auth { return { kind: 'key', key: this.target.keys[0] }; }
  get session(): Auth {
    if (!this.target.sessionCookie) throw new SkipCase('no session credential configured (CONTRACT_SESSION_COOKIE): personal API keys cannot reach this action');
    return { kind: 'session', cookie: this.target.sessionCookie };
  }
  keyAuth(k: KeySpec): Auth { return { kind: 'key', key: k }; }

  /** The credential that reaches an action: the * key, or the session for actions with no scope. */
  successAuth(c: Contract): Auth { return c.scope === null ? this.session : this.star; }

  contract(id: string): Contract {
    const c = this.contracts.find((x) => x.id === id);
    if (!c) throw new Error(`no contract ${id}`);
    return c;
  }

  context(caseKey: string): CaseContext {
    const exchanges: Exchange[] = [];
    const h = this;
    const ctx: CaseContext = {
      h, exchanges,
      faker: (key = '') => seededFaker(h.settings.seed, `${caseKey}${key ? `#${key}` : ''}`),
      send: async (spec, label) => { const ex = await h.send(spec, label); exchanges.push(ex); return ex; },
      stream: async (spec, label) => { const s = await h.stream(spec, label); exchanges.push(s.exchange); return s; },
      shared: async <T>(key: string, fn: (c: CaseContext) => Promise<T>) => {
        let entry = h.memo.get(key);
        if (!entry) {
          const sub = h.context(`shared:${key}`);
          entry = { promise: fn(sub), exchanges: sub.exchanges };
          h.memo.set(key, entry);
        }
        try {
          return (await entry.promise) as T;
        } finally {
          for (const ex of entry.exchanges) if (!exchanges.includes(ex)) exchanges.push(ex);
        }
      },
    };
    return ctx;
  }

  /** Bench only (CONTRACT_RECORD_FILE, embedded target): every request as sent, so a bare client can replay them. */
  private record(spec: RequestSpec, stream: boolean) {
    const file = process.env.CONTRACT_RECORD_FILE;
    if (!file || !this.target.embedded) return;
    appendFileSync(file, `${JSON.stringify({ method: spec.method.toUpperCase(), url: buildUrl('', spec), headers: requestHeaders(spec), body: bodyText(spec), stream })}\n`);
  }

  private guardWrite(spec: RequestSpec) {
    if (this.settings.readOnly && isUnsafe(spec.method)) throw new SkipCase(`${this.settings.readOnlyReason}: this case sends ${spec.method.toUpperCase()}`);
  }

  /** One JSON exchange; honours 429 Retry-After up to a cap and a run-wide budget. */
  async send(spec: RequestSpec, label: string): Promise<Exchange> {
    this.guardWrite(spec);
    for (let attempt = 0; ; attempt++) {
      this.record(spec, false);
      const ex = await send(this.target.baseUrl, spec, this.settings.deadlines.requestMs, label);
      const wait = this.retryAfter(ex);
      if (wait === undefined || attempt >= 3) return ex;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** A streaming exchange, read incrementally (see src/stream.ts). */
  async stream(spec: RequestSpec, label: string): Promise<OpenStream> {
    this.guardWrite(spec);
    for (let attempt = 0; ; attempt++) {
      this.record(spec, true);
      const s = await openStream(this.target.baseUrl, spec, this.settings.deadlines, label);
      if (s.exchange.response?.status === 429) {
        const wait = this.retryAfter(s.exchange);
        if (wait !== undefined && attempt < 3) { s.abort(); await new Promise((r) => setTimeout(r, wait)); continue; }
      }
      return s;
    }
  }

  private retryAfter(ex: Exchange): number | undefined {
    if (ex.response?.status !== 429) return undefined;
    const raw = ex.response.headers['retry-after'];
    const secs = raw && /^\d+$/.test(raw) ? Number(raw) : raw ? (Date.parse(raw) - Date.now()) / 1000 : 1;
    const ms = Math.max(0, Math.min(secs * 1000, this.settings.retryAfterCapMs));
    if (!Number.isFinite(ms) || ms > this.retryBudget) return undefined;
    this.retryBudget -= ms;
    return ms;
  }

  /** Build the request path of a contract, resolving each path parameter to a real value. */
  async path(c: Contract, ctx: CaseContext, overrides: Record<string, string | number> = {}): Promise<string> {
    let path = c.path;
    for (const [name, p] of Object.entries(c.pathParams)) {
      const value = name in overrides ? overrides[name] : await this.resource(p.source, ctx);
      path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
    }
    return path;
  }

  /**
   * The path for a request that must be refused before any lookup (a wrong method, a key without the
   * scope): real ids where the target has them without creating anything, so the answer cannot depend
   * on whether the server looks the object up first; the contract's unknown ids otherwise.
   */
  async refusalPath(c: Contract, ctx: CaseContext, overrides: Record<string, string | number> = {}): Promise<string> {
    const real: Record<string, string | number> = { ...overrides };
    for (const [name, p] of Object.entries(c.pathParams)) {
      if (name in real || p.source === 'project') continue;
      const source = p.source === 'own-conversation' ? 'conversation' : p.source; // an existing one will do: nothing is created
      try {
        real[name] = await this.resource(source, ctx);
      } catch (e) {
        if (!(e instanceof SkipCase) || p.unknown === undefined) throw e;
        real[name] = p.unknown;
      }
    }
    return this.path(c, ctx, real);
  }

  /** Real values for path parameters; skips the case when the target has none and the run may not create one. */
  async resource(source: string, ctx: CaseContext): Promise<string | number> {
    if (source === 'project') return this.target.projectId;
    if (source === 'own-conversation') {
      // a conversation this run creates: the valid request of the contract that creates conversations
      const maker = this.contracts.find((c) => c.creates === 'conversation' && c.streaming);
      if (!maker) throw new Error('no contract creates conversations');
      const ex = await this.successExchange(maker, ctx);
      if (ex.response?.status !== maker.success.status) throw new SkipCase(`could not create a conversation of this run: ${maker.method} ${maker.path} gave ${ex.response?.status ?? ex.error}`);
      return JSON.parse(ex.request.body!)[maker.streaming!.conversationParam];
    }
    return ctx.shared(`resource:${source}`, async (sub) => {
      const list = this.contracts.find((c) => c.pagination?.style === 'limit-offset' && c.pagination.provides === source);
      if (!list) throw new Error(`no list contract provides "${source}"`);
      const ex = await sub.send({ method: 'GET', path: list.path.replace('{project_id}', this.target.projectId), query: [['limit', '1']], auth: this.star }, `find a ${source}`);
      const first = (ex.json as any)?.results?.[0];
      if (ex.response?.status === 200 && first?.[list.pagination!.key!] !== undefined) return first[list.pagination!.key!];
      throw new SkipCase(`the target has no ${source} the * key can list (GET ${list.path} gave ${ex.response?.status ?? ex.error}); seed one or run with writes allowed`);
    });
  }

  /**
   * The valid request of a contract, sent once per run with the credential that
   * reaches it (streams read to their end). Status cases and resources share it.
   */
  successExchange(c: Contract, ctx: CaseContext): Promise<Exchange> {
    return ctx.shared(`success:${c.id}`, async (sub) => {
      const built = this.validRequest(c, sub);
      const spec: RequestSpec = { method: c.method, path: await this.path(c, sub), query: built.query, body: built.body, auth: this.successAuth(c) };
      const label = `a valid ${c.method} with ${c.scope === null ? 'the session' : 'the * key'}`;
      const ex = c.success.contentType === 'text/event-stream' ? await (await sub.stream(spec, label)).done : await sub.send(spec, label);
      this.noteCreated(c, ex);
      return ex;
    });
  }

  validRequest(c: Contract, ctx: CaseContext, key = 'valid'): Built {
    return validRequest(c, { faker: ctx.faker(key), runId: this.settings.runId });
  }

  /** Remember what a successful request created (for cleanup and the report). */
  noteCreated(c: Contract, ex: Exchange): void {
    if (!c.creates || !ex.response || ex.response.status >= 300) return;
    const json = ex.json as any;
    const body = ex.request.body ? safeParse(ex.request.body) : undefined;
    const id = c.creates === 'conversation' ? body?.[c.streaming?.conversationParam ?? 'conversation'] : json?.id;
    if (id === undefined) return;
    this.created.push({ kind: c.creates, id, name: json?.name ?? undefined, endpoint: c.id });
  }

  /**
   * Remove what this run created where the API allows: dashboards are soft-deleted
   * with PATCH {"deleted": true} and checked to be gone (404). Conversations and
   * appended messages have no delete action among these endpoints: listed as kept.
   */
  async cleanup(): Promise<Created[]> {
    for (const item of this.created) {
      if (item.removed !== undefined) continue;
      if (item.kind !== 'dashboard') { item.removed = false; item.note = 'no delete action for this resource among the contract endpoints'; continue; }
      const path = `/api/environments/${encodeURIComponent(this.target.projectId)}/dashboards/${item.id}/`;
      try {
        const del = await this.send({ method: 'PATCH', path, body: { deleted: true }, auth: this.star }, 'soft-delete a dashboard this run created');
        const check = await this.send({ method: 'GET', path, auth: this.star }, 'check the dashboard is gone');
        // a 404 to the PATCH means it was already gone (e.g. created deleted): removed all the same
        const patched = (del.response?.status ?? 0) < 300 || del.response?.status === 404;
        item.removed = patched && check.response?.status === 404;
        if (!item.removed) item.note = `PATCH gave ${del.response?.status ?? del.error}, then GET gave ${check.response?.status ?? check.error}`;
      } catch (e) {
        item.removed = false;
        item.note = e instanceof SkipCase ? e.reason : (e as Error).message;
      }
    }
    return this.created;
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0)) await c();
  }
}

function safeParse(s: string): any {
  try { return JSON.parse(s); } catch { return undefined; }
}
