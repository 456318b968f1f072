/**
 * npm run bench [-- options]: how long the full default contract run takes, where
 * the time goes, how far it is from the floor (the same HTTP exchanges replayed by
 * a bare client against one reference), how it grows with the key matrix, and how
 * long the meta-suite takes. Prints a table and writes reports/bench.json.
 * See bench/README.md for what each number means.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `npm run bench -- [options]
  --runs N              counted runs of the full default suite (default 5; one warm-up run first)
  --growth-runs N       runs per key-matrix size 1x/2x/4x (default 3; the 1x figures reuse the counted runs)
  --floor-runs N        replays for the floor (default 5, after one warm-up replay)
  --floor-concurrency N requests in flight in the replay (default 24 = the suite's maxConcurrency per file)
  --idle-wait S         before each measured run, wait up to S seconds for the other processes
                        on the machine to use < 15% of the CPU (default 30; 0 = do not wait)
  --pure                counted runs exactly as 'npm run contract' (no diag reporter; the exchange
                        count then comes from the warm-up run's record)
  --no-growth           skip the 2x/4x key-matrix runs
  --no-floor            skip the replay
  --no-meta             skip the meta-suite (npm test with every mutant)
  --no-anatomy          skip the start-up probes
  --out FILE            where to write the JSON (default reports/bench.json)
`;

const { values: o } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' }, 'growth-runs': { type: 'string', default: '3' },
    'floor-runs': { type: 'string', default: '5' }, 'floor-concurrency': { type: 'string', default: '24' },
    'idle-wait': { type: 'string', default: '30' }, pure: { type: 'boolean', default: false },
    'no-growth': { type: 'boolean', default: false }, 'no-floor': { type: 'boolean', default: false },
    'no-meta': { type: 'boolean', default: false }, 'no-anatomy': { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'reports', 'bench.json') }, help: { type: 'boolean', short: 'h' },
  },
});
if (o.help) { process.stdout.write(HELP); process.exit(0); }
const int = (name: string, v: string, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) { process.stderr.write(`bench: --${name} must be an integer >= ${min}\n`); process.exit(2); }
  return n;
};
const RUNS = int('runs', o.runs!, 1);
const GROWTH_RUNS = int('growth-runs', o['growth-runs']!, 1);
const FLOOR_RUNS = int('floor-runs', o['floor-runs']!, 1);
const FLOOR_CONCURRENCY = int('floor-concurrency', o['floor-concurrency']!, 1);
const IDLE_WAIT_S = int('idle-wait', o['idle-wait']!, 0);

// ---------------------------------------------------------------- statistics
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const stats = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) });
const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- CPU accounting (Linux /proc)
/** Jiffies: machine-wide busy/total, this process's own CPU, and its reaped children's. */
function cpu(): { busy: number; total: number; own: number; children: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const rest = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number); // rest[0] is field 3 (state)
    return { busy: total - idle, total, own: rest[11]! + rest[12]!, children: rest[13]! + rest[14]! };
  } catch {
    return undefined;
  }
}
const TICK_MS = 10; // USER_HZ is 100 on Linux
/** % of the machine's CPU used by processes other than this one and its children between a and b. */
function foreignPct(a: ReturnType<typeof cpu>, b: ReturnType<typeof cpu>): number | undefined {
  if (!a || !b || b.total === a.total) return undefined;
  const ours = (b.own - a.own) + (b.children - a.children);
  return Math.max(0, Math.round(((b.busy - a.busy - ours) / (b.total - a.total)) * 100));
}
/** Wait (polling, half a second at a time) until the rest of the machine is quiet, at most IDLE_WAIT_S. */
async function waitIdle(): Promise<number | undefined> {
  const until = performance.now() + IDLE_WAIT_S * 1000;
  let last: number | undefined;
  do {
    const a = cpu();
    await new Promise((r) => setTimeout(r, 500));
    last = foreignPct(a, cpu());
    if (last === undefined || last < 15) return last;
  } while (performance.now() < until);
  log(`  (the machine stayed busy: ${last}% of the CPU used by other processes; measuring anyway)`);
  return last;
}

// ---------------------------------------------------------------- one contract run
interface Spawned { exit: number | null; wallMs: number; startEpoch: number; stdout: string; stderr: string; childCpuMs?: number; foreignCpuPct?: number }

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const before = cpu();
    const startEpoch = performance.timeOrigin + performance.now();
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      const after = cpu();
      child.on('close', () => resolve({
        exit: code, wallMs, startEpoch, stdout, stderr,
        childCpuMs: before && after ? (after.children - before.children) * TICK_MS : undefined,
        foreignCpuPct: foreignPct(before, after),
      }));
    });
  });
}

/** The environment of a contract run: the embedded target, nothing from the caller's CONTRACT_* or VITEST_*. */
function contractEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CONTRACT_|VITEST)/.test(k) && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, ...extra };
}

interface ContractRun {
  copies: number; exit: number | null; wallMs: number;
  spawnToProcessMs: number; startupMs: number; runMs: number; remainderMs: number;
  referenceBootMs: { max: number; sum: number };
  cases: number; totals: Record<string, number>;
  exchanges?: number; streams?: number; maxRssKb: number;
  childCpuMs?: number; foreignCpuPct?: number; idleBeforePct?: number;
  diag?: { initMs: number; initToRunStartMs: number; workerStartMs: number; modules: { module: string; tests: number; prepareMs: number; collectMs: number; testsMs: number }[] };
  recordFile?: string;
}

async function contractRun(copies: number, opts: { diag: boolean; record: boolean; keepRecord?: boolean }): Promise<ContractRun> {
  const idleBeforePct = IDLE_WAIT_S > 0 ? await waitIdle() : undefined;
  const dir = mkdtempSync(join(os.tmpdir(), 'pc-bench-'));
  const record = join(dir, 'record.jsonl');
  const env = contractEnv({
    CONTRACT_REPORT_DIR: dir,
    ...(copies > 1 ? { CONTRACT_REFERENCE_KEY_COPIES: String(copies) } : {}),
    ...(opts.record ? { CONTRACT_RECORD_FILE: record } : {}),
  });
  const args = [join(ROOT, 'bin/posthog-contract.mjs')];
  if (existsSync(join(ROOT, '.env'))) args.push('--env-file', '/dev/null'); // never a remote target from .env
  if (opts.diag) args.push('--reporter', process.env.CI ? 'dot' : 'default', '--reporter', join(ROOT, 'bench/diag-reporter.ts'));
  const s = await run(process.execPath, args, env);
  const readJson = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  if (!existsSync(join(dir, 'timing.json'))) {
    throw new Error(`the contract run wrote no timing.json (exit ${s.exit}):\n${s.stdout.slice(-3000)}\n${s.stderr.slice(-3000)}`);
  }
  const t = readJson('timing.json');
  const results = readJson('results.json');
  let diag: ContractRun['diag'];
  if (opts.diag && existsSync(join(dir, 'diag.json'))) {
    const d = readJson('diag.json');
    diag = { initMs: d.initAt - d.processStart, initToRunStartMs: d.runStartAt - d.initAt, workerStartMs: d.firstModuleStartAt - d.runStartAt, modules: d.modules };
  }
  let exchanges: number | undefined;
  let streams: number | undefined;
  if (opts.record && existsSync(record)) {
    const lines = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    exchanges = lines.length;
    streams = lines.filter((l) => JSON.parse(l).stream).length;
  }
  const spawnToProcessMs = t.processStart - s.startEpoch;
  const startupMs = t.runStart - t.processStart;
  const runMs = t.runEnd - t.runStart;
  const r: ContractRun = {
    copies, exit: s.exit, wallMs: Math.round(s.wallMs),
    spawnToProcessMs: Math.round(spawnToProcessMs), startupMs, runMs,
    remainderMs: Math.round(s.wallMs - spawnToProcessMs - startupMs - runMs),
    referenceBootMs: t.referenceBootMs, cases: results.totals.cases, totals: results.totals,
    exchanges, streams, maxRssKb: t.maxRssKb, childCpuMs: s.childCpuMs, foreignCpuPct: s.foreignCpuPct, idleBeforePct, diag,
  };
  if (s.exit !== 0) log(`  ! exit ${s.exit}: ${results.failed ? 'a MUST rule failed' : 'see the output'}\n${s.stdout.slice(-1500)}${s.stderr.slice(-1500)}`);
  if (opts.keepRecord && opts.record) {
    r.recordFile = join(os.tmpdir(), `pc-bench-record-${process.pid}-${copies}x.jsonl`);
    writeFileSync(r.recordFile, readFileSync(record));
  }
  rmSync(dir, { recursive: true, force: true });
  return r;
}

// ---------------------------------------------------------------- the floor
interface Recorded { method: string; url: string; headers: Record<string, string>; body?: string; stream: boolean }

async function replayOnce(reqs: Recorded[], concurrency: number) {
  const { ReferenceTarget, serve } = await import('../targets/reference/server.ts');
  const b0 = performance.now();
  const server = await serve(new ReferenceTarget(), 0);
  const bootMs = performance.now() - b0;
  const pool = new Pool(server.url, { connections: concurrency, pipelining: 1, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < reqs.length) {
      const r = reqs[next++]!;
      try {
        // the harness's stream reader asks for text/event-stream (src/stream.ts)
        const headers = r.stream ? { ...r.headers, Accept: 'text/event-stream' } : r.headers;
        const res = await pool.request({ path: r.url, method: r.method as 'GET', headers, body: r.body });
        for await (const chunk of res.body) bytes += (chunk as Buffer).length; // streams read to the end
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      } catch {
        errors++;
      }
    }
  }));
  const ms = performance.now() - t0;
  await pool.close();
  await server.close();
  return { ms, bootMs, statuses, errors, bytes };
}

async function floor(recordFile: string) {
  const reqs: Recorded[] = readFileSync(recordFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  await replayOnce(reqs, FLOOR_CONCURRENCY); // warm-up: JIT, the module graph
  const runs = [];
  for (let i = 0; i < FLOOR_RUNS; i++) runs.push(await replayOnce(reqs, FLOOR_CONCURRENCY));
  const last = runs.at(-1)!;
  return {
    exchanges: reqs.length, streams: reqs.filter((r) => r.stream).length, concurrency: FLOOR_CONCURRENCY,
    ms: stats(runs.map((r) => r.ms)), bootMs: Math.round(median(runs.map((r) => r.bootMs)) * 10) / 10,
    exchangesPerSec: Math.round(reqs.length / (median(runs.map((r) => r.ms)) / 1000)),
    statuses: last.statuses, errors: last.errors, bytes: last.bytes,
  };
}

// ---------------------------------------------------------------- start-up anatomy
async function anatomy() {
  const reps = 5;
  const bare: number[] = [];
  const steps: Record<string, number>[] = [];
  const bareVitest: number[] = [];
  for (let i = 0; i < reps; i++) {
    bare.push((await run(process.execPath, ['-e', '0'], contractEnv({}))).wallMs);
    const s = await run(process.execPath, [join(ROOT, 'bench/startup-probe.mjs')], contractEnv({}));
    steps.push(JSON.parse(s.stdout.trim().split('\n').at(-1)!));
    const b = JSON.parse((await run(process.execPath, [join(ROOT, 'bench/startup-probe.mjs'), 'bare'], contractEnv({}))).stdout.trim().split('\n').at(-1)!);
    bareVitest.push(b.vitestNodeImported - b.userCode);
  }
  const at = (k: string) => median(steps.map((s) => s[k]!));
  const r = (n: number) => Math.round(n);
  return {
    bareNodeProcessMs: r(median(bare)),
    nodeBootToUserCodeMs: r(at('userCode')),
    tsxRegisterMs: r(at('tsxRegistered') - at('userCode')),
    contractsImportMs: r(at('contractsImported') - at('tsxRegistered')),
    contractsCompileMs: r(at('contractsCompiled') - at('contractsImported')),
    cliRestImportMs: r(at('cliImported') - at('contractsCompiled')),
    vitestNodeImportMs: r(at('vitestNodeImported') - at('cliImported')),
    vitestNodeImportWithoutTsxMs: r(median(bareVitest)),
  };
}

// ---------------------------------------------------------------- the meta-suite
/**
 * `npm test` (vitest run --config vitest.meta.config.ts), run in a throw-away copy of the
 * working tree (node_modules linked): the meta-suite writes new snapshots and reports,
 * and a bench must not change the repository.
 */
async function meta() {
  const copy = mkdtempSync(join(os.tmpdir(), 'pc-bench-tree-'));
  const skip = new Set(['node_modules', '.git', 'reports']);
  for (const e of readdirSync(ROOT)) if (!skip.has(e)) cpSync(join(ROOT, e), join(copy, e), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const json = join(copy, 'meta-results.json');
  await (IDLE_WAIT_S > 0 ? waitIdle() : undefined);
  const s = await run(process.execPath, [join(copy, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.meta.config.ts',
    '--reporter=dot', '--reporter=json', `--outputFile.json=${json}`], contractEnv({}), copy);
  let files: { file: string; ms: number; tests: number; failed: number }[] = [];
  let tests = 0;
  let failed = 0;
  if (existsSync(json)) {
    const j = JSON.parse(readFileSync(json, 'utf8'));
    tests = j.numTotalTests;
    failed = j.numFailedTests;
    files = j.testResults.map((f: any) => ({
      file: f.name.replace(`${copy}/`, ''), ms: Math.round(f.endTime - f.startTime), tests: f.assertionResults.length,
      failed: f.assertionResults.filter((a: any) => a.status === 'failed').length,
    })).sort((a: any, b: any) => b.ms - a.ms);
  }
  if (s.exit !== 0) log(`  meta-suite exit ${s.exit}:\n${s.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => /FAIL|Error|✗|×|failed/.test(l)).slice(0, 30).join('\n')}`);
  rmSync(copy, { recursive: true, force: true });
  return { exit: s.exit, wallMs: Math.round(s.wallMs), tests, failed, files, childCpuMs: s.childCpuMs, foreignCpuPct: s.foreignCpuPct };
}

// ---------------------------------------------------------------- main
function table(rows: (string | number)[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (typeof c === 'number' || /^[\d.,x×%-]+( ms| s| MB)?$/.test(String(c)) ? String(c).padStart(w[i]!) : String(c).padEnd(w[i]!))).join('  ').trimEnd()).join('\n');
}

const machine = {
  cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version,
  totalMemMb: Math.round(os.totalmem() / 2 ** 20), platform: `${os.platform()} ${os.release()}`,
};
log(`bench: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}; ${RUNS} counted runs after a warm-up`);

log('warm-up run (1x)…');
const warm = await contractRun(1, { diag: true, record: true, keepRecord: true });
const counted: ContractRun[] = [];
for (let i = 0; i < RUNS; i++) {
  const r = await contractRun(1, { diag: !o.pure, record: !o.pure });
  log(`run ${i + 1}/${RUNS}: ${r.wallMs} ms wall, exit ${r.exit}, ${r.cases} cases${r.foreignCpuPct !== undefined ? `, other processes ${r.foreignCpuPct}% CPU` : ''}`);
  counted.push(r);
}
const exchanges = counted[0]!.exchanges ?? warm.exchanges!;
const wall = stats(counted.map((r) => r.wallMs));
const med = (f: (r: ContractRun) => number) => Math.round(median(counted.map(f)));
const split = {
  spawnToProcessMs: med((r) => r.spawnToProcessMs), startupMs: med((r) => r.startupMs), runMs: med((r) => r.runMs),
  referenceBootSumMs: med((r) => r.referenceBootMs.sum), referenceBootMaxMs: med((r) => r.referenceBootMs.max), remainderMs: med((r) => r.remainderMs),
};
const diagRuns = counted.filter((r) => r.diag).length ? counted.filter((r) => r.diag) : [warm];
const modules = diagRuns[0]!.diag!.modules.map((m) => ({
  module: m.module, tests: m.tests,
  prepareMs: Math.round(median(diagRuns.map((r) => r.diag!.modules.find((x) => x.module === m.module)!.prepareMs))),
  collectMs: Math.round(median(diagRuns.map((r) => r.diag!.modules.find((x) => x.module === m.module)!.collectMs))),
  testsMs: Math.round(median(diagRuns.map((r) => r.diag!.modules.find((x) => x.module === m.module)!.testsMs))),
}));
const vitestInitMs = Math.round(median(diagRuns.map((r) => r.diag!.initMs)));
const initToRunStartMs = Math.round(median(diagRuns.map((r) => r.diag!.initToRunStartMs)));
const workerStartMs = Math.round(median(diagRuns.map((r) => r.diag!.workerStartMs)));
const maxRssKb = stats(counted.map((r) => r.maxRssKb));

let floorResult: Awaited<ReturnType<typeof floor>> | undefined;
if (!o['no-floor']) {
  log(`floor: replaying ${warm.exchanges} recorded exchanges against one fresh reference, ${FLOOR_CONCURRENCY} in flight…`);
  floorResult = await floor(warm.recordFile!);
}
rmSync(warm.recordFile!, { force: true });

let anat: Awaited<ReturnType<typeof anatomy>> | undefined;
if (!o['no-anatomy']) {
  log('start-up anatomy (5 probes)…');
  anat = await anatomy();
}

const growth: { copies: number; cases: number; exchanges?: number; wall: ReturnType<typeof stats>; startupMs: number; runMs: number; collectMs?: number }[] = [];
const collectSum = (rs: ContractRun[]) => (rs.some((r) => r.diag) ? Math.round(median(rs.filter((r) => r.diag).map((r) => r.diag!.modules.reduce((a, m) => a + m.collectMs, 0)))) : undefined);
if (!o['no-growth']) {
  growth.push({ copies: 1, cases: counted[0]!.cases, exchanges, wall, startupMs: split.startupMs, runMs: split.runMs, collectMs: collectSum(counted) });
  for (const copies of [2, 4]) {
    const rs: ContractRun[] = [];
    for (let i = 0; i < GROWTH_RUNS; i++) {
      const r = await contractRun(copies, { diag: !o.pure, record: !o.pure });
      log(`growth ${copies}x run ${i + 1}/${GROWTH_RUNS}: ${r.wallMs} ms wall, exit ${r.exit}, ${r.cases} cases`);
      rs.push(r);
    }
    growth.push({
      copies, cases: rs[0]!.cases, exchanges: rs[0]!.exchanges, wall: stats(rs.map((r) => r.wallMs)),
      startupMs: Math.round(median(rs.map((r) => r.startupMs))), runMs: Math.round(median(rs.map((r) => r.runMs))), collectMs: collectSum(rs),
    });
  }
}
const marginal = (a: (typeof growth)[number], b: (typeof growth)[number]) => Math.round(((b.wall.median - a.wall.median) / (b.cases - a.cases)) * 100) / 100;

let metaResult: Awaited<ReturnType<typeof meta>> | undefined;
if (!o['no-meta']) {
  log('meta-suite (npm test, every mutant)…');
  metaResult = await meta();
  log(`meta-suite: ${metaResult.wallMs} ms wall, exit ${metaResult.exit}`);
}

// ---------------------------------------------------------------- goals
const ratio = floorResult ? Math.round((wall.median / floorResult.ms.median) * 10) / 10 : undefined;
const goals = {
  fullRunAtMost5s: { target: '<= 5000 ms wall (median)', measured: wall.median, met: wall.median <= 5000 },
  within2xOfFloor: { target: 'suite wall / floor <= 2', measured: ratio, met: ratio === undefined ? undefined : ratio <= 2 },
  metaWithin90s: { target: '<= 90000 ms wall', measured: metaResult?.wallMs, met: metaResult ? metaResult.wallMs <= 90_000 : undefined },
  growthAtMostLinear: growth.length === 3 ? {
    target: 'marginal ms per case from 2x to 4x <= 1.5 x that from 1x to 2x, and wall per case falls as cases grow',
    measured: { marginal1to2: marginal(growth[0]!, growth[1]!), marginal2to4: marginal(growth[1]!, growth[2]!), wallPerCase: growth.map((g) => Math.round((g.wall.median / g.cases) * 100) / 100) },
    met: marginal(growth[1]!, growth[2]!) <= 1.5 * Math.max(marginal(growth[0]!, growth[1]!), 1) && growth[2]!.wall.median / growth[2]!.cases <= growth[0]!.wall.median / growth[0]!.cases,
  } : undefined,
  startupFlat: growth.length === 3 ? {
    target: 'start-up (process start to vitest run start) at 4x within 15% (or 150 ms) of 1x',
    measured: growth.map((g) => g.startupMs),
    met: Math.abs(growth[2]!.startupMs - growth[0]!.startupMs) <= Math.max(150, 0.15 * growth[0]!.startupMs),
  } : undefined,
};

const report = {
  format: 'posthog-contract/bench@1', at: new Date().toISOString(), machine,
  options: { runs: RUNS, growthRuns: GROWTH_RUNS, floorRuns: FLOOR_RUNS, floorConcurrency: FLOOR_CONCURRENCY, pure: o.pure, idleWaitS: IDLE_WAIT_S },
  suite: {
    cases: counted[0]!.cases, exit: counted.map((r) => r.exit), wallMs: wall, split, vitestInitMs, initToRunStartMs, workerStartMs, modules,
    exchanges, streams: counted[0]!.streams ?? warm.streams,
    exchangesPerSec: { wall: Math.round(exchanges / (wall.median / 1000)), caseWindow: Math.round(exchanges / (split.runMs / 1000)) },
    maxRssKb, childCpuMs: med((r) => r.childCpuMs ?? NaN), foreignCpuPct: counted.map((r) => r.foreignCpuPct),
    warmUp: { wallMs: warm.wallMs, exit: warm.exit },
  },
  floor: floorResult && { ...floorResult, ratio },
  anatomy: anat,
  growth: growth.length ? { runs: growth, marginalMsPerCase: growth.length === 3 ? { '1x->2x': marginal(growth[0]!, growth[1]!), '2x->4x': marginal(growth[1]!, growth[2]!), '1x->4x': marginal(growth[0]!, growth[2]!) } : undefined } : undefined,
  meta: metaResult,
  goals,
};
mkdirSync(dirname(o.out!), { recursive: true });
writeFileSync(o.out!, `${JSON.stringify(report, null, 2)}\n`);

// ---------------------------------------------------------------- the table
const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : `${n} ms`);
const yes = (m: boolean | undefined) => (m === undefined ? 'not measured' : m ? 'MET' : 'MISSED');
const out: string[] = [];
out.push(`posthog-contract bench · ${machine.cpus} CPUs (${machine.cpuModel}) · node ${machine.node} · ${report.at}`);
out.push('');
out.push(`Full default run (node bin/posthog-contract.mjs, embedded reference), ${RUNS} runs after a warm-up:`);
out.push(table([
  ['figure', 'value', 'note'],
  ['wall time, median', ms(wall.median), `min ${wall.min} · max ${wall.max} ms; exit codes ${[...new Set(counted.map((r) => r.exit))].join(',')}`],
  ['  spawn -> process start', ms(split.spawnToProcessMs), 'exec of node until its time origin'],
  ['  process start -> run start', ms(split.startupMs), `CLI + tsx + vitest start-up (vitest created at ${vitestInitMs} ms; then ${initToRunStartMs} ms to the run start)`],
  ['  run start -> run end', ms(split.runMs), `the 4 test files: workers + import/collect + cases (${counted[0]!.cases} cases)`],
  ['    of which first worker start', ms(workerStartMs), 'run start until the first test file starts (thread + vitest runtime)'],
  ['    of which reference boot', ms(split.referenceBootSumMs), `sum over files; max ${split.referenceBootMaxMs} ms`],
  ['  remainder', ms(split.remainderMs), 'reporters after the run, vitest close, process exit'],
  ['HTTP exchanges sent', exchanges, `${counted[0]!.streams ?? warm.streams} of them streams`],
  ['exchanges per second', report.suite.exchangesPerSec.wall, `per wall second; ${report.suite.exchangesPerSec.caseWindow}/s over the run window`],
  ['peak RSS', `${Math.round(maxRssKb.median / 1024)} MB`, `min ${Math.round(maxRssKb.min / 1024)} · max ${Math.round(maxRssKb.max / 1024)} MB (whole run: workers are threads)`],
  ['CPU time of the run', ms(report.suite.childCpuMs), `user+sys of the child process, median; other processes used ${counted.map((r) => r.foreignCpuPct ?? '?').join('/')}% CPU during the runs`],
]));
out.push('');
out.push('Per test file (vitest diagnostics, median):');
out.push(table([['file', 'tests', 'prepare', 'import+collect', 'tests'], ...modules.map((m) => [m.module, m.tests, ms(m.prepareMs), ms(m.collectMs), ms(m.testsMs)])]));
if (floorResult) {
  out.push('');
  out.push(`Floor: the ${floorResult.exchanges} exchanges replayed by undici (Pool, ${FLOOR_CONCURRENCY} in flight) against one fresh reference in this process, ${FLOOR_RUNS} replays after a warm-up:`);
  out.push(table([
    ['figure', 'value', 'note'],
    ['floor, median', ms(floorResult.ms.median), `min ${floorResult.ms.min} · max ${floorResult.ms.max} ms; reference boot ${floorResult.bootMs} ms (not included)`],
    ['floor exchanges per second', floorResult.exchangesPerSec, `statuses ${Object.entries(floorResult.statuses).map(([k, v]) => `${k}:${v}`).join(' ')}; transport errors ${floorResult.errors}`],
    ['suite wall / floor', `${ratio}x`, `run window / floor ${Math.round((split.runMs / floorResult.ms.median) * 10) / 10}x`],
  ]));
}
if (anat) {
  out.push('');
  out.push('Start-up anatomy (fresh processes, median of 5):');
  out.push(table([
    ['step', 'ms'],
    ['bare `node -e 0` process, wall', ms(anat.bareNodeProcessMs)],
    ['node boot to first user code', ms(anat.nodeBootToUserCodeMs)],
    ['tsx register', ms(anat.tsxRegisterMs)],
    ['import src/contracts.ts (ajv, formats, components)', ms(anat.contractsImportMs)],
    ['contracts(): endpoint files validated + compiled', ms(anat.contractsCompileMs)],
    ['rest of src/cli.ts', ms(anat.cliRestImportMs)],
    ["import('vitest/node'), tsx hook registered (as the CLI does)", ms(anat.vitestNodeImportMs)],
    ["import('vitest/node') in a process without the tsx hook", ms(anat.vitestNodeImportWithoutTsxMs)],
  ]));
}
if (growth.length) {
  out.push('');
  out.push(`Growth with the key matrix (CONTRACT_REFERENCE_KEY_COPIES; 1x = the counted runs, 2x/4x: ${GROWTH_RUNS} runs each):`);
  out.push(table([
    ['keys', 'cases', 'exchanges', 'wall median', 'start-up', 'run window', 'import+collect', 'wall per case'],
    ...growth.map((g) => [`${g.copies}x`, g.cases, g.exchanges ?? '-', ms(g.wall.median), ms(g.startupMs), ms(g.runMs), ms(g.collectMs), `${Math.round((g.wall.median / g.cases) * 100) / 100} ms`]),
  ]));
  if (report.growth?.marginalMsPerCase) {
    const m = report.growth.marginalMsPerCase;
    out.push(`marginal wall per added case: 1x->2x ${m['1x->2x']} ms, 2x->4x ${m['2x->4x']} ms, 1x->4x ${m['1x->4x']} ms`);
  }
}
if (metaResult) {
  out.push('');
  out.push(`Meta-suite (npm test = vitest run --config vitest.meta.config.ts, in a copy of the tree): ${metaResult.wallMs} ms wall, exit ${metaResult.exit}, ${metaResult.tests} tests, ${metaResult.failed} failed; other processes ${metaResult.foreignCpuPct ?? '?'}% CPU`);
  out.push(table([['file', 'duration', 'tests', 'failed'], ...metaResult.files.map((f) => [f.file, ms(f.ms), f.tests, f.failed])]));
}
out.push('');
out.push('Goals:');
out.push(table([
  ['goal', 'measured', 'verdict'],
  ['full default run <= 5 s wall (median)', ms(wall.median), yes(goals.fullRunAtMost5s.met)],
  ['within 2x of the floor', ratio === undefined ? '-' : `${ratio}x`, yes(goals.within2xOfFloor.met)],
  ['meta-suite <= 90 s', ms(metaResult?.wallMs), yes(goals.metaWithin90s.met)],
  ['time grows at most linearly with cases', goals.growthAtMostLinear ? `${goals.growthAtMostLinear.measured.marginal1to2} / ${goals.growthAtMostLinear.measured.marginal2to4} ms per case` : '-', yes(goals.growthAtMostLinear?.met)],
  ['start-up flat as cases grow', goals.startupFlat ? goals.startupFlat.measured.map((x) => `${x}`).join(' / ') + ' ms' : '-', yes(goals.startupFlat?.met)],
]));
out.push('');
out.push(`written: ${o.out}`);
process.stdout.write(`${out.join('\n')}\n`);
