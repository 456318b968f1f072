/**
 * Exchanges: one HTTP request and its response, recorded with secrets redacted.
 * JSON exchanges go through supertest (a timeout on every request); streams
 * through fetch + the incremental SSE reader (src/sse.ts), against deadlines.
 */
import request from 'supertest';
import type { KeySpec } from './config.js';

export type Auth =
  | { kind: 'none' }
  | { kind: 'key'; key: KeySpec }
  | { kind: 'bearer'; token: string; label: string }
  | { kind: 'session'; cookie: string };

export interface RequestSpec {
  method: string;
  path: string;                         // path only, params already substituted
  query?: [string, string][];           // order kept as given
  body?: unknown;                       // JSON-encoded unless rawBody is set
  rawBody?: string;
  auth: Auth;
  headers?: Record<string, string>;
}

export interface Exchange {
  label: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: string; auth: string };
  response?: { status: number; headers: Record<string, string>; text: string; ms: number };
  json?: unknown;                       // parsed body, when it parses
  jsonError?: string;
  error?: string;                       // transport failure: refused, timeout, reset
  stream?: import('./stream.js').StreamObservation;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isUnsafe = (method: string) => UNSAFE.has(method.toUpperCase());

export function authLabel(a: Auth): string {
  switch (a.kind) {
    case 'none': return 'no credentials';
    case 'key': return `personal API key (${a.key.label})`;
    case 'bearer': return a.label;
    case 'session': return 'session';
  }
}

export function buildUrl(base: string, spec: Pick<RequestSpec, 'path' | 'query'>): string {
  const qs = (spec.query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${base}${spec.path}${qs ? `?${qs}` : ''}`;
}

/**
 * The headers of a request. With a session, unsafe methods carry X-CSRFToken from the csrftoken cookie and,
 * since Django checks the Origin (or, over HTTPS, the Referer) of a CSRF-protected request against the host,
 * Origin and Referer of the target itself.
 */
export function requestHeaders(spec: RequestSpec, base?: string): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json, text/event-stream;q=0.9, */*;q=0.1', 'User-Agent': 'posthog-contract', ...spec.headers };
  const a = spec.auth;
  if (a.kind === 'key') h.Authorization = `Bearer ${a.key.key}`;
  if (a.kind === 'bearer') h.Authorization = `Bearer ${a.token}`;
  if (a.kind === 'session') {
    h.Cookie = a.cookie;
    const csrf = /(?:^|;\s*)csrftoken=([^;]+)/.exec(a.cookie)?.[1];
    if (csrf && isUnsafe(spec.method)) h['X-CSRFToken'] = csrf;
    if (base && isUnsafe(spec.method)) {
      const origin = new URL(base).origin;
      h.Origin = origin;
      h.Referer = `${origin}/`;
    }
  }
  if (spec.body !== undefined || spec.rawBody !== undefined) h['Content-Type'] ??= 'application/json';
  return h;
}

export function bodyText(spec: RequestSpec): string | undefined {
  return spec.rawBody ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
}

function flatHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

export function parseJson(ex: Exchange): void {
  const text = ex.response?.text ?? '';
  if (!text.trim()) return;
  try {
    ex.json = JSON.parse(text);
  } catch (e) {
    ex.jsonError = (e as Error).message;
  }
}

/** Send one non-streaming request; never throws (a transport failure is recorded in `error`). */
export async function send(base: string, spec: RequestSpec, timeoutMs: number, label: string): Promise<Exchange> {
  const headers = requestHeaders(spec, base);
  const body = bodyText(spec);
  const url = buildUrl(base, spec);
  const ex: Exchange = { label, request: { method: spec.method.toUpperCase(), url, headers, body, auth: authLabel(spec.auth) } };
  const started = performance.now();
  const target = new URL(url);
  const method = spec.method.toLowerCase() as 'get';
  try {
    let req = request(target.origin)[method](target.pathname + target.search)
      .timeout({ response: timeoutMs, deadline: timeoutMs })
      .redirects(0)
      .ok(() => true)
      .buffer(true)
      .parse((res, cb) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; });
        res.on('end', () => cb(null, text));
        res.on('error', (e: Error) => cb(e, text));
      });
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    const res = await (body !== undefined ? req.send(body) : req);
    ex.response = { status: res.status, headers: flatHeaders(res.headers), text: typeof res.body === 'string' ? res.body : '', ms: Math.round(performance.now() - started) };
    parseJson(ex);
  } catch (e) {
    const err = e as Error & { timeout?: number; code?: string };
    ex.error = err.timeout ? `no complete answer within ${timeoutMs} ms (timeout)` : `${err.code ?? 'error'}: ${err.message}`;
  }
  return ex;
}

export function mediaType(ex: Exchange): string | undefined {
  return ex.response?.headers['content-type']?.split(';')[0].trim().toLowerCase();
}

/** Shell-quoted curl command that reproduces the exchange (secrets are redacted later, with the rest of the output). */
export function curlOf(ex: Exchange): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl', '-sS', '-i'];
  if (ex.stream) parts.push('-N');
  if (ex.request.method !== 'GET') parts.push('-X', ex.request.method);
  for (const [k, v] of Object.entries(ex.request.headers)) {
    if (k === 'User-Agent' || (k === 'Accept' && !ex.stream)) continue;
    parts.push('-H', q(`${k}: ${v}`));
  }
  if (ex.request.body !== undefined) {
    parts.push('--data-raw', q(ex.request.body.length > 2000 ? `${ex.request.body.slice(0, 2000)}…(truncated)` : ex.request.body));
  }
  parts.push(q(ex.request.url));
  return parts.join(' ');
}
