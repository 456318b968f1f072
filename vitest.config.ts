/**
 * The contract run: suites/ against the target. The CLI (bin/posthog-contract.mjs)
 * passes reporters, sharding and the environment; `npx vitest run` alone also works.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['suites/**/*.test.ts'],
    pool: 'threads',
    maxConcurrency: 24,
    testTimeout: Number(process.env.CONTRACT_CASE_TIMEOUT_MS ?? 240_000),
    hookTimeout: 60_000,
    reporters: ['default', './src/report/reporter.ts'],
    sequence: { concurrent: true },
  },
});
