/**
 * Cases and their verdicts, independent of vitest: a case observes the target
 * (one or more exchanges, possibly shared with other cases) and hands the
 * observation to exactly one rule. The vitest suites register these cases; the
 * meta-suite runs them directly against every mutant.
 */
import type { Family, Finding, Rule, Strength } from './rules.js';
import { Harness, SkipCase, type CaseContext } from './harness.js';
import { curlOf, type Exchange } from './http.js';
import { RATE_LIMITED } from './skip-reasons.js';

export type Verdict = 'pass' | 'fail' | 'non-strict' | 'informational' | 'skipped';

export interface CaseDef<I = any> {
  id: string;                 // <endpoint>/<family>/<variant>
  endpoint: string;
  family: Family;
  variant: string;
  title: string;              // states the fact checked
  rule: Rule<I>;
  key?: string;               // the key label (scope grid column), for scope cases
  writes: boolean;            // sends an unsafe method
  observe: (ctx: CaseContext) => Promise<I>;
}

export interface RecordedExchange {
  label: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: string; auth: string };
  response?: { status: number; headers: Record<string, string>; body: string; ms: number };
  error?: string;
  stream?: unknown;
  curl: string;
}

export interface CaseResult {
  id: string; endpoint: string; family: Family; variant: string; title: string;
  rule: string; strength: Strength; ref: string; quote: string;
  verdict: Verdict; message: string; skipReason?: string; key?: string;
  findings: Finding[]; exchanges: RecordedExchange[]; durationMs: number;
}

const BODY_LIMIT = 4000;
const truncate = (s: string, n = BODY_LIMIT) => (s.length > n ? `${s.slice(0, n)}… (${s.length - n} more characters)` : s);

export function recordExchange(ex: Exchange, redact: (s: string) => string): RecordedExchange {
  const r = (s: string) => redact(s);
  const headers = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, r(v)]));
  return {
    label: ex.label,
    request: { ...ex.request, url: r(ex.request.url), headers: headers(ex.request.headers), body: ex.request.body === undefined ? undefined : r(truncate(ex.request.body, 1000)) },
    response: ex.response && { status: ex.response.status, headers: headers(ex.response.headers), body: r(truncate(ex.response.text)), ms: ex.response.ms },
    error: ex.error && r(ex.error),
    stream: ex.stream && JSON.parse(r(JSON.stringify({ ...ex.stream, events: ex.stream.events.slice(0, 50).map((e) => ({ event: e.event, at: e.at, data: truncate(e.data, 500), ...(e.jsonError ? { jsonError: e.jsonError } : {}) })), eventCount: ex.stream.events.length }))),
    curl: r(curlOf(ex)),
  };
}

/** A case whose requests stayed rate-limited could not be checked: skipped with this reason, and the run is incomplete (exit 2). */
export { RATE_LIMITED };

const VERDICT: Record<Strength, Verdict> = { MUST: 'fail', SHOULD: 'non-strict', INFO: 'informational' };

function show(v: unknown): string {
  if (v === undefined) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The self-contained failure text: rule, clause and quote, expected vs actual, reproduction. */
export function describeResult(r: Omit<CaseResult, 'message'>, seed: string, runId: string): string {
  if (r.verdict === 'pass') return `${r.title}`;
  if (r.verdict === 'skipped') return `skipped: ${r.skipReason}`;
  const lines = [`${r.rule} [${r.strength}] ${r.title}`, `  Requirement: ${r.ref}: "${r.quote}"`];
  for (const f of r.findings) {
    lines.push(`  ${f.message}`);
    if (f.expected !== undefined || f.actual !== undefined) lines.push(`    Expected: ${show(f.expected)}`, `    Actual:   ${show(f.actual)}`);
  }
  if (r.exchanges.some((e) => e.error?.includes('timeout'))) lines.push('  Note: the target did not answer in time (stalled); see --timeout');
  const last = r.exchanges[r.exchanges.length - 1];
  if (last) lines.push(`  Reproduce: ${last.curl}`);
  lines.push(`  Case: ${r.id}  Seed: ${seed}  Run: ${runId}`);
  return lines.join('\n');
}

export async function runCase(def: CaseDef, h: Harness): Promise<CaseResult> {
  const started = performance.now();
  const ctx = h.context(def.id);
  // a rule the contract marks unsettled for this endpoint is one grade weaker there (MUST -> SHOULD -> INFO)
  const unsettled = h.contracts.find((c) => c.id === def.endpoint)?.unsettled?.find((u) => u.rule === def.rule.id);
  const strength: Strength = !unsettled ? def.rule.strength : def.rule.strength === 'MUST' ? 'SHOULD' : 'INFO';
  let findings: Finding[] = [];
  let verdict: Verdict;
  let skipReason: string | undefined;
  try {
    const input = await def.observe(ctx);
    if (ctx.exchanges.some((e) => e.response?.status === 429)) throw new SkipCase(RATE_LIMITED);
    findings = def.rule.check(input);
    verdict = findings.length === 0 ? 'pass' : VERDICT[strength];
  } catch (e) {
    if (e instanceof SkipCase) {
      verdict = 'skipped';
      skipReason = e.reason;
    } else {
      verdict = 'fail';
      findings = [{ message: `could not observe the target: ${(e as Error).stack ?? e}` }];
    }
  }
  const partial = {
    id: def.id, endpoint: def.endpoint, family: def.family, variant: def.variant, title: def.title,
    rule: def.rule.id, strength, ref: unsettled?.ref ?? def.rule.ref, quote: unsettled ? `${def.rule.quote} (unsettled here: ${unsettled.quote})` : def.rule.quote,
    verdict, skipReason: skipReason && h.redact(skipReason), key: def.key,
    findings: findings.map((f) => JSON.parse(h.redact(JSON.stringify(f)))) as Finding[],
    exchanges: ctx.exchanges.map((ex) => recordExchange(ex, h.redact)),
    durationMs: Math.round(performance.now() - started),
  };
  return { ...partial, message: h.redact(describeResult(partial, h.settings.seed, h.settings.runId)) };
}

/** Glob over case ids: `*` matches within one segment, `**` across segments. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') { re += '.*'; i++; }
    else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function selector(only: string[], exclude: string[]): (id: string) => boolean {
  const inc = only.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  return (id) => (inc.length === 0 || inc.some((r) => r.test(id))) && !exc.some((r) => r.test(id));
}

/** Run cases with bounded concurrency (the meta-suite and the bench use this directly). */
export async function runCases(defs: CaseDef[], h: Harness, concurrency = 16): Promise<CaseResult[]> {
  const out: CaseResult[] = new Array(defs.length);
  let next = 0;
  const worker = async () => {
    while (next < defs.length) {
      const i = next++;
      out[i] = await runCase(defs[i], h);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, defs.length) }, worker));
  return out;
}
