/** Spawning the real CLI against servers started in the test process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReferenceTarget, serve } from '../targets/reference/server.js';
import { ROOT } from '../src/contracts.js';

export const PLANTED = {
  key: 'phx_PLANTEDkey4contractTEST0123456789abcdef',
  scoped: 'phx_PLANTEDscopedDashboardRead000000000000',
  second: 'phx_PLANTEDsecondUser00000000000000000000',
  sessionid: 'planted-session-c0ffee42',
  csrftoken: 'planted-csrf-beef99',
};

/** The reference (or a subclass) with planted, recognisable credentials for user 1 (and user 2). */
export function withPlantedSecrets<T extends new (...a: any[]) => ReferenceTarget>(Base: T) {
  return class extends Base {
    seed() {
      const s = super.seed();
      s.apiKeys.set(PLANTED.key, { key: PLANTED.key, user_id: 1, label: 'planted', scopes: ['*'] });
      s.apiKeys.set(PLANTED.scoped, { key: PLANTED.scoped, user_id: 1, label: 'planted scoped', scopes: ['dashboard:read'] });
      s.apiKeys.set(PLANTED.second, { key: PLANTED.second, user_id: 2, label: 'planted second', scopes: ['*'] });
      s.sessions.set(PLANTED.sessionid, { sessionid: PLANTED.sessionid, csrftoken: PLANTED.csrftoken, user_id: 1 });
      return s;
    }
  };
}

export function plantedEnv(baseUrl: string): Record<string, string> {
  return {
    CONTRACT_BASE_URL: baseUrl,
    CONTRACT_PROJECT_ID: '1',
    CONTRACT_FOREIGN_PROJECT_ID: '2',
    CONTRACT_API_KEY: PLANTED.key,
    CONTRACT_KEYS: JSON.stringify([{ key: PLANTED.scoped, scopes: ['dashboard:read'] }]),
    CONTRACT_SESSION_COOKIE: `sessionid=${PLANTED.sessionid}; csrftoken=${PLANTED.csrftoken}`,
    CONTRACT_SECOND_USER_KEY: PLANTED.second,
  };
}

export interface CliRun { code: number | null; stdout: string; stderr: string; ms: number; reportDir: string }

export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliRun> {
  const reportDir = env.CONTRACT_REPORT_DIR ?? mkdtempSync(join(tmpdir(), 'pc-reports-'));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CONTRACT_') && !k.startsWith('VITEST')));
    const child = spawn(process.execPath, [join(ROOT, 'bin/posthog-contract.mjs'), '--env-file', '/dev/null', ...args], {
      cwd: ROOT, env: { ...clean, CI: '1', ...env, CONTRACT_REPORT_DIR: reportDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`CLI did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - started, reportDir }); });
  });
}

export function readResults(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
}

/** Every file the run wrote under its report directory, as text. */
export function reportTexts(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ file: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/** Serve a target; record each request's method (to prove what was, and was not, sent). */
export async function serveRecording(target: ReferenceTarget) {
  const methods: string[] = [];
  const handle = target.handle.bind(target);
  target.handle = async (req) => { methods.push(req.method); return handle(req); };
  const server = await serve(target, 0);
  return { ...server, methods };
}

export { ReferenceTarget };
