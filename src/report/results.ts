/** The run's results as data: what reports/results.json holds (documented by schemas/results.schema.json). */
import type { CaseResult, Verdict } from '../runner.js';
import type { Created } from '../harness.js';

export const RESULTS_FORMAT = 'posthog-contract/results@1';

export interface Totals { cases: number; pass: number; fail: number; 'non-strict': number; informational: number; skipped: number }

export interface Results {
  format: typeof RESULTS_FORMAT;
  runId: string;
  seed: string;
  target: { baseUrl: string; embedded: boolean; projectId?: string };
  strict: boolean;
  readOnly: boolean;
  readOnlyReason?: string;
  startedAt: string;
  durationMs: number;
  totals: Totals;
  /** true when the run fails: a MUST failed (or, with --strict, a SHOULD) or the harness itself failed */
  failed: boolean;
  /** cases skipped because the target kept answering 429: the run is incomplete (exit 2 unless it failed) */
  rateLimited: number;
  cases: CaseResult[];
  created: Created[];
  errors: string[];
}

export function totalsOf(cases: { verdict: Verdict }[]): Totals {
  const t: Totals = { cases: cases.length, pass: 0, fail: 0, 'non-strict': 0, informational: 0, skipped: 0 };
  for (const c of cases) t[c.verdict]++;
  return t;
}

export function runFailed(t: Totals, strict: boolean, errors: string[]): boolean {
  return t.fail > 0 || (strict && t['non-strict'] > 0) || errors.length > 0;
}

/** Stable JSON: keys sorted, so two runs diff cleanly. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b))) : val), 2);
}
