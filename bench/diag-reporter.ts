/**
 * Bench only: a vitest reporter the bench adds to each contract run (next to
 * the default one) to see inside the run: when vitest was initialised, and per
 * test file the time spent preparing the worker, importing/collecting the file
 * (module transform + import + planning the cases), running its tests, and
 * tearing down. Writes <CONTRACT_REPORT_DIR>/diag.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class DiagReporter implements Reporter {
  private initAt = 0;
  private runStartAt = 0;
  private firstModuleStartAt = 0;

  onInit(): void {
    this.initAt = Date.now();
  }

  onTestRunStart(): void {
    this.runStartAt = Date.now();
  }

  onTestModuleStart(): void {
    this.firstModuleStartAt ||= Date.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const dir = process.env.CONTRACT_REPORT_DIR ?? 'reports';
    const r = (n: number | undefined) => Math.round(n ?? 0);
    writeFileSync(join(dir, 'diag.json'), `${JSON.stringify({
      processStart: Math.round(performance.timeOrigin),
      initAt: this.initAt, runStartAt: this.runStartAt, firstModuleStartAt: this.firstModuleStartAt, runEndAt: Date.now(),
      modules: modules.map((m) => {
        const d = m.diagnostic();
        return {
          module: m.moduleId.replace(/^.*\/suites\//, 'suites/'),
          tests: [...m.children.allTests()].length,
          prepareMs: r(d.prepareDuration), collectMs: r(d.collectDuration), setupMs: r(d.setupDuration),
          environmentMs: r(d.environmentSetupDuration), testsMs: r(d.duration),
        };
      }),
    }, null, 2)}\n`);
  }
}
