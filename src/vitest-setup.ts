/**
 * Runs in every suite file, also when the files share modules (isolate: false in
 * vitest.config.ts): at the end of the file, clean up and close the file's harness.
 */
import { afterAll } from 'vitest';
import { closeFileHarness } from './vitest.js';

afterAll(async ({}, suite) => closeFileHarness(suite));
