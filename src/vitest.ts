/**
 * The only place that knows vitest: registers planned cases as vitest tests.
 * One harness per test file (a fresh embedded reference per file when no base
 * URL is set); the case result rides on the test's meta for the reporter.
 */
import { test } from 'vitest';
import { loadSettings } from './config.js';
import { Harness } from './harness.js';
import { runCase, selector, type CaseDef, type CaseResult } from './runner.js';

declare module 'vitest' {
  interface TaskMeta {
    contract?: CaseResult;
    created?: import('./harness.js').Created[];
    bootMs?: number;
  }
}

export class ContractFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractFailure';
    this.stack = `${this.name}: ${message}`;
  }
}

export const settings = loadSettings();
const selected = selector(settings.only, settings.exclude);
let harness: Promise<Harness> | undefined;
const getHarness = () => (harness ??= Harness.create({ settings }));

/** The end of a suite file (src/vitest-setup.ts registers this for every file): clean up and close its harness. */
export async function closeFileHarness(suite: { meta: import('vitest').TaskMeta }): Promise<void> {
  if (!harness) return;
  const current = harness;
  harness = undefined; // the next file (same worker, same module) gets a fresh harness
  const h = await current;
  suite.meta.created = await h.cleanup();
  suite.meta.bootMs = Math.round(h.bootMs);
  await h.close();
}

/** Register a family's cases (case id = test name). A file with none selected gets one placeholder skip, which reports ignore. */
export function registerCases(cases: CaseDef[]): void {
  const chosen = cases.filter((def) => selected(def.id));
  if (chosen.length === 0) test.skip('no case of this family is selected');
  for (const def of chosen) {
    test.concurrent(def.id, async ({ task, skip }) => {
      const r = await runCase(def, await getHarness());
      task.meta.contract = r;
      if (r.verdict === 'skipped') skip(r.skipReason);
      if (r.verdict === 'fail' || (settings.strict && r.verdict === 'non-strict')) throw new ContractFailure(r.message);
    });
  }
}
