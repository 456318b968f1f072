/**
 * The project's own tests (npm test): contract data lint, unit tests of checks,
 * SSE reading and reports, the reference target, and the meta-suite that runs
 * the contract suite against the reference (no failure) and every mutant
 * (caught by its declared rules).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
