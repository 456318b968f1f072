/**
 * Unit tests of the pagination checks on hand-made observations: valid
 * variations DRF (or a proxy in front of it) produces must pass; faults must
 * fail. Plus the family's behaviour with other writers, against an in-process
 * reference that changes its list while the suite walks it.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../src/contracts.js';
import * as p from '../src/checks/pagination.js';
import { followSpec, walkLimit } from '../src/families/pagination.js';
import { ReferenceTarget, serve, type HandlerContext } from '../targets/reference/server.js';
import { Harness } from '../src/harness.js';
import { loadSettings } from '../src/config.js';
import { contracts } from '../src/contracts.js';
import { paginationCases } from '../src/families/pagination.js';
import { runCases } from '../src/runner.js';
import { runFamily, targetOf } from './meta.js';

const BASE = 'http://127.0.0.1:8000';
const PATH = '/api/environments/1/things/';

const c = {
  id: 'unit.things.list',
  pagination: {
    style: 'limit-offset', defaultLimit: 100, key: 'id', ref: 'x', quote: 'x',
    item: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] } } },
    order: [{ field: 'pinned', direction: 'desc' }, { field: 'name', direction: 'asc' }],
  },
} as unknown as Contract;

const item = (id: number, extra: Record<string, unknown> = {}) => ({ id, name: `item ${id}`, ...extra });
const url = (q: string) => `${BASE}${PATH}${q ? `?${q}` : ''}`;
const page = (q: string, body: unknown, status = 200, label = `GET ?${q}`): p.Page => ({ label, url: url(q), status, body });
const env = (count: number, results: unknown[], next: string | null = null, previous: string | null = null) => ({ count, next, previous, results });

/** A correct DRF list of `n` items read at `limit`: the walk and the snapshots around it. */
function drfWalk(n: number, limit: number, keep = 'format=json'): p.Walk {
  const all = Array.from({ length: n }, (_, i) => item(i + 1));
  const pages: p.Page[] = [];
  for (let offset = 0; offset < n; offset += limit) {
    const q = `${keep}&limit=${limit}${offset ? `&offset=${offset}` : ''}`;
    const next = offset + limit < n ? url(`${keep}&limit=${limit}&offset=${offset + limit}`) : null;
    const prev = offset === 0 ? null : offset - limit <= 0 ? url(`${keep}&limit=${limit}`) : url(`${keep}&limit=${limit}&offset=${offset - limit}`);
    pages.push(page(q, env(n, all.slice(offset, offset + limit), next, prev), 200, `walk page ${pages.length + 1}`));
  }
  const snap = page(`${keep}&limit=${n + 20}`, env(n, all), 200, 'snapshot');
  return { limit, before: snap, pages, after: snap, stopped: 'next is null', attempts: 1 };
}

describe('pagination.envelope', () => {
  it('a DRF page passes, with extra envelope fields too', () => {
    expect(p.checkEnvelope({ c, pages: [page('', { ...env(2, [item(1), item(2)]), extra: true, total_pages: 1 })] })).toEqual([]);
  });
  it('a missing previous, a string count and a bad item fail', () => {
    const f = p.checkEnvelope({ c, pages: [page('', { count: '2', next: null, results: [item(1), { id: 'x' }] })] });
    expect(f.map((x) => x.message).join('\n')).toMatch(/wrong type or are missing/);
    expect(f[0].actual).toMatch(/count: "2"; previous: missing/);
    expect(f.some((x) => /results\[1\]/.test(x.message))).toBe(true);
  });
  it('a bare array and a non-200 fail', () => {
    expect(p.checkEnvelope({ c, pages: [page('', [item(1)])] })[0].actual).toBe('a bare JSON array');
    expect(p.checkEnvelope({ c, pages: [page('', {}, 500)] })[0].actual).toBe(500);
  });
});

describe('pagination.page-size', () => {
  it('min(limit, count - offset) passes, and a page without limit is not judged here', () => {
    expect(p.checkPageSize({ pages: [page('limit=2&offset=4', env(5, [item(5)])), page('', env(5, [item(1)]))] })).toEqual([]);
  });
  it('DRF parsing: the last limit wins, "+3" is 3, a bad offset is 0', () => {
    expect(p.checkPageSize({ pages: [page('limit=9&limit=%2B3&offset=abc', env(10, [item(1), item(2), item(3)]))] })).toEqual([]);
  });
  it('more than the limit, or a short page before the end, fails', () => {
    expect(p.checkPageSize({ pages: [page('limit=2', env(10, [item(1), item(2), item(3)]))] })[0].expected).toBe('<= 2');
    expect(p.checkPageSize({ pages: [page('limit=30', env(10, [item(1), item(2), item(3), item(4), item(5)]))] })[0]).toMatchObject({ expected: 10, actual: 5 });
  });
});

describe('the walk', () => {
  const w = drfWalk(7, 2);
  it('a DRF walk passes every walk rule', () => {
    for (const check of [p.checkNoOverlap, p.checkNoGap, p.checkWalkOrder, p.checkCountTotal]) expect(check({ c, walk: w })).toEqual([]);
  });
  it('an item on two pages is an overlap', () => {
    const bad = drfWalk(7, 2);
    (bad.pages[1].body as any).results = [item(2), item(3)];
    expect(p.checkNoOverlap({ c, walk: bad })[0].actual).toMatch(/id=2 on pages 1, 2/);
    expect(p.checkNoGap({ c, walk: bad })[0].actual).toMatch(/missing id: 4/);
    expect(p.checkWalkOrder({ c, walk: bad })).toEqual([]); // overlap and gap have their own rules
  });
  it('a walk that stops early has a gap', () => {
    const short = { ...drfWalk(7, 2), stopped: 'next is null' };
    short.pages = short.pages.slice(0, 2);
    expect(p.checkNoGap({ c, walk: short })[0].actual).toBe('missing id: 5, 6, 7');
  });
  it('pages in another order than the one-page list fail walk-order', () => {
    const bad = drfWalk(6, 2);
    for (const pg of bad.pages) (pg.body as any).results.reverse();
    expect(p.checkWalkOrder({ c, walk: bad })[0]).toMatchObject({ expected: '1, 2, 3, 4, 5', actual: '2, 1, 4, 3, 6' });
  });
  it('items the documented order ties may swap between the walk and the one-page list', () => {
    const ties = drfWalk(6, 2);
    for (const pg of [ties.before, ...ties.pages]) for (const r of (pg.body as any).results) Object.assign(r, { pinned: false, name: 'New Dashboard' });
    for (const pg of ties.pages) (pg.body as any).results.reverse();
    expect(p.checkWalkOrder({ c, walk: ties })).toEqual([]);
  });
  it('count that changes between pages, or is not the total, fails', () => {
    const bad = drfWalk(7, 2);
    (bad.pages[1].body as any).count = 2;
    expect(p.checkCountTotal({ c, walk: bad })[0].message).toMatch(/differs between pages/);
    const lie = drfWalk(7, 2);
    for (const pg of [lie.before, ...lie.pages]) (pg.body as any).count = 8;
    expect(p.checkCountTotal({ c, walk: lie })[0]).toMatchObject({ expected: 7, actual: 8 });
  });
  it('sameList: same count and set of keys, whatever the order', () => {
    const a = page('limit=30', env(3, [item(1), item(2), item(3)]));
    expect(p.sameList(a, page('limit=30', env(3, [item(3), item(1), item(2)])), 'id')).toBe(true);
    expect(p.sameList(a, page('limit=30', env(4, [item(1), item(2), item(3)])), 'id')).toBe(false);
    expect(p.sameList(a, page('limit=30', env(3, [item(1), item(2), item(4)])), 'id')).toBe(false);
  });
});

describe('next, previous', () => {
  const w = drfWalk(5, 2);
  it('DRF links pass', () => {
    expect(p.checkNextNullAtEnd({ pages: w.pages })).toEqual([]);
    expect(p.checkPreviousNullAtStart({ pages: w.pages })).toEqual([]);
    expect(p.checkPreviousReturnsPage({ c, walk: w, previous: { ...w.pages[0], label: 'previous' } })).toEqual([]);
  });
  it('next on the last page, or null before it, fails', () => {
    const last = page('limit=2&offset=4', env(5, [item(5)], url('limit=2&offset=6'), url('limit=2&offset=2')));
    expect(p.checkNextNullAtEnd({ pages: [last] })[0].expected).toBeNull();
    const early = page('limit=2', env(5, [item(1), item(2)], null, null));
    expect(p.checkNextNullAtEnd({ pages: [early] })[0].message).toMatch(/null before the end/);
  });
  it('previous on the first page fails', () => {
    expect(p.checkPreviousNullAtStart({ pages: [page('limit=2', env(5, [item(1), item(2)], url('limit=2&offset=2'), url('limit=2')))] })).toHaveLength(1);
  });
  it('previous of page 2 that leads elsewhere fails', () => {
    expect(p.checkPreviousReturnsPage({ c, walk: w, previous: w.pages[1] })[0].message).toMatch(/does not return page 1/);
    const noPrev = drfWalk(5, 2);
    (noPrev.pages[1].body as any).previous = null;
    expect(p.checkPreviousReturnsPage({ c, walk: noPrev })[0].message).toMatch(/no previous link/);
  });
});

describe('links', () => {
  const linkPage = (q: string, next: string) => page(q, env(9, [item(1), item(2)], next, null));
  it('sorted, reordered and re-encoded query parameters pass', () => {
    const pg = linkPage('limit=2&tags=b%20c&format=json&tags=a', `${BASE}${PATH}?format=json&limit=2&offset=2&tags=a&tags=b+c`);
    expect(p.checkLinksKeepQuery({ pages: [pg], keep: { format: 'json' }, baseUrl: BASE })).toEqual([]);
    expect(p.checkLinksAbsolute({ pages: [pg] })).toEqual([]);
  });
  it('a dropped, added or changed parameter fails keep-query', () => {
    const run = (next: string) => p.checkLinksKeepQuery({ pages: [linkPage('format=json&limit=2&tags=a', next)], keep: { format: 'json' }, baseUrl: BASE });
    expect(run(`${BASE}${PATH}?limit=2&offset=2&tags=a`)[0].actual).toMatch(/format dropped/);
    expect(run(`${BASE}${PATH}?format=json&limit=2&offset=2&tags=a&x=1`)[0].actual).toMatch(/x added/);
    expect(run(`${BASE}${PATH}?format=txt&limit=2&offset=2&tags=a`)[0].actual).toMatch(/format=json became format=txt/);
    expect(run(`${BASE}/api/environments/1/other/?format=json&limit=2&offset=2&tags=a`)[0].message).toMatch(/another path/);
  });
  it('the contract\'s keepQuery must survive even when the request lacks it', () => {
    expect(p.checkLinksKeepQuery({ pages: [linkPage('limit=2', `${BASE}${PATH}?limit=2&offset=2`)], keep: { format: 'json' }, baseUrl: BASE })[0].actual).toMatch(/format dropped/);
  });
  it('a link under a base URL path prefix keeps its path', () => {
    const base = 'https://proxy.example/posthog';
    const pg: p.Page = { label: 'x', url: `${base}${PATH}?limit=2`, status: 200, body: env(9, [], `https://proxy.example${PATH}?limit=2&offset=2`, null) };
    expect(p.checkLinksKeepQuery({ pages: [pg], keep: {}, baseUrl: base })).toEqual([]);
    expect(followSpec(`https://proxy.example/posthog${PATH}?limit=2&offset=2`, base)).toEqual({ path: PATH, query: [['limit', '2'], ['offset', '2']] });
    expect(followSpec(`http://internal:8000${PATH}?b=1&limit=2`, BASE)).toEqual({ path: PATH, query: [['b', '1'], ['limit', '2']] });
  });
  it('a relative link is not absolute', () => {
    expect(p.checkLinksAbsolute({ pages: [linkPage('limit=2', `${PATH}?limit=2&offset=2`)] })[0].actual).toBe(`${PATH}?limit=2&offset=2`);
  });
  it('same origin: an https link behind a TLS proxy passes, another host or port fails', () => {
    expect(p.sameOrigin('https://127.0.0.1:8000/x', BASE)).toBe(true);
    expect(p.sameOrigin('http://us.posthog.com/x', 'https://us.posthog.com')).toBe(true);
    expect(p.sameOrigin('https://US.PostHog.com:443/x', 'https://us.posthog.com')).toBe(true);
    expect(p.sameOrigin('http://internal:8000/x', BASE)).toBe(false);
    expect(p.sameOrigin('http://127.0.0.1:9000/x', BASE)).toBe(false);
    expect(p.checkLinksSameOrigin({ pages: [linkPage('limit=2', `http://internal:8000${PATH}?limit=2&offset=2`)], baseUrl: BASE })).toHaveLength(1);
  });
});

describe('single requests', () => {
  it('past the end: empty and the same count passes; items or another count fail', () => {
    expect(p.checkOffsetPastEnd({ page: page('limit=2&offset=20', env(10, [], null, url('limit=2&offset=18'))), count: 10 })).toEqual([]);
    expect(p.checkOffsetPastEnd({ page: page('limit=2&offset=20', env(10, [item(9), item(10)])), count: 10 })[0].message).toMatch(/returns items/);
    expect(p.checkOffsetPastEnd({ page: page('limit=2&offset=20', env(0, [])), count: 10 })[0]).toMatchObject({ expected: 10, actual: 0 });
  });
  it('default limit: one page for <= 100 items, 100 items for more', () => {
    const all = (n: number) => Array.from({ length: n }, (_, i) => item(i + 1));
    expect(p.checkDefaultLimit({ page: page('', env(7, all(7))), defaultLimit: 100 })).toEqual([]);
    expect(p.checkDefaultLimit({ page: page('', env(250, all(100), url('limit=100&offset=100'))), defaultLimit: 100 })).toEqual([]);
    expect(p.checkDefaultLimit({ page: page('', env(7, all(5), url('limit=5&offset=5'))), defaultLimit: 100 })).toHaveLength(2);
    expect(p.checkDefaultLimit({ page: page('', env(250, all(50), url('limit=50&offset=50'))), defaultLimit: 100 })[0]).toMatchObject({ expected: 100, actual: 50 });
  });
  it('bad parameters: the fallback page passes; 400 fails the fallback rule; 5xx fails only the no-5xx rule', () => {
    const ref = page('', env(3, [item(1), item(2), item(3)]));
    const input = (pg: p.Page, param: 'limit' | 'offset' = 'limit') => ({ c, param, value: 'abc', page: pg, reference: ref, limit: param === 'limit' ? 100 : 2 });
    expect(p.checkInvalidFallback(input(page('limit=abc', env(3, [item(1), item(2), item(3)]))))).toEqual([]);
    expect(p.checkInvalidFallback(input(page('limit=2&offset=abc', env(3, [item(1), item(2)])), 'offset'))).toEqual([]);
    expect(p.checkInvalidFallback(input(page('limit=2&offset=abc', env(3, [item(2), item(3)])), 'offset'))[0].message).toMatch(/does not give the page/);
    expect(p.checkInvalidFallback(input(page('limit=abc', {}, 400)))[0]).toMatchObject({ expected: 200, actual: 400 });
    expect(p.checkNo5xx(input(page('limit=abc', {}, 400)))).toEqual([]);
    expect(p.checkInvalidFallback(input(page('limit=abc', {}, 500)))).toEqual([]);
    expect(p.checkNo5xx(input(page('limit=abc', {}, 500)))[0].actual).toBe(500);
  });
  it('the items are not compared when the count moved (other writers)', () => {
    const ref = page('', env(3, [item(1), item(2), item(3)]));
    expect(p.checkInvalidFallback({ c, param: 'limit', value: '0', page: page('limit=0', env(4, [item(9), item(1), item(2), item(3)])), reference: ref, limit: 100 })).toEqual([]);
  });
});

describe('pagination.order', () => {
  const ordered = (...rows: [boolean, string | null][]) => page('limit=30', env(rows.length, rows.map(([pinned, name], i) => item(i + 1, { pinned, name }))));
  it('pinned first, then names, compared loosely: case, punctuation and ties pass', () => {
    expect(p.checkOrder({ c, page: ordered([true, 'Zeta'], [false, 'apple'], [false, 'Banana'], [false, 'banana'], [false, 'posthog-contract run'], [false, 'Product overview'], [false, 'Zulu']) })).toEqual([]);
    expect(p.checkOrder({ c, page: ordered([false, 'Product overview'], [false, 'posthog-contract run']) })).toEqual([]); // C and ICU collations disagree
    expect(p.checkOrder({ c, page: ordered([false, 'b'], [false, null], [false, 'a']) })).toEqual([]); // nulls: never judged
  });
  it('a clear inversion fails', () => {
    expect(p.checkOrder({ c, page: ordered([false, 'apple'], [true, 'zeta']) })).toHaveLength(1);
    expect(p.checkOrder({ c, page: ordered([false, 'Web vitals'], [false, 'Billing health']) })).toHaveLength(1);
  });
  it('date-times compare as instants, ties pass', () => {
    const conv = { ...c, pagination: { ...c.pagination, order: [{ field: 'updated_at', direction: 'desc' }] } } as unknown as Contract;
    const at = (...ts: string[]) => page('', env(ts.length, ts.map((t, i) => item(i + 1, { updated_at: t }))));
    expect(p.checkOrder({ c: conv, page: at('2026-03-07T12:00:00Z', '2026-03-07T13:00:00+02:00', '2026-03-07T11:00:00Z', '2026-03-07T11:00:00.000Z') })).toEqual([]);
    expect(p.checkOrder({ c: conv, page: at('2026-03-01T12:00:00Z', '2026-03-02T12:00:00Z') })).toHaveLength(1);
  });
  it('looseCompare: only a clear order counts', () => {
    expect(p.looseCompare('apple', 'banana')).toBe(-1);
    expect(p.looseCompare('a', 'B')).toBeUndefined(); // C says B < a, ICU says a < B
    expect(p.looseCompare('B', 'a')).toBeUndefined();
    expect(p.looseCompare('Ab', 'ab')).toBe(0);
    expect(p.looseCompare(true, false)).toBe(1);
  });
});

describe('pagination.bare-array', () => {
  it('an array passes; an envelope or an object fails', () => {
    expect(p.checkBareArray({ page: page('', []) })).toEqual([]);
    expect(p.checkBareArray({ page: page('', env(0, [])) })[0].message).toMatch(/wrapped in a pagination envelope/);
    expect(p.checkBareArray({ page: page('', { a: 1 }) })[0].message).toMatch(/not a JSON array/);
  });
});

describe('the family', () => {
  it('walks about five pages of at least 2 items, and 3-4 items at limit 1', () => {
    expect([3, 4, 5, 7, 10, 11, 100, 1000].map(walkLimit)).toEqual([1, 1, 2, 2, 2, 3, 20, 200]);
  });

  /** A reference where another writer adds a dashboard while a walk reads pages 2 and later (at most `writes` times). */
  const busy = (writes: number) => () => new (class extends ReferenceTarget {
    private written = 0;
    override dashboardsList(ctx: HandlerContext) {
      const offset = Number(ctx.req.query.get('offset'));
      if (offset > 0 && offset < 20 && this.written < writes) {
        this.written++;
        const id = this.state.nextDashboardId++;
        this.state.dashboards.set(id, { ...this.state.dashboards.get(2)!, id, name: `Another writer ${id}` });
      }
      return super.dashboardsList(ctx);
    }
  })();

  it('a list that keeps changing is skipped as changed by other writers, never failed', async () => {
    const results = (await runFamily(busy(1000), 'pagination')).filter((r) => r.endpoint === 'dashboards.list');
    const walkCases = results.filter((r) => /walk-|count-total|previous-returns-page/.test(r.variant));
    expect(walkCases.map((r) => r.variant).sort()).toEqual(['count-total', 'previous-returns-page', 'walk-no-gap', 'walk-no-overlap', 'walk-order']);
    for (const r of walkCases) expect(r.verdict, r.id).toBe('skipped');
    expect(walkCases[0].skipReason).toMatch(/^the list changed during the walk \(other writers\)/);
    expect(results.filter((r) => r.verdict === 'fail').map((r) => r.id)).toEqual([]);
  });

  it('a list that changes once is walked again, and passes', async () => {
    const results = (await runFamily(busy(1), 'pagination')).filter((r) => r.endpoint === 'dashboards.list');
    expect(results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    const noGap = results.find((r) => r.variant === 'walk-no-gap')!;
    expect(noGap.exchanges.some((e) => /attempt 2/.test(e.label))).toBe(true);
  });

  /** A reference whose project holds only 2 listable dashboards and 2 listable conversations of user 1. */
  const short = () => new (class extends ReferenceTarget {
    override seed() {
      const st = super.seed();
      for (const id of [...st.dashboards.keys()]) if (id > 2 && st.dashboards.get(id)!.team_id === 1) st.dashboards.delete(id);
      const own = [...st.conversations.values()].filter((x) => x.user_id === 1 && x.title !== null && x.type !== 'tool_call' && !x.is_internal);
      for (const x of own.slice(2)) st.conversations.delete(x.id);
      return st;
    }
  })();
  const runShort = async (env: Record<string, string>) => {
    const server = await serve(short(), 0);
    try {
      const h = await Harness.create({ settings: loadSettings({ CONTRACT_SEED: '1', CONTRACT_RUN_ID: 'pc-unit', ...env }), target: targetOf(server.info) });
      const results = await runCases(contracts().flatMap((x) => paginationCases(x)), h);
      await h.close();
      return { results, created: h.created };
    } finally {
      await server.close();
    }
  };

  it('a short list of cheap items is topped up to 5 (and noted for cleanup); a short conversation list is skipped, never topped up', async () => {
    const { results, created } = await runShort({});
    expect(created.map((x) => x.kind)).toEqual(['dashboard', 'dashboard', 'dashboard']);
    expect(results.filter((r) => r.endpoint === 'dashboards.list' && r.verdict !== 'pass').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    const conv = results.filter((r) => r.endpoint === 'conversations.list' && r.verdict === 'skipped');
    expect(conv.map((r) => r.variant).sort()).toEqual(['count-total', 'previous-returns-page', 'walk-no-gap', 'walk-no-overlap', 'walk-order']);
    expect(conv[0].skipReason).toMatch(/the list has 2 item\(s\).*does not create conversation items/);
    expect(results.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict').map((r) => r.id)).toEqual([]);
  });

  it('a read-only run creates nothing and skips the walk with the reason', async () => {
    const { results, created } = await runShort({ CONTRACT_READ_ONLY: '1' });
    expect(created).toEqual([]);
    const skipped = results.filter((r) => r.endpoint === 'dashboards.list' && r.verdict === 'skipped');
    expect(skipped.length).toBe(5);
    expect(skipped[0].skipReason).toMatch(/read-only run/);
  });
});
