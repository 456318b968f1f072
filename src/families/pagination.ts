/**
 * The pagination family, generic over the contracts' `pagination` sections
 * (posthog-contract.md §1.5):
 *
 * - `limit-offset` lists: one shared set of observations per list, judged by
 *   many rules (one request, many rules):
 *     prepared   the default page (no limit); tops the list up to 5 items when
 *                its items are cheap to create (a maker contract without a
 *                stream) and the run may write, within maxCreates;
 *     walk       a one-page snapshot (limit >= count), the pages reached by
 *                following `next` from offset 0 at a small limit (>= 3 pages),
 *                and a second snapshot; when the two snapshots differ (count or
 *                set of keys: other writers), the walk is retried, at most 3
 *                times, then skipped — never failed;
 *     previous   page 2's `previous` link, followed;
 *     past-end   one page past the end;
 *     invalid    one request per bad limit / offset.
 *   Links are followed by applying their path and query to the configured base
 *   URL (a proxy may rewrite hosts).
 * - `none` lists: the body is a bare JSON array.
 */
import { contracts as allContracts, type Contract } from '../contracts.js';
import { SkipCase, type CaseContext } from '../harness.js';
import type { CaseDef } from '../runner.js';
import * as rules from '../checks/pagination.js';
import { envelopeOf, keysOf, pageOf, sameList, type Page, type Walk } from '../checks/pagination.js';

/** Three pages at limit 1. */
export const MIN_WALK_ITEMS = 3;
/** Three pages at limit 2: what the suite tops a list up to when it may. */
export const WANT_ITEMS = 5;
export const MAX_ATTEMPTS = 3;
/** The one-page snapshot asks for count + this, so a few concurrent inserts still fit in it. */
const SNAPSHOT_HEADROOM = 20;
/** The past-end page asks for offset count + this. */
const PAST_END = 10;
/** The limit sent with a bad offset when there is no walk (else the walk's limit). */
const BAD_OFFSET_LIMIT = 2;

export const INVALID_PARAMS: { variant: string; param: 'limit' | 'offset'; value: string }[] = [
  { variant: 'limit-abc', param: 'limit', value: 'abc' },
  { variant: 'limit-0', param: 'limit', value: '0' },
  { variant: 'limit-negative', param: 'limit', value: '-5' },
  { variant: 'offset-abc', param: 'offset', value: 'abc' },
  { variant: 'offset-negative', param: 'offset', value: '-1' },
];

/** The walk's limit: about five pages, at least 2 items a page; 1 when the list holds only 3 or 4 (still three pages). */
export function walkLimit(count: number): number {
  return count >= WANT_ITEMS ? Math.max(2, Math.ceil(count / WANT_ITEMS)) : 1;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/**
 * The request a link asks for, on the configured base URL: its path (without the
 * base URL's own path prefix, which the request adds back) and its query.
 */
export function followSpec(link: string, baseUrl: string): { path: string; query: [string, string][] } | undefined {
  let u: URL;
  try { u = new URL(link, baseUrl); } catch { return undefined; }
  const prefix = trimSlash(new URL(baseUrl).pathname);
  const path = prefix && u.pathname.startsWith(`${prefix}/`) ? u.pathname.slice(prefix.length) : u.pathname;
  return { path, query: [...u.searchParams] };
}

/** The contract that creates this list's items, when creating one is cheap (no AI run: no stream). */
function cheapMaker(c: Contract, contracts: Contract[]): Contract | undefined {
  const provides = c.pagination?.provides;
  return provides ? contracts.find((x) => x.creates === provides && !x.streaming) : undefined;
}

interface Prepared { path: string; first: Page; count?: number; walkable: boolean; reason?: string }

const skipToUndefined = (e: unknown) => { if (e instanceof SkipCase) return undefined; throw e; };

export function paginationCases(c: Contract): CaseDef[] {
  const pg = c.pagination;
  if (!pg) return [];
  const base = { endpoint: c.id, family: 'pagination' as const, writes: false };
  const id = (variant: string) => `${c.id}/pagination/${variant}`;
  if (pg.style === 'none') {
    return [{
      ...base, id: id('bare-array'), variant: 'bare-array', title: 'the list is a bare JSON array, not a pagination envelope', rule: rules.bareArray,
      observe: async (ctx) => {
        const ex = await ctx.h.successExchange(c, ctx);
        if (ex.response?.status !== c.success.status) throw new SkipCase(`the list answered ${ex.response?.status ?? ex.error}, not ${c.success.status}: nothing to judge (see ${c.id}/status/success)`);
        return { page: pageOf(ex) };
      },
    }];
  }

  const key = pg.key;
  const keep = Object.entries(pg.keepQuery ?? {}) as [string, string][];
  const defaultLimit = pg.defaultLimit ?? 100;
  const K = (what: string) => `pagination:${c.id}:${what}`;
  const writes = !!cheapMaker(c, allContracts());

  const get = async (ctx: CaseContext, path: string, query: [string, string][], label: string): Promise<Page> =>
    pageOf(await ctx.send({ method: 'GET', path, query, auth: ctx.h.successAuth(c) }, label));

  /** Add up to `need` items with the maker's valid fixture; returns how many were made and why not more. */
  const topUp = async (ctx: CaseContext, need: number): Promise<{ created: number; reason?: string }> => {
    const h = ctx.h;
    const provides = pg.provides ?? 'item';
    const maker = cheapMaker(c, h.contracts);
    if (!maker) {
      const costly = h.contracts.find((x) => x.creates === provides);
      return { created: 0, reason: costly ? `the suite does not create ${provides} items (${costly.id} starts an AI run each); seed the list` : `no contract creates ${provides} items; seed the list` };
    }
    if (h.settings.readOnly) return { created: 0, reason: `${h.settings.readOnlyReason ?? 'read-only run'}: no ${provides} created` };
    const budget = (h.settings.maxCreates as Record<string, number>)[provides] ?? 0;
    const n = Math.min(need, budget);
    let created = 0;
    for (let i = 1; i <= n; i++) {
      const built = h.validRequest(maker, ctx, `pagination-${c.id}-${i}`);
      const ex = await ctx.send({ method: maker.method, path: await h.path(maker, ctx), query: built.query, body: built.body, auth: h.successAuth(maker) }, `create a ${provides} for the walk (${i} of ${n})`);
      h.noteCreated(maker, ex);
      if (ex.response?.status !== maker.success.status) return { created, reason: `creating a ${provides} (${maker.id}) gave ${ex.response?.status ?? ex.error}` };
      created++;
    }
    return { created, reason: n < need ? `the run may create at most ${budget} ${provides} item(s) (maxCreates)` : undefined };
  };

  /** The default page; the list topped up first when it is short and its items are cheap. */
  const prepared = (ctx: CaseContext) => ctx.shared(K('prepared'), async (sub): Promise<Prepared> => {
    const path = await sub.h.path(c, sub);
    const fetchFirst = (label: string) => get(sub, path, keep, label);
    let first = await fetchFirst('the default page (no limit)');
    let count = envelopeOf(first)?.count;
    if (count === undefined) return { path, first, walkable: false, reason: `the default page has no count (${first.status ?? first.error}); see ${c.id}/pagination/envelope` };
    let why: string | undefined;
    if (count < WANT_ITEMS) {
      const made = await topUp(sub, WANT_ITEMS - count);
      why = made.reason;
      if (made.created) {
        first = await fetchFirst(`the default page (no limit), after creating ${made.created} item(s)`);
        count = envelopeOf(first)?.count ?? count;
      }
    }
    const walkable = count >= MIN_WALK_ITEMS;
    return { path, first, count, walkable, reason: walkable ? undefined : `the list has ${count} item(s); a walk of 3 pages needs at least ${MIN_WALK_ITEMS}${why ? ` (${why})` : ''}` };
  });

  /** Follow `next` from offset 0 at `limit`, until next is null, a page is empty or broken, or a page cap. */
  const walkOnce = async (sub: CaseContext, path: string, limit: number, count: number, attempt: number) => {
    const pages: Page[] = [];
    const maxPages = Math.ceil(count / limit) + 2;
    const tag = attempt > 1 ? `, attempt ${attempt}` : '';
    let spec = { path, query: [...keep, ['limit', String(limit)]] as [string, string][] };
    for (let i = 1; i <= maxPages; i++) {
      const page = await get(sub, spec.path, spec.query, `walk page ${i} (limit ${limit}${tag})`);
      pages.push(page);
      const e = envelopeOf(page);
      if (!e) return { pages, stopped: `page ${i} is not a pagination envelope` };
      if (!e.results.length) return { pages, stopped: `page ${i} is empty` };
      if (e.next === null) return { pages, stopped: 'next is null' };
      if (e.next === undefined) return { pages, stopped: `page ${i} has no next link field` };
      const f = followSpec(e.next, sub.h.target.baseUrl);
      if (!f) return { pages, stopped: `next of page ${i} is not a URL: ${e.next}` };
      spec = f;
    }
    return { pages, stopped: `${maxPages} pages read without reaching the end` };
  };

  /** Snapshot, walk, snapshot; retried while the snapshots differ (other writers), then skipped. */
  const walk = (ctx: CaseContext) => ctx.shared(K('walk'), async (sub): Promise<Walk> => {
    const p = await prepared(sub);
    if (!p.walkable) throw new SkipCase(p.reason!);
    const snapshot = (count: number, when: string) => get(sub, p.path, [...keep, ['limit', String(Math.max(count, 1) + SNAPSHOT_HEADROOM)]], `one page with limit >= count, ${when}`);
    let before = await snapshot(p.count!, 'before the walk');
    const changes: string[] = [];
    const signatures = new Set<string>();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const count = envelopeOf(before)?.count ?? p.count!;
      const limit = walkLimit(count);
      const { pages, stopped } = await walkOnce(sub, p.path, limit, count, attempt);
      const after = await snapshot(count, `after the walk${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      const result = { limit, before, pages, after, stopped, attempts: attempt };
      if (sameList(before, after, key)) {
        // the same list before and after; but a writer may have added and removed items DURING the walk
        // (its pages then show another count). A server whose counts disagree the same way on every
        // attempt is judged (that is a fault, not a writer); a one-off disagreement is retried.
        const counts = pages.map((pg) => envelopeOf(pg)?.count);
        if (counts.every((n) => n === undefined || n === count)) return result;
        const signature = counts.join(',');
        if (signatures.has(signature)) return result;
        signatures.add(signature);
        changes.push(`attempt ${attempt}: counts during the walk ${signature} (before and after: ${count})`);
        continue;
      }
      changes.push(`attempt ${attempt}: count ${envelopeOf(before)?.count} -> ${envelopeOf(after)?.count}`);
      before = after;
    }
    throw new SkipCase(`the list changed during the walk (other writers): ${changes.join('; ')}`);
  });

  /** Page 2's previous link, followed. */
  const previous = (ctx: CaseContext) => ctx.shared(K('previous'), async (sub) => {
    const w = await walk(sub);
    const p0 = await prepared(sub);
    const link = w.pages[1] && envelopeOf(w.pages[1])?.previous;
    const f = typeof link === 'string' ? followSpec(link, sub.h.target.baseUrl) : undefined;
    const prev = f ? await get(sub, f.path, f.query, 'previous of walk page 2') : undefined;
    // when it differs from the walk's page 1, page 1 as it is now tells a moved list from a wrong link
    const differs = prev && w.pages[0] && JSON.stringify(envelopeOf(prev)?.results?.map((r) => (r as Record<string, unknown>)[key!])) !== JSON.stringify(envelopeOf(w.pages[0])?.results?.map((r) => (r as Record<string, unknown>)[key!]));
    const page1Now = differs ? await get(sub, p0.path, [...keep, ['limit', String(w.limit)]], 'page 1 now (the list may have moved since the walk)') : undefined;
    return { walk: w, previous: prev, page1Now };
  });

  const pastEnd = (ctx: CaseContext) => ctx.shared(K('past-end'), async (sub) => {
    const p = await prepared(sub);
    if (p.count === undefined) throw new SkipCase(p.reason!);
    // the past-end page and the list's count, asked back to back; other writers can make them disagree
    // once, a faulty server makes them disagree the same way every time (then it is judged)
    const seen = new Set<string>();
    let count = p.count;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const offset = count + PAST_END;
      const page = await get(sub, p.path, [...keep, ['limit', '2'], ['offset', String(offset)]], `offset ${offset}, past the end (count ${count})`);
      const now = await get(sub, p.path, [...keep, ['limit', '1']], 'the count right after');
      const got = envelopeOf(page)?.count;
      const listed = envelopeOf(now)?.count ?? count;
      if (got === undefined || got === listed) return { page, count: listed };
      const pair = `${got}/${listed}`;
      if (seen.has(pair)) return { page, count: listed };
      seen.add(pair);
      count = listed;
    }
    throw new SkipCase(`the list changed while its count was checked past the end (other writers): ${[...seen].join('; ')}`);
  });

  /** Every page observed with valid parameters: default page, past-end page, and the walk when there is one. */
  const allPages = async (ctx: CaseContext): Promise<Page[]> => {
    const p = await prepared(ctx);
    const pages = [p.first];
    const pe = await pastEnd(ctx).catch(skipToUndefined);
    if (pe) pages.push(pe.page);
    const prev = await previous(ctx).catch(skipToUndefined);
    if (prev) pages.push(prev.walk.before, ...prev.walk.pages, prev.walk.after, ...(prev.previous ? [prev.previous] : []));
    return pages;
  };
  const pagesInput = async (ctx: CaseContext) => ({ c, pages: await allPages(ctx) });
  const walkInput = async (ctx: CaseContext) => ({ c, walk: await walk(ctx) });

  const mk = (variant: string, title: string, rule: CaseDef['rule'], observe: CaseDef['observe']): CaseDef =>
    ({ ...base, writes, id: id(variant), variant, title, rule, observe });

  const cases: CaseDef[] = [
    mk('envelope', 'every page is {count, next, previous, results} with valid items', rules.envelope, pagesInput),
    mk('page-size', 'a page holds min(limit, count - offset) items', rules.pageSize, pagesInput),
    mk('walk-no-overlap', 'walking next links shows no item twice', rules.noOverlap, walkInput),
    mk('walk-no-gap', 'walking next links reaches every item', rules.noGap, walkInput),
    mk('walk-order', 'the walked pages, in turn, keep the one-page order', rules.walkOrder, walkInput),
    mk('count-total', 'count is the total number of items, the same on every page', rules.countTotal, walkInput),
    mk('next-null-at-end', 'next is null on the last page and only there', rules.nextNullAtEnd, pagesInput),
    mk('previous-null-at-start', 'previous is null on the first page', rules.previousNullAtStart, pagesInput),
    mk('previous-returns-page', 'following previous from page 2 returns page 1', rules.previousReturnsPage, async (ctx) => {
      const { walk: w, previous: prev, page1Now } = await previous(ctx);
      if (w.pages.length < 2) throw new SkipCase(`the walk did not reach page 2 (stopped: ${w.stopped}); see ${c.id}/pagination/walk-no-gap`);
      return { c, walk: w, previous: prev, page1Now };
    }),
    mk('links-absolute', 'next and previous are absolute URLs', rules.linksAbsolute, pagesInput),
    mk('links-same-origin', 'next and previous point at the target\'s host', rules.linksSameOrigin, async (ctx) => ({ pages: await allPages(ctx), baseUrl: ctx.h.target.baseUrl })),
    mk('links-keep-query', `next and previous keep ${keep.length ? keep.map(([k, v]) => `${k}=${v}`).join('&') + ' and ' : ''}all but limit/offset`, rules.linksKeepQuery,
      async (ctx) => ({ pages: await allPages(ctx), keep: pg.keepQuery ?? {}, baseUrl: ctx.h.target.baseUrl })),
    mk('offset-past-end', 'an offset past the end gives no results and the same count', rules.offsetPastEnd, (ctx) => pastEnd(ctx)),
    mk('default-limit', `without limit a page holds up to ${defaultLimit} items`, rules.defaultLimit, async (ctx) => ({ page: (await prepared(ctx)).first, defaultLimit })),
  ];
  for (const v of INVALID_PARAMS) {
    const observe = (ctx: CaseContext) => ctx.shared(K(`invalid-${v.variant}`), async (sub) => {
      const p = await prepared(sub);
      // the page asked with the bad value, and the page it should equal (default limit / offset 0), asked back
      // to back; once more when they differ, since other writers may reorder the list in between
      const limit = v.param === 'limit' ? defaultLimit : ((await walk(sub).catch(skipToUndefined))?.limit ?? BAD_OFFSET_LIMIT);
      const badQuery: [string, string][] = v.param === 'limit' ? [...keep, ['limit', v.value]] : [...keep, ['limit', String(limit)], ['offset', v.value]];
      const goodQuery: [string, string][] = v.param === 'limit' ? [...keep] : [...keep, ['limit', String(limit)]];
      let page: Page | undefined;
      let reference: Page | undefined;
      for (let attempt = 1; attempt <= 2; attempt++) {
        page = await get(sub, p.path, badQuery, `${v.param}=${v.value}${v.param === 'offset' ? ` (limit ${limit})` : ''}`);
        reference = await get(sub, p.path, goodQuery, v.param === 'limit' ? 'the default page, right after' : `offset 0 (limit ${limit}), right after`);
        if (JSON.stringify(keysOf(page, key)) === JSON.stringify(keysOf(reference, key))) break;
      }
      return { c, param: v.param, value: v.value, page: page!, reference: reference!, limit };
    });
    const fallback = v.param === 'limit' ? `the default limit ${defaultLimit}` : 'offset 0';
    cases.push(
      mk(`invalid-${v.variant}`, `${v.param}=${v.value} falls back to ${fallback}`, rules.invalidFallback, observe),
      mk(`invalid-${v.variant}-no-5xx`, `${v.param}=${v.value} never answers 5xx`, rules.invalidNo5xx, observe),
    );
  }
  if (pg.order?.length) {
    cases.push(mk('order', `the list is ordered by ${pg.order.map((o) => `${o.field} ${o.direction}`).join(', ')}`, rules.order, async (ctx) => {
      const w = await walk(ctx).catch(skipToUndefined);
      return { c, page: w?.before ?? (await prepared(ctx)).first };
    }));
  }
  return cases;
}
