/**
 * The vitest reporter that turns the run into reports/: results.json,
 * summary.md, report.html (junit.xml comes from vitest's own junit reporter).
 * It runs in the main process, after every worker; with --merge-reports it runs
 * on the merged shards, so sharded runs get one set of reports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { loadSettings, makeRedactor, secretsOf, remoteTarget, type Settings } from '../config.js';
import type { CaseResult } from '../runner.js';
import { RATE_LIMITED } from '../skip-reasons.js';
import type { Created } from '../harness.js';
import { RESULTS_FORMAT, runFailed, stableJson, totalsOf, type Results } from './results.js';
import { renderConsole, renderSummary } from './summary.js';
import { renderHtml } from './html.js';

export function writeReports(r: Results, dir: string, redact: (s: string) => string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${redact(stableJson(r))}\n`);
  writeFileSync(join(dir, 'summary.md'), redact(renderSummary(r)));
  writeFileSync(join(dir, 'report.html'), redact(renderHtml(r)));
}

/** Strip credentials a user may have put in the URL itself. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export function outputRedactor(s: Settings): (text: string) => string {
  const secrets = s.baseUrl ? secretsOf(remoteTarget(s)) : [];
  return makeRedactor(secrets);
}

export default class ContractReporter implements Reporter {
  private started = Date.now();
  private settings = loadSettings();

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<{ message?: string; stack?: string }>): void {
    const s = this.settings;
    const cases: CaseResult[] = [];
    const created: Created[] = [];
    const errors: string[] = unhandled.map((e) => e.stack ?? e.message ?? String(e));
    for (const m of modules) {
      created.push(...(m.meta().created ?? []));
      for (const err of m.errors()) errors.push(`${m.moduleId}: ${err.message}`);
      for (const t of m.children.allTests()) {
        const meta = t.meta().contract;
        const res = t.result();
        if (meta) { cases.push(meta); continue; }
        if (res.state === 'skipped' || res.state === 'pending') continue; // filtered out, never run
        errors.push(`${t.name}: ${res.state}${res.errors?.length ? `: ${res.errors.map((e) => e.message).join('; ')}` : ''}`);
      }
    }
    cases.sort((a, b) => a.id.localeCompare(b.id));
    const totals = totalsOf(cases);
    const results: Results = {
      format: RESULTS_FORMAT,
      runId: s.runId, seed: s.seed,
      target: { baseUrl: s.baseUrl ? displayUrl(s.baseUrl) : 'embedded reference (127.0.0.1, ephemeral port per suite file)', embedded: !s.baseUrl, projectId: s.projectId ?? (s.baseUrl ? undefined : '1') },
      strict: s.strict, readOnly: s.readOnly, readOnlyReason: s.readOnlyReason,
      startedAt: new Date(this.started).toISOString(), durationMs: Date.now() - this.started,
      totals, failed: runFailed(totals, s.strict, errors),
      rateLimited: cases.filter((c) => c.skipReason === RATE_LIMITED).length,
      cases, created, errors,
    };
    const redact = outputRedactor(s);
    writeReports(results, s.reportDir, redact);
    // timings for the bench (npm run bench): where the wall time goes
    const boot = modules.map((m) => m.meta().bootMs ?? 0);
    writeFileSync(join(s.reportDir, 'timing.json'), `${JSON.stringify({
      processStart: Math.round(performance.timeOrigin), runStart: this.started, runEnd: Date.now(),
      referenceBootMs: { max: Math.max(0, ...boot), sum: boot.reduce((a, b) => a + b, 0) },
      modules: modules.map((m) => ({ module: m.moduleId.replace(/^.*\/suites\//, 'suites/'), durationMs: Math.round(m.diagnostic().duration) })),
      maxRssKb: process.resourceUsage().maxRSS,
    }, null, 2)}\n`);
    if (process.env.CONTRACT_QUIET_TABLE !== '1') process.stdout.write(`${redact(renderConsole(results, s.reportDir))}\n`);
  }
}
