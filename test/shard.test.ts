/** Sharding: two shards merged give the same cases and verdicts as one run. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults, runCli } from './cli.helpers.js';

const verdicts = (r: any) => Object.fromEntries(r.cases.map((c: any) => [c.id, c.verdict]));

describe('--shard and merge', () => {
  it('two shards merged equal one whole run', async () => {
    const env = { CONTRACT_RUN_ID: 'pc-shard-test', CONTRACT_REPORT_DIR: mkdtempSync(join(tmpdir(), 'pc-shards-')) };
    const one = await runCli(['--shard', '1/2'], env);
    const two = await runCli(['--shard', '2/2'], env);
    expect([one.code, two.code]).toEqual([0, 0]);
    const merged = await runCli(['merge'], env);
    expect(merged.code).toBe(0);
    const whole = await runCli([], { CONTRACT_RUN_ID: 'pc-whole' });
    const m = readResults(env.CONTRACT_REPORT_DIR);
    const w = readResults(whole.reportDir);
    expect(m.totals).toEqual(w.totals);
    expect(verdicts(m)).toEqual(verdicts(w));
    expect(m.runId).toBe('pc-shard-test');
  });
});
