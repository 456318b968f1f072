#!/usr/bin/env node
// posthog-contract: contract-conformance suite for PostHog's Environments API.
// The CLI is TypeScript (src/cli.ts), loaded through a tsx hook scoped to it (a namespace).
// vitest is imported from here, outside that scope, so its modules skip the hook:
// import('vitest/node') takes ~170 ms instead of ~630 ms (npm run bench, bench/README.md).
import { register } from 'tsx/esm/api';

const tsx = register({ namespace: 'posthog-contract' });
const { main } = await tsx.import('../src/cli.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2), { vitest: () => import('vitest/node') });
