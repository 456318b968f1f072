#!/usr/bin/env node
// posthog-contract: contract-conformance suite for PostHog's Environments API.
// The CLI is TypeScript (src/cli.ts), loaded through tsx's ESM hook.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
