/**
 * Standalone reference target: serves a fresh in-memory `ReferenceTarget` and prints, on stdout,
 * one human line (starting with `#`) followed by lines usable as a .env file.
 *
 *   node_modules/.bin/tsx targets/reference/main.ts --port 8010
 */

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ReferenceTarget, serve, type TargetInfo } from './server.js';

/** The .env lines describing a served target (values with spaces or JSON are single-quoted). */
export function envLines(info: TargetInfo): string[] {
  return [
    `CONTRACT_BASE_URL=${info.baseUrl}`,
    `CONTRACT_PROJECT_ID=${info.projectId}`,
    `CONTRACT_FOREIGN_PROJECT_ID=${info.foreignProjectId}`,
    `CONTRACT_API_KEY=${info.apiKey}`,
    `CONTRACT_KEYS='${JSON.stringify(info.keys)}'`,
    `CONTRACT_SESSION_COOKIE='${info.sessionCookie}'`,
    `CONTRACT_SECOND_USER_KEY=${info.secondUserKey}`,
  ];
}

/**
 * Serve a fresh reference target on 127.0.0.1:`port` (0 = ephemeral) and print its .env lines.
 * Resolves once the server listens; SIGINT/SIGTERM close it and let the process exit.
 */
export async function runStandalone(opts: { port?: number } = {}): Promise<void> {
  const target = new ReferenceTarget();
  const server = await serve(target, opts.port ?? 0);
  process.stdout.write(
    ['# posthog-contract reference target: in-memory, fresh state; Ctrl-C to stop', ...envLines(server.info)].join('\n') + '\n',
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => {
      process.exitCode = 0;
      // Everything is closed; this only guards against a stray handle keeping the process up.
      setTimeout(() => process.exit(0), 500).unref();
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const { values } = parseArgs({ options: { port: { type: 'string', short: 'p' } }, allowPositionals: false });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port: ${values.port}\n`);
    process.exit(2);
  }
  runStandalone({ port }).catch((err: unknown) => {
    process.stderr.write(`reference target failed to start: ${String(err)}\n`);
    process.exit(1);
  });
}
