/**
 * The command line: `posthog-contract [options]` runs the suite (vitest) against
 * the target; `reference` serves the embedded target; `--list` prints the case
 * ids and sends nothing. Exit 0: no MUST rule failed; 1: one did (or, with
 * --strict, a SHOULD); 2: usage error, unreachable/unauthorised target, or a
 * run left incomplete by rate limiting.
 */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadSettings, remoteTarget, type Settings } from './config.js';
import { ROOT, contracts } from './contracts.js';

const HELP = `posthog-contract — does a server keep PostHog's Environments API contract?

Usage:
  posthog-contract [options]            run the suite (embedded reference unless --base-url)
  posthog-contract --list [options]     print the case ids that would run; send nothing
  posthog-contract reference [--port N] serve the embedded reference target and print its .env
  posthog-contract merge [--blob-dir D] merge shard blobs (--shard runs) into one set of reports
  posthog-contract openapi [--out FILE] write our contract as an OpenAPI 3.1 document
  posthog-contract drift --against URL|FILE
                                        compare a target's OpenAPI document (e.g. PostHog's
                                        /api/schema/) with our contract; exit 1 on breaking drift

Target (flags override the environment and .env):
  --base-url URL        CONTRACT_BASE_URL; unset: the embedded reference target
  --project ID          CONTRACT_PROJECT_ID, the project/environment the keys can use
  --foreign-project ID  CONTRACT_FOREIGN_PROJECT_ID, a project the keys may not access
  (keys and the session come only from the environment or .env, never from flags:
   CONTRACT_API_KEY, CONTRACT_KEYS, CONTRACT_SESSION_COOKIE, CONTRACT_SECOND_USER_KEY; see TARGET.md)

Selection:
  --only GLOB           run only matching case ids (repeatable), e.g. 'dashboards.*/status/*'
  --exclude GLOB        skip matching case ids (repeatable), e.g. '*/streaming/*'
  --no-streaming        same as --exclude '*/streaming/*' (no AI runs on the target)
  --shard I/N           run the I-th of N shards (vitest sharding; then 'merge')
  --shuffle             run files and cases in a random order (seeded by --seed): verdicts must not change

Behaviour:
  --strict              SHOULD-level findings (non-strict) fail the run too
  --read-only           send only safe methods; cases that write are skipped
  --allow-writes        allow writes to a target that is not on the loopback interface
  --seed S              fixture seed (CONTRACT_SEED), recorded in the reports
  --timeout MS          per-request timeout (CONTRACT_TIMEOUT_MS)
  --report-dir DIR      where reports go (CONTRACT_REPORT_DIR, default reports)
  --reporter NAME       vitest console reporter: default, verbose, dot, tap, github-actions, ... (repeatable)
  --env-file FILE       read this file instead of .env
  -h, --help            this help

Reports: reports/results.json, summary.md, report.html, junit.xml.
Verdicts: fail (a MUST broken), non-strict (a SHOULD missed), informational, skipped (with a reason), pass.
`;

function usage(msg: string): number {
  process.stderr.write(`posthog-contract: ${msg}\nRun 'posthog-contract --help' for usage.\n`);
  return 2;
}

/** How main() gets vitest: bin/posthog-contract.mjs imports it outside the tsx hook, which is ~460 ms faster. */
export interface Loaders { vitest?: () => Promise<typeof import('vitest/node')> }
let loadVitest: NonNullable<Loaders['vitest']> = () => import('vitest/node');

export async function main(argv: string[], loaders: Loaders = {}): Promise<number> {
  if (loaders.vitest) loadVitest = loaders.vitest;
  // subcommands with flags of their own
  if (argv[0] === 'openapi' || argv[0] === 'drift') {
    const m = await import('./openapi/index.js');
    return argv[0] === 'openapi' ? m.openapiCommand(argv.slice(1)) : m.driftCommand(argv.slice(1));
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        help: { type: 'boolean', short: 'h' }, list: { type: 'boolean' },
        'base-url': { type: 'string' }, project: { type: 'string' }, 'foreign-project': { type: 'string' },
        only: { type: 'string', multiple: true }, exclude: { type: 'string', multiple: true }, 'no-streaming': { type: 'boolean' },
        shard: { type: 'string' }, strict: { type: 'boolean' }, 'read-only': { type: 'boolean' }, 'allow-writes': { type: 'boolean' },
        seed: { type: 'string' }, timeout: { type: 'string' }, 'report-dir': { type: 'string' }, reporter: { type: 'string', multiple: true },
        'env-file': { type: 'string' }, port: { type: 'string' }, 'blob-dir': { type: 'string' }, shuffle: { type: 'boolean' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values: o, positionals } = parsed;
  if (o.help) { process.stdout.write(HELP); return 0; }
  const command = positionals[0] ?? 'run';
  if (!['run', 'reference', 'merge'].includes(command) || positionals.length > 1) return usage(`unknown command: ${positionals.join(' ')}`);

  if (command === 'reference') {
    const port = o.port === undefined ? 8010 : Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) return usage(`--port must be a port number, not ${o.port}`);
    const { runStandalone } = await import('../targets/reference/main.js');
    await runStandalone({ port });
    return await new Promise<number>(() => {}); // served until SIGINT/SIGTERM
  }

  // configuration: .env (quietly), then flags, all as CONTRACT_* variables the workers inherit
  const envFile = o['env-file'] ?? '.env';
  if (o['env-file'] && !existsSync(envFile)) return usage(`--env-file ${envFile} does not exist`);
  if (existsSync(envFile)) (await import('dotenv')).config({ path: envFile, quiet: true });
  const env = process.env;
  if (o['base-url'] !== undefined) env.CONTRACT_BASE_URL = o['base-url'];
  if (o.project !== undefined) env.CONTRACT_PROJECT_ID = o.project;
  if (o['foreign-project'] !== undefined) env.CONTRACT_FOREIGN_PROJECT_ID = o['foreign-project'];
  if (o.seed !== undefined) env.CONTRACT_SEED = o.seed;
  if (o.timeout !== undefined) {
    if (!/^\d+$/.test(o.timeout)) return usage(`--timeout must be milliseconds, not ${o.timeout}`);
    env.CONTRACT_TIMEOUT_MS = o.timeout;
  }
  if (o['report-dir'] !== undefined) env.CONTRACT_REPORT_DIR = o['report-dir'];
  if (o.strict) env.CONTRACT_STRICT = '1';
  if (o['read-only']) env.CONTRACT_READ_ONLY = '1';
  if (o['allow-writes']) env.CONTRACT_ALLOW_WRITES = '1';
  const excludes = [...(o.exclude ?? []), ...(o['no-streaming'] ? ['*/streaming/*'] : [])];
  if (o.only?.length) env.CONTRACT_ONLY = o.only.join(',');
  if (excludes.length) env.CONTRACT_EXCLUDE = excludes.join(',');
  if (o.shard !== undefined && !/^\d+\/\d+$/.test(o.shard)) return usage(`--shard must be I/N, e.g. 1/3, not ${o.shard}`);

  let settings: Settings;
  try {
    settings = loadSettings(env);
    env.CONTRACT_RUN_ID = settings.runId; // one run id for every worker
    if (settings.baseUrl) remoteTarget(settings);
    contracts();
  } catch (e) {
    if (e instanceof ConfigError) return usage(e.message);
    throw e;
  }

  if (command === 'merge') return merge(settings, o['blob-dir'] ?? join(settings.reportDir, 'blob'), o.reporter);
  if (o.list) return list(settings);

  if (settings.baseUrl) {
    const problem = await preflight(settings);
    if (problem) {
      process.stderr.write(`posthog-contract: ${problem}\nNo case was run.\n`);
      return 2;
    }
  }
  if (settings.readOnlyReason) process.stderr.write(`posthog-contract: ${settings.readOnlyReason}.\n`);
  return runVitest(settings, o.reporter, o.shard, o.shuffle);
}

/** One clear answer before any case runs: is the target there, and does the main key work? */
export async function preflight(s: Settings, timeoutMs = 8000): Promise<string | undefined> {
  const t = remoteTarget(s);
  const url = `${t.baseUrl}/api/environments/${encodeURIComponent(t.projectId)}/dashboards/?limit=1`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Authorization: `Bearer ${t.apiKey}`, Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : err.cause?.code ?? err.cause?.message ?? err.message;
    return `the target ${t.baseUrl} cannot be reached (${why}). Check CONTRACT_BASE_URL.`;
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status === 401) return `the target refuses CONTRACT_API_KEY (401 on GET ${new URL(url).pathname}). Use a valid personal API key with scope *.`;
  if (res.status === 403) return `CONTRACT_API_KEY may not read project ${t.projectId} (403 on GET ${new URL(url).pathname}). The main key needs scope * and access to CONTRACT_PROJECT_ID.`;
  if (res.status === 404) return `project ${t.projectId} was not found on ${t.baseUrl} (404). Check CONTRACT_PROJECT_ID, and that the URL is the PostHog API origin.`;
  if (res.status >= 300 && res.status < 400) return `the target answers with a redirect (${res.status} to ${res.headers.get('location')}); use the final API origin as CONTRACT_BASE_URL.`;
  if (res.status >= 500) return `the target answers ${res.status} to a plain dashboards list; it is not healthy enough to test.`;
  return undefined;
}

async function list(s: Settings): Promise<number> {
  const { planCases } = await import('./families/index.js');
  const { planTarget } = await import('./plan-target.js');
  const { selector } = await import('./runner.js');
  const sel = selector(s.only, s.exclude);
  const cases = planCases(contracts(), await planTarget(s)).filter((c) => sel(c.id));
  for (const c of cases) process.stdout.write(`${c.id}\t${c.rule.id}\t${c.rule.strength}\t${c.title}\n`);
  // what the selection spends on a real target: each conversation created is an AI run (TARGET.md)
  const makers = new Set(contracts().filter((c) => c.creates === 'conversation').map((c) => c.id));
  const own = new Set(contracts().filter((c) => Object.values(c.pathParams).some((p) => p.source === 'own-conversation')).map((c) => c.id));
  const statusRuns = cases.some((c) => c.family === 'status' && (makers.has(c.endpoint) || own.has(c.endpoint)) && /success|divergence/.test(c.variant)) ? 1 : 0;
  const streamRuns = cases.some((c) => c.family === 'streaming') ? 2 : 0;
  const runs = statusRuns + streamRuns;
  process.stdout.write(`# ${cases.length} cases${runs ? `; creates at most ${runs} conversation(s) on the target, each an AI run (status family ${statusRuns}, streaming family ${streamRuns}); --no-streaming drops the streaming ones` : ''}\n`);
  return 0;
}

async function runVitest(s: Settings, reporters: string[] | undefined, shard: string | undefined, shuffle = false): Promise<number> {
  const { startVitest } = await loadVitest();
  const resultsFile = join(s.reportDir, 'results.json');
  rmSync(resultsFile, { force: true });
  const console = reporters?.length ? reporters : [process.env.CI ? 'dot' : 'default'];
  const vitest = await startVitest('test', [], {
    root: ROOT,
    config: join(ROOT, 'vitest.config.ts'),
    watch: false,
    shard,
    ...(shuffle ? { sequence: { shuffle: true, seed: Number.parseInt(s.seed, 10) || 1 } } : {}),
    reporters: [
      ...console.map((r) => (r === 'junit' ? ['junit', { outputFile: join(s.reportDir, 'junit.xml') }] : r)),
      ['junit', { outputFile: join(s.reportDir, 'junit.xml') }],
      ...(shard ? [['blob', { outputFile: join(s.reportDir, 'blob', `blob-${shard.replace('/', '-')}.json`) }]] : []),
      join(ROOT, 'src/report/reporter.ts'),
    ] as any,
  });
  await vitest?.close();
  return exitCodeFromResults(resultsFile, vitest?.state.getCountOfFailedTests() ?? 1);
}

async function merge(s: Settings, blobDir: string, reporters: string[] | undefined): Promise<number> {
  if (!existsSync(blobDir)) return usage(`no shard blobs in ${blobDir}: run with --shard I/N first`);
  const { startVitest } = await loadVitest();
  const resultsFile = join(s.reportDir, 'results.json');
  rmSync(resultsFile, { force: true });
  const vitest = await startVitest('test', [], {
    root: ROOT, config: join(ROOT, 'vitest.config.ts'), watch: false, mergeReports: blobDir,
    reporters: [...(reporters?.length ? reporters : ['dot']), ['junit', { outputFile: join(s.reportDir, 'junit.xml') }], join(ROOT, 'src/report/reporter.ts')] as any,
  });
  await vitest?.close();
  return exitCodeFromResults(resultsFile, 1);
}

function exitCodeFromResults(file: string, fallbackFailures: number): number {
  if (!existsSync(file)) return fallbackFailures ? 2 : 0;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  if (r.failed) return 1;
  if (r.rateLimited > 0) {
    process.stderr.write(`posthog-contract: incomplete run: ${r.rateLimited} case(s) stayed rate-limited (429) and could not be checked.\n`);
    return 2;
  }
  return 0;
}
