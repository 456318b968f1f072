/**
 * Configuration: environment variables (the CLI loads .env with dotenv and
 * turns its flags into these variables before vitest starts, so every worker
 * sees the same settings). See DESIGN.md "Configuration" and TARGET.md.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface KeySpec { key: string; scopes: string[]; label: string }

export interface Target {
  baseUrl: string;
  projectId: string;
  foreignProjectId?: string;
  apiKey: string;
  keys: KeySpec[];               // the * key first, then CONTRACT_KEYS
  sessionCookie?: string;
  secondUserKey?: string;
  embedded: boolean;
}

export interface Deadlines {
  requestMs: number;             // one whole non-streaming exchange
  headersMs: number;             // a stream's status line and headers
  firstEventMs: number;          // a stream's first event
  gapMs: number;                 // silence between bytes of a stream
  totalMs: number;               // a whole stream
  cancelMs: number;              // from cancel's answer to the end of the canceled stream
}

export interface Settings {
  baseUrl?: string;              // unset: the embedded reference target
  projectId?: string;
  foreignProjectId?: string;
  apiKey?: string;
  extraKeys: KeySpec[];
  sessionCookie?: string;
  secondUserKey?: string;
  seed: string;
  runId: string;
  reportDir: string;
  strict: boolean;
  readOnly: boolean;             // effective: --read-only, or a remote target without consent to write
  readOnlyReason?: string;
  only: string[];
  exclude: string[];
  deadlines: Deadlines;
  /** items a family may create to top up a short list (only dashboards are cheap to create) */
  maxCreates: { dashboard: number };
  retryAfterCapMs: number;
  retryBudgetMs: number;           // all Retry-After waits of one suite file together
}

const truthy = (v: string | undefined) => !!v && !['0', 'false', 'no', ''].includes(v.toLowerCase());
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

export function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\./.test(h);
  } catch {
    return false;
  }
}

/** Label for a key in case ids and reports: its scopes, never the key. */
export function keyLabel(scopes: string[]): string {
  return scopes.length === 0 ? 'legacy' : scopes.includes('*') ? 'star' : scopes.join('+');
}

export function parseKeys(raw: string | undefined): KeySpec[] {
  if (!raw) return [];
  const text = raw.startsWith('@') ? readFileSync(raw.slice(1), 'utf8') : raw;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError('CONTRACT_KEYS is not JSON: expected [{"key":"phx_...","scopes":["dashboard:read"]}] or @path/to/keys.json');
  }
  if (!Array.isArray(data) || data.some((k) => typeof k?.key !== 'string' || !Array.isArray(k?.scopes))) {
    throw new ConfigError('CONTRACT_KEYS must be a JSON array of {"key": string, "scopes": string[]}');
  }
  const seen = new Map<string, number>();
  return data.map((k: { key: string; scopes: string[] }) => {
    const base = keyLabel(k.scopes);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: k.key, scopes: k.scopes, label: n === 1 ? base : `${base}#${n}` };
  });
}

export class ConfigError extends Error {}

export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `pc-${t}-${randomBytes(2).toString('hex')}`;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const baseUrl = env.CONTRACT_BASE_URL?.replace(/\/+$/, '') || undefined;
  const embedded = !baseUrl;
  if (baseUrl) {
    try {
      const u = new URL(baseUrl);
      if (!/^https?:$/.test(u.protocol)) throw new Error();
    } catch {
      throw new ConfigError(`CONTRACT_BASE_URL is not an http(s) URL: ${baseUrl}`);
    }
  }
  const remoteWrites = embedded || isLoopback(baseUrl!) || truthy(env.CONTRACT_ALLOW_WRITES);
  const readOnly = truthy(env.CONTRACT_READ_ONLY) || !remoteWrites;
  const readOnlyReason = truthy(env.CONTRACT_READ_ONLY)
    ? 'read-only run (--read-only)'
    : !remoteWrites
      ? 'read-only run: the target is not on the loopback interface and writes were not allowed (--allow-writes or CONTRACT_ALLOW_WRITES=1)'
      : undefined;
  const d = (name: string, remote: number, local: number) => num(env[name], embedded ? local : remote);
  return {
    baseUrl,
    projectId: env.CONTRACT_PROJECT_ID || undefined,
    foreignProjectId: env.CONTRACT_FOREIGN_PROJECT_ID || undefined,
    apiKey: env.CONTRACT_API_KEY || undefined,
    extraKeys: parseKeys(env.CONTRACT_KEYS),
    sessionCookie: env.CONTRACT_SESSION_COOKIE || undefined,
    secondUserKey: env.CONTRACT_SECOND_USER_KEY || undefined,
    seed: env.CONTRACT_SEED || '20261204',
    runId: env.CONTRACT_RUN_ID || newRunId(),
    reportDir: env.CONTRACT_REPORT_DIR || 'reports',
    strict: truthy(env.CONTRACT_STRICT),
    readOnly,
    readOnlyReason,
    only: list(env.CONTRACT_ONLY),
    exclude: list(env.CONTRACT_EXCLUDE),
    deadlines: {
      requestMs: d('CONTRACT_TIMEOUT_MS', 15000, 5000),
      headersMs: d('CONTRACT_SSE_HEADERS_MS', 15000, 3000),
      firstEventMs: d('CONTRACT_SSE_FIRST_EVENT_MS', 15000, 2000),
      gapMs: d('CONTRACT_SSE_GAP_MS', 30000, 1500),
      totalMs: d('CONTRACT_SSE_TOTAL_MS', 180000, 8000),
      cancelMs: d('CONTRACT_SSE_CANCEL_MS', 5000, 2000),
    },
    maxCreates: { dashboard: num(env.CONTRACT_MAX_DASHBOARDS, 12) },
    retryAfterCapMs: num(env.CONTRACT_RETRY_AFTER_CAP_MS, embedded ? 10000 : 60000),
    retryBudgetMs: num(env.CONTRACT_RETRY_BUDGET_MS, embedded ? 30000 : 180000),
  };
}

/** The target when CONTRACT_BASE_URL is set (the embedded one is built by the harness). */
export function remoteTarget(s: Settings): Target {
  if (!s.baseUrl) throw new ConfigError('no CONTRACT_BASE_URL');
  if (!s.apiKey) throw new ConfigError('CONTRACT_API_KEY is required with CONTRACT_BASE_URL (a personal API key with scope *)');
  if (!s.projectId) throw new ConfigError('CONTRACT_PROJECT_ID is required with CONTRACT_BASE_URL (the project/environment id the key can use)');
  return {
    baseUrl: s.baseUrl,
    projectId: s.projectId,
    foreignProjectId: s.foreignProjectId,
    apiKey: s.apiKey,
    keys: [{ key: s.apiKey, scopes: ['*'], label: 'star' }, ...s.extraKeys.filter((k) => k.key !== s.apiKey)],
    sessionCookie: s.sessionCookie,
    secondUserKey: s.secondUserKey,
    embedded: false,
  };
}

/** What the embedded reference says about itself (targets/reference: TargetInfo), as the suite's Target. */
export interface InfoLike {
  baseUrl: string; projectId: string; foreignProjectId?: string; apiKey: string;
  keys: { key: string; scopes: string[]; label?: string }[]; sessionCookie?: string; secondUserKey?: string;
}
export function targetFromInfo(info: InfoLike): Target {
  return {
    baseUrl: info.baseUrl, projectId: info.projectId, foreignProjectId: info.foreignProjectId, apiKey: info.apiKey,
    keys: [{ key: info.apiKey, scopes: ['*'], label: 'star' }, ...info.keys.map((k) => ({ ...k, label: k.label ?? keyLabel(k.scopes) }))],
    sessionCookie: info.sessionCookie, secondUserKey: info.secondUserKey, embedded: true,
  };
}

/** Every secret of a target, for redaction. */
export function secretsOf(t: Partial<Target>): { value: string; label: string }[] {
  const out: { value: string; label: string }[] = [];
  if (t.apiKey) out.push({ value: t.apiKey, label: 'api-key' });
  for (const k of t.keys ?? []) out.push({ value: k.key, label: `key:${k.label}` });
  if (t.secondUserKey) out.push({ value: t.secondUserKey, label: 'second-user-key' });
  if (t.sessionCookie) {
    out.push({ value: t.sessionCookie, label: 'session-cookie' });
    for (const part of t.sessionCookie.split(';')) {
      const v = part.split('=').slice(1).join('=').trim();
      if (v.length >= 4) out.push({ value: v, label: 'session-cookie' });
    }
  }
  return out.sort((a, b) => b.value.length - a.value.length);
}

export function makeRedactor(secrets: { value: string; label: string }[]): (text: string) => string {
  return (text: string) => {
    let out = text;
    for (const s of secrets) if (s.value) out = out.split(s.value).join(`<redacted:${s.label}>`);
    // anything else shaped like a personal API key (e.g. a key read from a response)
    return out.replace(/\bphx_[A-Za-z0-9_]{8,}/g, 'phx_<redacted>');
  };
}
