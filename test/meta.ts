/**
 * Run the contract suite in-process (no vitest in between) against a target
 * built by a factory: one fresh server per family, as the suite files each get
 * their own embedded reference.
 */
import { serve, type ReferenceTarget } from '../targets/reference/server.js';
import { Harness } from '../src/harness.js';
import { loadSettings, targetFromInfo } from '../src/config.js';
import { planCases, families } from '../src/families/index.js';
import { runCases, type CaseResult } from '../src/runner.js';
import type { Family } from '../src/rules.js';

export const metaSettings = loadSettings({ CONTRACT_SEED: '20261204', CONTRACT_RUN_ID: 'pc-meta' });

export const targetOf = targetFromInfo;

export async function runFamily(make: () => ReferenceTarget, family: Family): Promise<CaseResult[]> {
  const server = await serve(make(), 0);
  try {
    const h = await Harness.create({ settings: metaSettings, target: targetOf(server.info) });
    const cases = planCases(h.contracts, h.target, [family]);
    const results = await runCases(cases, h, 32);
    await h.close();
    return results;
  } finally {
    await server.close();
  }
}

export async function runSuite(make: () => ReferenceTarget, only?: Family[]): Promise<CaseResult[]> {
  const fams = (Object.keys(families) as Family[]).filter((f) => !only || only.includes(f));
  return (await Promise.all(fams.map((f) => runFamily(make, f)))).flat();
}

/** The rules a run trips: failures and non-strict findings. */
export function tripped(results: CaseResult[]): string[] {
  return [...new Set(results.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict').map((r) => r.rule))].sort();
}
