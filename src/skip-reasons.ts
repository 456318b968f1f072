/**
 * Skip reasons the reports count. Apart from src/runner.ts because the reporter runs in
 * the CLI's main thread: importing runner.ts there pulls in the harness (ajv, faker,
 * supertest), ~300 ms of start-up (npm run bench, bench/README.md).
 */
export const RATE_LIMITED = 'rate limited: the target answered 429 Too Many Requests even after the retries that honour Retry-After; the case could not be checked (rerun later, or with fewer cases)';
