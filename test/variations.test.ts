/**
 * Valid variations the contract leaves open must never be failures: targets
 * that differ from the reference only in ways PostHog (or a faithful
 * implementation) may differ. Each runs every family and must trip no rule.
 * (Stream framing variations: test/sse-variations.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ReferenceTarget, isStreamReply, type Reply, type RouteMatch } from '../targets/reference/server.js';
import { runSuite, tripped } from './meta.js';

/** Adds a field to every JSON object it finds (PostHog adds response fields over time: §7). */
function withExtras(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withExtras);
  if (v && typeof v === 'object') return { ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withExtras(x)])), x_added_in_a_later_version: { nested: true } };
  return v;
}

const variations: { name: string; make: () => ReferenceTarget }[] = [
  {
    name: 'extra fields in every response object',
    make: () => new (class extends ReferenceTarget {
      finalize(reply: Reply, match: RouteMatch, renderer: any): Reply {
        const r = super.finalize(reply, match, renderer);
        return isStreamReply(r) || typeof r.body === 'string' || r.body === undefined ? r : { ...r, body: withExtras(r.body) };
      }
    })(),
  },
  {
    name: 'pagination links with the query in another order',
    make: () => new (class extends ReferenceTarget {
      paginate(req: any, items: unknown[]) {
        const p = super.paginate(req, items);
        const reorder = (u: string | null) => {
          if (!u) return u;
          const url = new URL(u);
          const pairs = [...url.searchParams].reverse();
          url.search = new URLSearchParams(pairs).toString();
          return url.toString();
        };
        return { ...p, next: reorder(p.next), previous: reorder(p.previous) };
      }
    })(),
  },
  {
    name: 'an assistant that answers at once (streams over before the suite can act)',
    make: () => new ReferenceTarget({ frameDelayMs: 0, charsPerFrame: 1_000_000 }),
  },
  {
    name: 'JSON with an explicit charset',
    make: () => new (class extends ReferenceTarget {
      finalize(reply: Reply, match: RouteMatch, renderer: any): Reply {
        const r = super.finalize(reply, match, renderer);
        if (isStreamReply(r) || r.body === undefined || typeof r.body === 'string') return r;
        return { ...r, headers: { ...r.headers, 'Content-Type': 'application/json; charset=utf-8' } };
      }
    })(),
  },
];

describe('valid variations trip no rule', () => {
  it.concurrent.for(variations)('$name', async (v, { expect }) => {
    const results = await runSuite(v.make);
    expect(results.length).toBeGreaterThan(0);
    expect(tripped(results), results.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict').map((r) => r.message).join('\n\n')).toEqual([]);
  });
});
