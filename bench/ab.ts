/**
 * A/B of contract-run variants, interleaved so that load on a shared machine hits
 * every variant alike:
 *
 *   node --import tsx bench/ab.ts --runs 6 \
 *     'base=/work/main' 'w2=/work/main VITEST_MAX_WORKERS=2' 'noiso=/tmp/copy'
 *
 * A variant is `name=ROOT [ENV=VALUE ...]`: `node ROOT/bin/posthog-contract.mjs`
 * on the embedded target with those variables. Prints, per variant, the median
 * wall time, start-up, run window and exit codes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '5' } } });
const variants = positionals.map((p) => {
  const [head, ...envs] = p.split(/\s+/);
  const [name, root] = head!.split('=') as [string, string];
  return { name, root, env: Object.fromEntries(envs.map((e) => e.split('=') as [string, string])) };
});
if (!variants.length) { process.stderr.write('usage: bench/ab.ts [--runs N] name=ROOT[ ENV=VAL...] ...\n'); process.exit(2); }
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

function once(v: (typeof variants)[number]) {
  return new Promise<{ wall: number; startup: number; run: number; exit: number | null; cases: number }>((resolve, reject) => {
    const dir = mkdtempSync(join(os.tmpdir(), 'pc-ab-'));
    const env: NodeJS.ProcessEnv = {};
    for (const [k, val] of Object.entries(process.env)) if (!/^(CONTRACT_|VITEST)/.test(k)) env[k] = val;
    Object.assign(env, { CONTRACT_REPORT_DIR: dir }, v.env);
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(v.root, 'bin/posthog-contract.mjs')], { cwd: v.root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
    child.on('error', reject);
    child.on('exit', (exit) => {
      const wall = performance.now() - t0;
      if (!existsSync(join(dir, 'timing.json'))) { reject(new Error(`${v.name}: no timing.json (exit ${exit}) ${err.slice(-2000)}`)); return; }
      const t = JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8'));
      const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      rmSync(dir, { recursive: true, force: true });
      resolve({ wall, startup: t.runStart - t.processStart, run: t.runEnd - t.runStart, exit, cases: r.totals.cases });
    });
  });
}

const res = new Map(variants.map((v) => [v.name, [] as Awaited<ReturnType<typeof once>>[]]));
await once(variants[0]!); // warm-up
for (let i = 0; i < Number(o.runs); i++) {
  for (const v of i % 2 ? [...variants].reverse() : variants) {
    const r = await once(v);
    res.get(v.name)!.push(r);
    process.stderr.write(`${v.name} #${i + 1}: ${Math.round(r.wall)} ms (exit ${r.exit})\n`);
  }
}
for (const v of variants) {
  const rs = res.get(v.name)!;
  const m = (f: (r: (typeof rs)[number]) => number) => Math.round(median(rs.map(f)));
  process.stdout.write(`${v.name.padEnd(12)} wall ${m((r) => r.wall)} ms (min ${Math.round(Math.min(...rs.map((r) => r.wall)))})  start-up ${m((r) => r.startup)} ms  run ${m((r) => r.run)} ms  cases ${rs[0]!.cases}  exits ${[...new Set(rs.map((r) => r.exit))].join(',')}\n`);
}
