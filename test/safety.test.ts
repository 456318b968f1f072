/** Safety against real servers: a stalled target and a 429 storm each end the run within a bound, with a clear verdict. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { ReferenceTarget, plantedEnv, readResults, runCli, serveRecording, withPlantedSecrets } from './cli.helpers.js';
import type { RefRequest, Reply } from '../targets/reference/server.js';

describe('a target that never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => { sockets.push(s); }); // accepts, reads nothing, answers nothing
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as any).port;
  });
  afterAll(async () => { for (const s of sockets) s.destroy(); await new Promise((r) => server.close(r)); });

  it('the preflight gives up after 8 s: exit 2, one message', async () => {
    const r = await runCli([], { CONTRACT_BASE_URL: `http://127.0.0.1:${port}`, CONTRACT_PROJECT_ID: '1', CONTRACT_API_KEY: 'phx_stall_key_000000000000' });
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/no answer within 8 s/);
  });
});

describe('a target that stalls on one endpoint', () => {
  class Stalls extends withPlantedSecrets(ReferenceTarget) {
    dashboardsCreate(): any { return new Promise(() => {}); }
  }
  let t: Awaited<ReturnType<typeof serveRecording>>;
  beforeAll(async () => { t = await serveRecording(new Stalls()); });
  afterAll(async () => { await t.close(); });

  it('every request times out, and the run ends within its bound: exit 1, "did not answer in time"', async () => {
    const r = await runCli(['--only', 'dashboards.create/status/*', '--timeout', '1000'], plantedEnv(t.url));
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(20_000);
    const res = readResults(r.reportDir);
    const success = res.cases.find((c: any) => c.id === 'dashboards.create/status/success');
    expect(success.verdict).toBe('fail');
    expect(success.message).toMatch(/no complete answer within 1000 ms \(timeout\)/);
    expect(success.message).toMatch(/did not answer in time/);
  });
});

describe('a 429 storm', () => {
  class Storm extends withPlantedSecrets(ReferenceTarget) {
    async handle(req: RefRequest): Promise<Reply> {
      if (req.query.get('limit') === '1' && req.method === 'GET') return super.handle(req); // let the preflight through
      return { status: 429, headers: { 'Retry-After': '30' }, body: { type: 'throttled_error', code: 'throttled', detail: 'Request was throttled.', attr: null } };
    }
  }
  let t: Awaited<ReturnType<typeof serveRecording>>;
  beforeAll(async () => { t = await serveRecording(new Storm()); });
  afterAll(async () => { await t.close(); });

  it('Retry-After is honoured up to its cap; the run ends within its bound with a clear verdict', async () => {
    const r = await runCli(['--only', 'dashboards.list/status/*'], { ...plantedEnv(t.url), CONTRACT_RETRY_AFTER_CAP_MS: '300' });
    expect(r.code).toBe(2); // incomplete, not "contract broken": nothing could be checked
    expect(r.ms).toBeLessThan(20_000);
    expect(r.stderr).toMatch(/incomplete run: \d+ case\(s\) stayed rate-limited \(429\)/);
    const res = readResults(r.reportDir);
    const success = res.cases.find((c: any) => c.id === 'dashboards.list/status/success');
    expect(success.verdict).toBe('skipped');
    expect(success.skipReason).toMatch(/429 Too Many Requests/);
    expect(res.rateLimited).toBe(res.cases.filter((c: any) => c.verdict === 'skipped').length);
    // 1 try + 3 retries per request, no more
    expect(t.methods.length).toBeLessThanOrEqual(1 + 4 * res.cases.length); // the preflight, then at most 4 tries per case
  });
});
