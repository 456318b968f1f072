/** Reports: results.json follows its schema, the HTML page is self-contained and renders in headless Chromium. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ajv } from '../src/contracts.js';
import { writeReports } from '../src/report/reporter.js';
import { renderHtml } from '../src/report/html.js';
import { renderSummary } from '../src/report/summary.js';
import { RESULTS_FORMAT, totalsOf, type Results } from '../src/report/results.js';
import { runSuite } from './meta.js';
import { ReferenceTarget } from '../targets/reference/server.js';
// @ts-expect-error plain JS script
import { chromiumPath, screenshot } from '../scripts/screenshot.mjs';

class NoScopeChecks extends ReferenceTarget {
  checkScope() {}
}

async function resultsOf(make: () => ReferenceTarget): Promise<Results> {
  const cases = await runSuite(make, ['status', 'scopes']);
  const totals = totalsOf(cases);
  return {
    format: RESULTS_FORMAT, runId: 'pc-report-test', seed: '1', target: { baseUrl: 'http://127.0.0.1', embedded: true, projectId: '1' },
    strict: false, readOnly: false, startedAt: new Date(0).toISOString(), durationMs: 1, totals, failed: totals.fail > 0, rateLimited: 0, cases, created: [], errors: [],
  };
}

describe('reports', () => {
  it('results.json validates against schemas/results.schema.json', async () => {
    const r = await resultsOf(() => new NoScopeChecks());
    const dir = mkdtempSync(join(tmpdir(), 'pc-report-'));
    writeReports(r, dir, (s) => s);
    const validate = ajv.compile(JSON.parse(readFileSync('schemas/results.schema.json', 'utf8')));
    const data = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(validate(data), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(data.totals.fail).toBeGreaterThan(0);
  });

  it('summary.md names the failing rules and links their cases', async () => {
    const md = renderSummary(await resultsOf(() => new NoScopeChecks()));
    expect(md).toContain('contract broken');
    expect(md).toContain('`scope.missing-scope-403`');
    expect(md).toMatch(/\[`[a-z_.]+\/scopes\/[^`]+`\]\(report\.html#/);
  });

  it('report.html is one self-contained page with the matrix, the scope grid and the failures', async () => {
    const html = renderHtml(await resultsOf(() => new NoScopeChecks()));
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
    expect(html).toContain('Endpoint × family');
    expect(html).toContain('Scope grid (endpoint × key)');
    expect(html).toContain('scope.missing-scope-403');
    expect(html).toContain('curl ');
  });

  it.skipIf(!chromiumPath())('report.html renders in headless Chromium (screenshot)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-shot-'));
    writeReports(await resultsOf(() => new NoScopeChecks()), dir, (s) => s);
    const png = join(dir, 'report.png');
    const size = screenshot(join(dir, 'report.html'), png, { width: 1200, height: 1600 });
    expect(existsSync(png)).toBe(true);
    expect(size).toBeGreaterThan(20_000); // a blank page is a few KB
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(png).size).toBe(size);
  });
});
