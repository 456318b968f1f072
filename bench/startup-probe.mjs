// Bench only: the CLI's start-up, step by step, in a fresh process (run by bench/bench.ts).
// Prints one JSON line of ms since this process's time origin (node's own start).
//   node bench/startup-probe.mjs          the order of bin/posthog-contract.mjs: tsx, the CLI, then vitest
//   node bench/startup-probe.mjs bare     import('vitest/node') alone, no tsx hook registered
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const t = { userCode: performance.now() };
if (process.argv[2] === 'bare') {
  await import('vitest/node');
  t.vitestNodeImported = performance.now();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  t.tsxRegistered = performance.now();
  const { contracts } = await import(pathToFileURL(join(root, 'src/contracts.ts')).href);
  t.contractsImported = performance.now(); // ajv + formats + the shared component schemas compiled at import
  contracts();
  t.contractsCompiled = performance.now(); // every endpoint file validated and its schemas compiled
  await import(pathToFileURL(join(root, 'src/cli.ts')).href);
  t.cliImported = performance.now();
  await import('vitest/node');
  t.vitestNodeImported = performance.now();
}
process.stdout.write(`${JSON.stringify(t)}\n`);
