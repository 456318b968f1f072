/**
 * Pagination rules (posthog-contract.md §1.5): DRF LimitOffsetPagination as
 * PostHog uses it. Every check is a pure function over recorded pages (a page =
 * the URL asked for and the answer), so the same checks judge a walk, a
 * one-page snapshot or a hand-made observation in the unit tests.
 *
 * Semantics (rest_framework/pagination.py, LimitOffsetPagination): default
 * limit 100, no maximum; a bad, zero or negative limit -> the default; a bad
 * or negative offset -> 0; `next` = the absolute request URI with limit and
 * offset replaced (replace_query_param re-encodes the query sorted by key, so
 * parameter order is never significant), null when offset + limit >= count;
 * `previous` null at offset 0 and without `offset` when offset - limit <= 0.
 */
import { validate, type Contract } from '../contracts.js';
import type { Exchange } from '../http.js';
import { defineRule, type Finding } from '../rules.js';

const P = 'posthog-contract.md#1.5';
const MAX_FINDINGS = 8;

// ---------------------------------------------------------------------------------------------
// Observations
// ---------------------------------------------------------------------------------------------

/** One list request and its answer. `url` is the URL as sent (limit/offset are read from it). */
export interface Page {
  label: string;
  url: string;
  status?: number;          // undefined: no HTTP response
  body?: unknown;           // parsed JSON, when it parses
  error?: string;           // transport failure or JSON error
}

export function pageOf(ex: Exchange): Page {
  return { label: ex.label, url: ex.request.url, status: ex.response?.status, body: ex.json, error: ex.error ?? ex.jsonError };
}

/** What a page says, read leniently: a field of the wrong type is `undefined` (the envelope rule reports it). */
export interface Envelope { count?: number; next?: string | null; previous?: string | null; results: unknown[] }

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const linkOrNull = (v: unknown) => (typeof v === 'string' || v === null ? v : undefined);

export function envelopeOf(p: Page): Envelope | undefined {
  if (p.status !== 200 || !isObject(p.body) || !Array.isArray(p.body.results)) return undefined;
  const b = p.body;
  return {
    count: typeof b.count === 'number' && Number.isInteger(b.count) && b.count >= 0 ? b.count : undefined,
    next: linkOrNull(b.next),
    previous: linkOrNull(b.previous),
    results: b.results as unknown[],
  };
}

/** A walk: the one-page snapshot before and after, and the pages reached by following `next` from offset 0. */
export interface Walk {
  limit: number;
  before: Page;
  pages: Page[];
  after: Page;
  /** why the walk stopped: "next is null", "an empty page", a page cap, ... */
  stopped: string;
  attempts: number;
}

/** Python int() of a query value, as DRF's _positive_int reads it; null where Python raises. */
function pyInt(s: string): number | null {
  const t = s.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return null;
  const n = Number(t.replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

function queryOf(url: string): URLSearchParams {
  try { return new URL(url, 'http://x.invalid').searchParams; } catch { return new URLSearchParams(); }
}

/** The limit DRF would apply for this URL (QueryDict: the last value wins); undefined when none is given or it is invalid. */
export function requestedLimit(url: string): number | undefined {
  const raw = queryOf(url).getAll('limit').at(-1);
  const n = raw === undefined ? null : pyInt(raw);
  return n !== null && n > 0 ? n : undefined;
}

/** The offset DRF would apply for this URL: invalid or negative -> 0. */
export function requestedOffset(url: string): number {
  const raw = queryOf(url).getAll('offset').at(-1);
  const n = raw === undefined ? null : pyInt(raw);
  return n !== null && n >= 0 ? n : 0;
}

/** Stable identity of an item by the contract's key (JSON so 1 and "1" differ). */
export const keyOf = (item: unknown, key: string | undefined): string => JSON.stringify(key === undefined ? item : isObject(item) ? item[key] : undefined) ?? 'undefined';
export const keysOf = (p: Page | undefined, key: string | undefined): string[] => (p && envelopeOf(p)?.results.map((r) => keyOf(r, key))) ?? [];

/**
 * Whether two one-page snapshots show the same list (same count, same SET of keys):
 * when they differ, someone else wrote to the list meanwhile. Unknown (not an
 * envelope) counts as the same: the rules report broken pages.
 */
export function sameList(a: Page, b: Page, key: string | undefined): boolean {
  const ea = envelopeOf(a);
  const eb = envelopeOf(b);
  if (!ea || !eb) return true;
  if (ea.count !== eb.count) return false;
  const ka = new Set(ea.results.map((r) => keyOf(r, key)));
  const kb = new Set(eb.results.map((r) => keyOf(r, key)));
  return ka.size === kb.size && [...ka].every((k) => kb.has(k));
}

function cap(findings: Finding[]): Finding[] {
  if (findings.length <= MAX_FINDINGS) return findings;
  return [...findings.slice(0, MAX_FINDINGS), { message: `… and ${findings.length - MAX_FINDINGS} more` }];
}

const links = (p: Page): { which: 'next' | 'previous'; link: string }[] => {
  const e = envelopeOf(p);
  if (!e) return [];
  return (['next', 'previous'] as const).filter((w) => typeof e[w] === 'string').map((w) => ({ which: w, link: e[w] as string }));
};

// ---------------------------------------------------------------------------------------------
// Envelope and page size
// ---------------------------------------------------------------------------------------------

export interface PagesInput { c: Contract; pages: Page[] }

export function checkEnvelope({ c, pages }: PagesInput): Finding[] {
  const out: Finding[] = [];
  for (const p of pages) {
    if (p.status === undefined) { out.push({ message: `${p.label}: no HTTP response`, actual: p.error }); continue; }
    if (p.status !== 200) { out.push({ message: `${p.label}: the list did not answer 200`, expected: 200, actual: p.status }); continue; }
    const b = p.body;
    if (!isObject(b)) {
      out.push({ message: `${p.label}: the body is not a pagination envelope`, expected: '{count, next, previous, results}', actual: Array.isArray(b) ? 'a bare JSON array' : b === undefined ? (p.error ?? '(no JSON)') : typeof b });
      continue;
    }
    const wrong: string[] = [];
    if (!(typeof b.count === 'number' && Number.isInteger(b.count) && b.count >= 0)) wrong.push(`count: ${'count' in b ? JSON.stringify(b.count) : 'missing'}`);
    for (const f of ['next', 'previous'] as const) if (!(f in b) || linkOrNull(b[f]) === undefined) wrong.push(`${f}: ${f in b ? JSON.stringify(b[f]) : 'missing'}`);
    if (!Array.isArray(b.results)) wrong.push(`results: ${'results' in b ? typeof b.results : 'missing'}`);
    if (wrong.length) out.push({ message: `${p.label}: the envelope fields have the wrong type or are missing`, expected: 'count: integer >= 0, next: string|null, previous: string|null, results: array', actual: wrong.join('; ') });
    if (!Array.isArray(b.results)) continue;
    b.results.forEach((item, i) => {
      const errs = validate(c, 'pagination.item', c.pagination!.item, item);
      if (errs.length) out.push({ message: `${p.label}: results[${i}] does not validate against the item schema`, actual: errs.map((e) => `${e.path} ${e.message}`).join('; ') });
    });
  }
  return cap(out);
}

export function checkPageSize({ pages }: { pages: Page[] }): Finding[] {
  const out: Finding[] = [];
  for (const p of pages) {
    const e = envelopeOf(p);
    const limit = requestedLimit(p.url);
    if (!e || limit === undefined) continue;
    const offset = requestedOffset(p.url);
    const n = e.results.length;
    if (n > limit) { out.push({ message: `${p.label}: more results than the limit asked for (limit=${limit}, offset=${offset})`, expected: `<= ${limit}`, actual: n }); continue; }
    if (e.count === undefined) continue;
    const expected = Math.min(limit, Math.max(0, e.count - offset));
    if (n !== expected) out.push({ message: `${p.label}: results.length is not min(limit, count - offset) (limit=${limit}, offset=${offset}, count=${e.count})`, expected, actual: n });
  }
  return cap(out);
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

export interface WalkInput { c: Contract; walk: Walk }

function walkSequence(walk: Walk, key: string | undefined): { key: string; page: number }[] {
  return walk.pages.flatMap((p, i) => keysOf(p, key).map((k) => ({ key: k, page: i + 1 })));
}

export function checkNoOverlap({ c, walk }: WalkInput): Finding[] {
  const seen = new Map<string, number[]>();
  for (const { key, page } of walkSequence(walk, c.pagination!.key)) seen.set(key, [...(seen.get(key) ?? []), page]);
  const twice = [...seen.entries()].filter(([, pages]) => pages.length > 1);
  return twice.length
    ? [{ message: `${twice.length} item(s) appear on more than one page of the walk (limit ${walk.limit})`, expected: 'each item once', actual: twice.slice(0, 10).map(([k, pages]) => `${c.pagination!.key ?? 'item'}=${k} on pages ${pages.join(', ')}`).join('; ') }]
    : [];
}

export function checkNoGap({ c, walk }: WalkInput): Finding[] {
  const key = c.pagination!.key;
  const walked = new Set(walkSequence(walk, key).map((x) => x.key));
  const missing = keysOf(walk.before, key).filter((k) => !walked.has(k));
  return missing.length
    ? [{ message: `the walk (limit ${walk.limit}, ${walk.pages.length} pages, stopped: ${walk.stopped}) misses ${missing.length} item(s) of the one-page list`, expected: `every ${key} of the one-page list`, actual: `missing ${key}: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}` }]
    : [];
}

/**
 * Whether two items may stand in either order under the contract's documented
 * order: every order field ties or compares unclearly (collation, nulls).
 * Without a documented order nothing ties.
 */
export function mayTie(c: Contract, a: unknown, b: unknown): boolean {
  const order = c.pagination!.order ?? [];
  if (!order.length) return false;
  const field = (x: unknown, f: string) => (isObject(x) ? x[f] : undefined);
  return order.every((o) => { const cmp = looseCompare(field(a, o.field), field(b, o.field)); return cmp === 0 || cmp === undefined; });
}

/**
 * Precondition: the order of a walk is judged only when it visits each item once
 * (overlap and gaps have their own rules). Items the documented order ties may
 * come in either order (the database does not order ties).
 */
export function checkWalkOrder({ c, walk }: WalkInput): Finding[] {
  const key = c.pagination!.key;
  const seq = walkSequence(walk, key).map((x) => x.key);
  const fullItems = envelopeOf(walk.before)?.results ?? [];
  const full = fullItems.map((r) => keyOf(r, key));
  if (new Set(seq).size !== seq.length || full.some((k) => !seq.includes(k))) return [];
  const byKey = new Map(fullItems.map((r) => [keyOf(r, key), r]));
  const n = Math.min(seq.length, full.length);
  for (let i = 0; i < n; i++) {
    if (seq[i] !== full[i] && !mayTie(c, byKey.get(seq[i]), byKey.get(full[i]))) {
      return [{ message: `the walk lists the items in another order than one page with limit >= count (first difference at position ${i})`, expected: full.slice(i, i + 5).join(', '), actual: seq.slice(i, i + 5).join(', ') }];
    }
  }
  return [];
}

export function checkCountTotal({ c, walk }: WalkInput): Finding[] {
  const key = c.pagination!.key;
  const pages = [walk.before, ...walk.pages, walk.after];
  const counts = pages.map((p) => ({ label: p.label, count: envelopeOf(p)?.count })).filter((x) => x.count !== undefined) as { label: string; count: number }[];
  if (!counts.length) return [];
  const out: Finding[] = [];
  const distinct = [...new Set(counts.map((x) => x.count))];
  if (distinct.length > 1) out.push({ message: 'count differs between pages of one unchanged list', expected: 'the same count on every page', actual: counts.map((x) => `${x.label}: ${x.count}`).join('; ') });
  const items = new Set([...walkSequence(walk, key).map((x) => x.key), ...keysOf(walk.before, key)]);
  const count = envelopeOf(walk.before)?.count ?? counts[0].count;
  if (count !== items.size) out.push({ message: 'count is not the number of items the list holds (walk and one-page list together)', expected: items.size, actual: count });
  return out;
}

export function checkNextNullAtEnd({ pages }: { pages: Page[] }): Finding[] {
  const out: Finding[] = [];
  for (const p of pages) {
    const e = envelopeOf(p);
    if (!e || e.count === undefined || e.next === undefined) continue;
    const offset = requestedOffset(p.url);
    const atEnd = offset + e.results.length >= e.count;
    if (atEnd && e.next !== null) out.push({ message: `${p.label}: next is not null on the last page (offset ${offset} + ${e.results.length} results >= count ${e.count})`, expected: null, actual: e.next });
    if (!atEnd && e.next === null) out.push({ message: `${p.label}: next is null before the end (offset ${offset} + ${e.results.length} results < count ${e.count})`, expected: 'a link to the next page', actual: null });
  }
  return cap(out);
}

export function checkPreviousNullAtStart({ pages }: { pages: Page[] }): Finding[] {
  const out: Finding[] = [];
  for (const p of pages) {
    const e = envelopeOf(p);
    if (!e || e.previous === undefined || requestedOffset(p.url) !== 0) continue;
    if (e.previous !== null) out.push({ message: `${p.label}: previous is not null on the first page (offset 0)`, expected: null, actual: e.previous });
  }
  return cap(out);
}

export interface PreviousInput { c: Contract; walk: Walk; previous?: Page; page1Now?: Page }

export function checkPreviousReturnsPage({ c, walk, previous, page1Now }: PreviousInput): Finding[] {
  const key = c.pagination!.key;
  const [first, second] = walk.pages;
  const e2 = second && envelopeOf(second);
  if (!e2) return [];
  if (typeof e2.previous !== 'string') return [{ message: `${second.label}: page 2 has no previous link`, expected: 'a link to page 1', actual: e2.previous ?? '(missing)' }];
  if (!previous) return [{ message: 'the previous link of page 2 could not be followed' }];
  if (previous.status !== 200) return [{ message: 'following previous from page 2 did not answer 200', expected: 200, actual: previous.status ?? previous.error }];
  const want = keysOf(first, key);
  const got = keysOf(previous, key);
  if (want.join() === got.join()) return [];
  // the list may have moved since the walk (other writers): page 1 as it is now, fetched right after, decides
  if (page1Now && keysOf(page1Now, key).join() === got.join()) return [];
  return [{ message: 'following previous from page 2 does not return page 1', expected: `${key}: ${want.join(', ')}`, actual: `${key}: ${got.join(', ')}` }];
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

export function checkLinksAbsolute({ pages }: { pages: Page[] }): Finding[] {
  const out: Finding[] = [];
  for (const p of pages) {
    for (const { which, link } of links(p)) {
      let ok = false;
      try { ok = /^https?:$/.test(new URL(link).protocol); } catch { ok = false; }
      if (!ok) out.push({ message: `${p.label}: ${which} is not an absolute http(s) URL`, expected: 'scheme://host/path?query', actual: link });
    }
  }
  return cap(out);
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };
const portOf = (u: URL) => u.port || DEFAULT_PORT[u.protocol] || '';

/**
 * Same host as the configured base URL. The scheme is not compared (a proxy that
 * terminates TLS makes Django build http:// links for an https:// base), and
 * neither is the port when the schemes differ.
 */
export function sameOrigin(link: string, baseUrl: string): boolean {
  let l: URL; let b: URL;
  try { l = new URL(link); b = new URL(baseUrl); } catch { return true; } // not absolute: links-absolute says so
  if (l.hostname.toLowerCase() !== b.hostname.toLowerCase()) return false;
  return l.protocol !== b.protocol || portOf(l) === portOf(b);
}

export function checkLinksSameOrigin({ pages, baseUrl }: { pages: Page[]; baseUrl: string }): Finding[] {
  const out: Finding[] = [];
  for (const p of pages) {
    for (const { which, link } of links(p)) {
      if (!sameOrigin(link, baseUrl)) out.push({ message: `${p.label}: ${which} points at another host than the target`, expected: new URL(baseUrl).host, actual: link });
    }
  }
  return cap(out);
}

/** The query as a map of sorted values, without limit and offset. */
function otherParams(q: URLSearchParams): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of q) if (k !== 'limit' && k !== 'offset') m.set(k, [...(m.get(k) ?? []), v]);
  for (const v of m.values()) v.sort();
  return m;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

export interface KeepQueryInput { pages: Page[]; keep: Record<string, string>; baseUrl: string }

/**
 * A link keeps the request's path and every query parameter other than limit
 * and offset (compared as a map: order and encoding never matter), and carries
 * the contract's keepQuery parameters.
 */
export function checkLinksKeepQuery({ pages, keep, baseUrl }: KeepQueryInput): Finding[] {
  const out: Finding[] = [];
  const prefix = trimSlash(new URL(baseUrl).pathname);
  for (const p of pages) {
    const req = new URL(p.url);
    const want = otherParams(req.searchParams);
    for (const [k, v] of Object.entries(keep)) if (!want.has(k)) want.set(k, [v]);
    for (const { which, link } of links(p)) {
      let u: URL;
      try { u = new URL(link, p.url); } catch { continue; }
      const path = trimSlash(u.pathname);
      const reqPath = trimSlash(req.pathname);
      if (path !== reqPath && !(prefix && `${prefix}${path}` === reqPath)) out.push({ message: `${p.label}: ${which} points at another path`, expected: req.pathname, actual: u.pathname });
      const got = otherParams(u.searchParams);
      const diffs: string[] = [];
      for (const [k, v] of want) {
        const g = got.get(k);
        if (!g) diffs.push(`${k} dropped`);
        else if (g.join('\u0000') !== v.join('\u0000')) diffs.push(`${k}=${v.join(',')} became ${k}=${g.join(',')}`);
      }
      for (const k of got.keys()) if (!want.has(k)) diffs.push(`${k} added`);
      if (diffs.length) out.push({ message: `${p.label}: ${which} changes query parameters other than limit and offset`, expected: [...want].map(([k, v]) => v.map((x) => `${k}=${x}`).join('&')).join('&') || '(none)', actual: `${link} (${diffs.join('; ')})` });
    }
  }
  return cap(out);
}

// ---------------------------------------------------------------------------------------------
// Single requests
// ---------------------------------------------------------------------------------------------

export interface PastEndInput { page: Page; count: number }

export function checkOffsetPastEnd({ page, count }: PastEndInput): Finding[] {
  if (page.status !== 200) return [{ message: `${page.label}: an offset past the end did not answer 200`, expected: 200, actual: page.status ?? page.error }];
  const e = envelopeOf(page);
  if (!e) return [{ message: `${page.label}: the answer is not a pagination envelope`, expected: '{count, next, previous, results}' }];
  const out: Finding[] = [];
  if (e.results.length) out.push({ message: `${page.label}: an offset past the end returns items`, expected: 'results: []', actual: `${e.results.length} item(s)` });
  if (e.count !== count) out.push({ message: `${page.label}: count changes past the end`, expected: count, actual: e.count ?? (page.body as any)?.count });
  return out;
}

export interface DefaultLimitInput { page: Page; defaultLimit: number }

export function checkDefaultLimit({ page, defaultLimit }: DefaultLimitInput): Finding[] {
  const e = envelopeOf(page);
  if (!e || e.count === undefined) return [];
  if (e.count <= defaultLimit) {
    const out: Finding[] = [];
    if (e.results.length !== e.count) out.push({ message: `without limit, a list of ${e.count} (<= ${defaultLimit}) comes in one page`, expected: e.count, actual: e.results.length });
    if (e.next !== null && e.next !== undefined) out.push({ message: `without limit, a list of ${e.count} (<= ${defaultLimit}) has no next page`, expected: null, actual: e.next });
    return out;
  }
  return e.results.length === defaultLimit ? [] : [{ message: `without limit, a page holds the default ${defaultLimit} items (count ${e.count})`, expected: defaultLimit, actual: e.results.length }];
}

export interface InvalidParamInput {
  c: Contract;
  param: 'limit' | 'offset';
  value: string;
  page: Page;
  /** the page DRF's fallback gives: the default page (bad limit) or offset 0 at the same limit (bad offset) */
  reference: Page;
  /** the limit in force: the default (bad limit) or the limit sent with the bad offset */
  limit: number;
}

/** Precondition: a 5xx (or no answer) is invalid-params-no-5xx's to report. */
export function checkInvalidFallback({ c, param, value, page, reference, limit }: InvalidParamInput): Finding[] {
  if (page.status === undefined || page.status >= 500) return [];
  const fallback = param === 'limit' ? `the default limit ${limit}` : 'offset 0';
  if (page.status !== 200) return [{ message: `${param}=${value} is refused instead of falling back to ${fallback}`, expected: 200, actual: page.status }];
  const e = envelopeOf(page);
  if (!e || e.count === undefined) return [{ message: `${param}=${value}: the answer is not a pagination envelope` }];
  const out: Finding[] = [];
  const expectedLength = Math.min(limit, e.count);
  if (e.results.length !== expectedLength) out.push({ message: `${param}=${value} does not fall back to ${fallback}`, expected: `${expectedLength} results`, actual: `${e.results.length} results` });
  const ref = envelopeOf(reference);
  // the items are compared only when the list is unchanged since the reference page (other writers)
  if (!out.length && ref && ref.count === e.count) {
    const key = c.pagination!.key;
    const want = keysOf(reference, key).slice(0, limit);
    const got = keysOf(page, key);
    if (want.join() !== got.join()) out.push({ message: `${param}=${value} does not give the page ${fallback} gives`, expected: `${key}: ${want.join(', ')}`, actual: `${key}: ${got.join(', ')}` });
  }
  return out;
}

export function checkNo5xx({ param, value, page }: InvalidParamInput): Finding[] {
  if (page.status === undefined) return [{ message: `${param}=${value}: no HTTP response`, actual: page.error }];
  return page.status < 500 ? [] : [{ message: `${param}=${value} makes the server fail`, expected: '200 (DRF falls back)', actual: page.status }];
}

// ---------------------------------------------------------------------------------------------
// Order
// ---------------------------------------------------------------------------------------------

const ISO = /^\d{4}-\d{2}-\d{2}[T ]/;
const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

/**
 * A loose comparison: -1/0/1 when the order of a and b is clear, undefined when
 * it depends on things the contract leaves open (nulls, collation). Strings are
 * compared three ways (code points, ICU case-insensitive, letters-and-digits
 * only, like glibc); only an order all three agree on counts, and a tie in any
 * counts as a tie.
 */
export function looseCompare(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return sign(a - b);
  if (typeof a !== 'string' || typeof b !== 'string') return undefined;
  if (ISO.test(a) && ISO.test(b)) {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (Number.isFinite(ta) && Number.isFinite(tb)) return sign(ta - tb);
  }
  const bare = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  const ways = [sign(a < b ? -1 : a > b ? 1 : 0), sign(a.localeCompare(b, 'en', { sensitivity: 'base' })), sign(bare(a) < bare(b) ? -1 : bare(a) > bare(b) ? 1 : 0)];
  if (ways.includes(0)) return 0;
  return ways.every((w) => w === ways[0]) ? ways[0] : undefined;
}

export interface OrderInput { c: Contract; page: Page }

export function checkOrder({ c, page }: OrderInput): Finding[] {
  const order = c.pagination!.order ?? [];
  const e = envelopeOf(page);
  if (!e || !order.length) return [];
  const out: Finding[] = [];
  const show = (item: unknown) => order.map((o) => `${o.field}=${JSON.stringify(isObject(item) ? item[o.field] : undefined)}`).join(', ');
  for (let i = 0; i + 1 < e.results.length; i++) {
    const a = e.results[i];
    const b = e.results[i + 1];
    for (const o of order) {
      const cmp = looseCompare(isObject(a) ? a[o.field] : undefined, isObject(b) ? b[o.field] : undefined);
      if (cmp === undefined) break; // unclear: never flagged
      if (cmp === 0) continue;
      if (cmp !== (o.direction === 'asc' ? -1 : 1)) {
        out.push({ message: `results[${i}] and results[${i + 1}] are out of the documented order (${order.map((x) => `${x.field} ${x.direction}`).join(', ')})`, expected: `${show(b)} before ${show(a)}`, actual: `${show(a)} before ${show(b)}` });
      }
      break;
    }
  }
  return cap(out);
}

// ---------------------------------------------------------------------------------------------
// Unpaginated lists
// ---------------------------------------------------------------------------------------------

export function checkBareArray({ page }: { page: Page }): Finding[] {
  if (Array.isArray(page.body)) return [];
  if (isObject(page.body) && 'results' in page.body) return [{ message: 'the unpaginated list is wrapped in a pagination envelope', expected: 'a bare JSON array', actual: `an object with keys ${Object.keys(page.body).join(', ')}` }];
  return [{ message: 'the unpaginated list is not a JSON array', expected: 'a bare JSON array', actual: page.body === undefined ? (page.error ?? '(no JSON body)') : typeof page.body }];
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

const DRF = 'LimitOffsetPagination (rest_framework/pagination.py)';

export const envelope = defineRule<PagesInput>({
  id: 'pagination.envelope', family: 'pagination', strength: 'MUST',
  title: 'a page is {count, next, previous, results} with valid items',
  ref: P, quote: '`DEFAULT_PAGINATION_CLASS = rest_framework.pagination.LimitOffsetPagination` ... envelope `{"count","next","previous","results"}`',
  check: checkEnvelope,
});

export const pageSize = defineRule<{ pages: Page[] }>({
  id: 'pagination.page-size', family: 'pagination', strength: 'MUST',
  title: 'a page holds min(limit, count - offset) items, never more than limit',
  ref: P, quote: `default limit 100, **no maximum** (\`max_limit = None\`) — ${DRF}: queryset[offset:offset + limit]`,
  check: checkPageSize,
});

export const noOverlap = defineRule<WalkInput>({
  id: 'pagination.no-overlap', family: 'pagination', strength: 'MUST',
  title: 'walking next links shows no item twice',
  ref: P, quote: '`next` = `request.build_absolute_uri()` with `limit` and `offset=offset+limit` replaced, null at the end',
  check: checkNoOverlap,
});

export const noGap = defineRule<WalkInput>({
  id: 'pagination.no-gap', family: 'pagination', strength: 'MUST',
  title: 'walking next links reaches every item of the list',
  ref: P, quote: '`next` = `request.build_absolute_uri()` with `limit` and `offset=offset+limit` replaced, null at the end',
  check: checkNoGap,
});

export const walkOrder = defineRule<WalkInput>({
  id: 'pagination.walk-order', family: 'pagination', strength: 'MUST',
  title: 'the pages of a walk, in turn, list the items in one-page order',
  ref: P, quote: `${DRF}: each page is queryset[offset:offset + limit] of one ordered queryset`,
  check: checkWalkOrder,
});

export const countTotal = defineRule<WalkInput>({
  id: 'pagination.count-total', family: 'pagination', strength: 'MUST',
  title: 'count is the total number of items, the same on every page',
  ref: P, quote: `envelope \`{"count","next","previous","results"}\` — ${DRF}: count = get_count(queryset)`,
  check: checkCountTotal,
});

export const nextNullAtEnd = defineRule<{ pages: Page[] }>({
  id: 'pagination.next-null-at-end', family: 'pagination', strength: 'MUST',
  title: 'next is null on the last page and only there',
  ref: P, quote: '`next` = `request.build_absolute_uri()` with `limit` and `offset=offset+limit` replaced, null at the end',
  check: checkNextNullAtEnd,
});

export const previousNullAtStart = defineRule<{ pages: Page[] }>({
  id: 'pagination.previous-null-at-start', family: 'pagination', strength: 'MUST',
  title: 'previous is null on the first page',
  ref: P, quote: '`previous` is null at offset 0',
  check: checkPreviousNullAtStart,
});

export const previousReturnsPage = defineRule<PreviousInput>({
  id: 'pagination.previous-returns-page', family: 'pagination', strength: 'MUST',
  title: 'following previous from page 2 returns page 1',
  ref: P, quote: '`previous` is null at offset 0 and drops `offset` when `offset-limit <= 0`',
  check: checkPreviousReturnsPage,
});

export const linksAbsolute = defineRule<{ pages: Page[] }>({
  id: 'pagination.links-absolute', family: 'pagination', strength: 'MUST',
  title: 'next and previous are absolute URLs',
  ref: P, quote: '`next` = `request.build_absolute_uri()` with `limit` and `offset=offset+limit` replaced',
  check: checkLinksAbsolute,
});

export const linksSameOrigin = defineRule<{ pages: Page[]; baseUrl: string }>({
  id: 'pagination.links-same-origin', family: 'pagination', strength: 'SHOULD',
  title: 'next and previous point at the host that was asked',
  ref: P, quote: '`next` = `request.build_absolute_uri()` (the Host of the request; a proxy may rewrite it, hence SHOULD)',
  check: checkLinksSameOrigin,
});

export const linksKeepQuery = defineRule<KeepQueryInput>({
  id: 'pagination.links-keep-query', family: 'pagination', strength: 'MUST',
  title: 'next and previous keep the path and every parameter but limit/offset',
  ref: P, quote: '`next` = `request.build_absolute_uri()` with `limit` and `offset` replaced (replace_query_param: the rest of the query is kept, re-encoded sorted by key)',
  check: checkLinksKeepQuery,
});

export const offsetPastEnd = defineRule<PastEndInput>({
  id: 'pagination.offset-past-end', family: 'pagination', strength: 'MUST',
  title: 'an offset past the end gives empty results and the same count',
  ref: P, quote: `${DRF}: if self.count == 0 or self.offset > self.count: return [] (queryset[offset:offset+limit] is empty past the end)`,
  check: checkOffsetPastEnd,
});

export const defaultLimit = defineRule<DefaultLimitInput>({
  id: 'pagination.default-limit', family: 'pagination', strength: 'SHOULD',
  title: 'without limit a page holds up to 100 items',
  ref: P, quote: '`DEFAULT_PAGINATION_CLASS = rest_framework.pagination.LimitOffsetPagination`, `PAGE_SIZE = 100` ... So: default limit 100',
  check: checkDefaultLimit,
});

export const invalidFallback = defineRule<InvalidParamInput>({
  id: 'pagination.invalid-params-fallback', family: 'pagination', strength: 'SHOULD',
  title: 'a bad limit falls back to the default and a bad offset to 0',
  ref: P, quote: 'Bad `limit` → default; bad `offset` → 0 (`get_limit/get_offset`)',
  check: checkInvalidFallback,
});

export const invalidNo5xx = defineRule<InvalidParamInput>({
  id: 'pagination.invalid-params-no-5xx', family: 'pagination', strength: 'MUST',
  title: 'a bad limit or offset never makes the server fail',
  ref: P, quote: 'Bad `limit` → default; bad `offset` → 0 (`get_limit/get_offset`): the ValueError of int() is caught, never a 500',
  check: checkNo5xx,
});

export const order = defineRule<OrderInput>({
  id: 'pagination.order', family: 'pagination', strength: 'SHOULD',
  title: 'the list is in its documented order',
  ref: 'posthog-contract.md#E8', quote: 'dashboards: ordered `-pinned, name` (E8); conversations: ordered `-updated_at` (E3)',
  check: checkOrder,
});

export const bareArray = defineRule<{ page: Page }>({
  id: 'pagination.bare-array', family: 'pagination', strength: 'MUST',
  title: 'an unpaginated list is a bare JSON array, not an envelope',
  ref: P, quote: 'Collaborators: `pagination_class = None` → bare JSON array',
  check: checkBareArray,
});
