/**
 * The contract run: suites/ against the target. The CLI (bin/posthog-contract.mjs)
 * passes reporters, sharding and the environment; `npx vitest run` alone also works.
 */
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['suites/**/*.test.ts'],
    pool: 'threads',
    // vitest's default is one worker per CPU less one: a single worker on 2 CPUs, where the
    // four suite files (each starting its own worker and importing the harness, ajv and
    // faker anew) then ran one after another. Two at least: -0.7 s of ~4.2 s wall on
    // 2 CPUs (npm run bench; see bench/README.md).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // the suite files share one module graph per worker (the harness, ajv's compiled schemas,
    // faker): imported once, not once per file. Each file still gets its own harness and
    // embedded reference: src/vitest-setup.ts closes it at the end of every file.
    isolate: false,
    setupFiles: ['./src/vitest-setup.ts'],
    maxConcurrency: 24,
    testTimeout: Number(process.env.CONTRACT_CASE_TIMEOUT_MS ?? 240_000),
    hookTimeout: 60_000,
    reporters: ['default', './src/report/reporter.ts'],
    sequence: { concurrent: true },
  },
});
