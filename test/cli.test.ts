/**
 * The CLI end to end, as a user runs it: help, --list, exit codes, a dead
 * target, a remote target (the reference on loopback with planted
 * credentials), a faulty one, read-only safety, and secrets kept out of every
 * output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { PLANTED, plantedEnv, readResults, reportTexts, runCli, serveRecording, withPlantedSecrets, ReferenceTarget } from './cli.helpers.js';

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as any).port; s.close(() => resolve(p)); });
});

const secrets = [PLANTED.key, PLANTED.scoped, PLANTED.second, PLANTED.sessionid, PLANTED.csrftoken];
function expectNoSecrets(texts: { file: string; text: string }[]) {
  const leaks = texts.flatMap(({ file, text }) => secrets.filter((s) => text.includes(s)).map((s) => `${file}: ${s}`));
  expect(leaks).toEqual([]);
}

describe('posthog-contract CLI', () => {
  it('prints help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--base-url');
    expect(r.stdout).toContain('--only');
  });

  it('refuses an unknown flag with exit 2 and one line', async () => {
    const r = await runCli(['--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--frobnicate'/);
  });

  it('lists case ids without sending anything', async () => {
    const t = await serveRecording(new ReferenceTarget());
    try {
      const r = await runCli(['--list', '--only', 'dashboards.*/status/*'], { CONTRACT_BASE_URL: t.url, CONTRACT_PROJECT_ID: '1', CONTRACT_API_KEY: 'phx_whatever_key_0000' });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('dashboards.create/status/success\t');
      expect(r.stdout).not.toContain('conversations.');
      expect(t.methods).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('exits 2 within 10 s with one message when the target is dead', async () => {
    const port = await freePort();
    const r = await runCli([], { CONTRACT_BASE_URL: `http://127.0.0.1:${port}`, CONTRACT_PROJECT_ID: '1', CONTRACT_API_KEY: PLANTED.key });
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/cannot be reached \(ECONNREFUSED\)/);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expectNoSecrets([{ file: 'stderr', text: r.stderr }, { file: 'stdout', text: r.stdout }]);
  });

  it('exits 2 when the target refuses the main key', async () => {
    const t = await serveRecording(new ReferenceTarget());
    try {
      const r = await runCli([], { CONTRACT_BASE_URL: t.url, CONTRACT_PROJECT_ID: '1', CONTRACT_API_KEY: PLANTED.key });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refuses CONTRACT_API_KEY \(401/);
      expect(r.stderr).not.toContain(PLANTED.key);
    } finally {
      await t.close();
    }
  });
});

describe('against a running target given by URL', () => {
  let good: Awaited<ReturnType<typeof serveRecording>>;
  beforeAll(async () => { good = await serveRecording(new (withPlantedSecrets(ReferenceTarget))()); });
  afterAll(async () => { await good.close(); });

  it('the reference conforms: exit 0, every case run, no secret in any output', async () => {
    const r = await runCli([], plantedEnv(good.url));
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const res = readResults(r.reportDir);
    expect(res.failed).toBe(false);
    expect(res.totals.fail).toBe(0);
    expect(res.totals['non-strict']).toBe(0);
    expect(res.totals.cases).toBeGreaterThan(100);
    expect(new Set(res.cases.map((c: any) => c.endpoint)).size).toBe(10);
    expectNoSecrets([{ file: 'stdout', text: r.stdout }, { file: 'stderr', text: r.stderr }, ...reportTexts(r.reportDir)]);
    // what the run created is listed, and its dashboards are removed
    const dashboards = res.created.filter((c: any) => c.kind === 'dashboard');
    expect(dashboards.length).toBeGreaterThan(0);
    expect(dashboards.every((d: any) => d.removed === true && String(d.name).includes(res.runId))).toBe(true);
  });

  it('a remote-looking URL without consent sends no write and says so', async () => {
    const before = good.methods.length;
    const r = await runCli(['--only', 'dashboards.*/**'], plantedEnv(good.url.replace('127.0.0.1', '0.0.0.0')));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('read-only run');
    const sent = good.methods.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m))).toEqual([]);
    const res = readResults(r.reportDir);
    expect(res.readOnly).toBe(true);
    expect(res.cases.filter((c: any) => c.verdict === 'skipped').every((c: any) => /read-only/.test(c.skipReason))).toBe(true);
  });
});

describe('against a faulty target', () => {
  class NoScopeChecks extends withPlantedSecrets(ReferenceTarget) {
    checkScope() { /* every key may do everything */ }
  }
  let bad: Awaited<ReturnType<typeof serveRecording>>;
  beforeAll(async () => { bad = await serveRecording(new NoScopeChecks()); });
  afterAll(async () => { await bad.close(); });

  it('fails with exit 1, and the failure is explained without secrets', async () => {
    const r = await runCli(['--only', 'dashboards.*/**'], plantedEnv(bad.url));
    expect(r.code).toBe(1);
    const res = readResults(r.reportDir);
    const failed = res.cases.filter((c: any) => c.verdict === 'fail');
    expect(failed.map((c: any) => c.rule)).toContain('scope.missing-scope-403');
    const one = failed.find((c: any) => c.rule === 'scope.missing-scope-403');
    expect(one.message).toContain('Requirement: posthog-contract.md#1.3');
    expect(one.message).toMatch(/Expected: 403/);
    expect(one.message).toContain('Reproduce: curl');
    const texts = reportTexts(r.reportDir);
    expect(texts.find((t) => t.file.endsWith('summary.md'))!.text).toContain('scope.missing-scope-403');
    expect(texts.find((t) => t.file.endsWith('report.html'))!.text).toContain('curl');
    expectNoSecrets([{ file: 'stdout', text: r.stdout }, { file: 'stderr', text: r.stderr }, ...texts]);
  });
});

describe('graded verdicts', () => {
  /** Refusals worded differently from PostHog: a SHOULD-level finding (scope.refusal-message). */
  class Reworded extends withPlantedSecrets(ReferenceTarget) {
    permissionDenied(detail: string) {
      return super.permissionDenied(detail.startsWith('API key missing') ? 'Forbidden: insufficient scope.' : detail);
    }
  }
  let t: Awaited<ReturnType<typeof serveRecording>>;
  beforeAll(async () => { t = await serveRecording(new Reworded()); });
  afterAll(async () => { await t.close(); });

  it('a SHOULD miss is non-strict: exit 0, and exit 1 with --strict; reports agree with the exit code', async () => {
    const lax = await runCli(['--only', 'dashboards.create/scopes/*'], plantedEnv(t.url));
    const strict = await runCli(['--only', 'dashboards.create/scopes/*', '--strict'], plantedEnv(t.url));
    const l = readResults(lax.reportDir);
    const s = readResults(strict.reportDir);
    expect(l.totals['non-strict']).toBeGreaterThan(0);
    expect(l.totals.fail).toBe(0);
    expect([lax.code, l.failed]).toEqual([0, false]);
    expect([strict.code, s.failed, s.strict]).toEqual([1, true, true]);
  });
});
