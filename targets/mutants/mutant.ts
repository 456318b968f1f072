/**
 * A mutant is the reference target plus ONE named contract violation: a
 * subclass of ReferenceTarget overriding one method. It declares the rule ids
 * that must catch it; the meta-suite (test/mutants.test.ts) proves they do,
 * and snapshots the exact set of rules it trips.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ReferenceTarget } from '../reference/server.js';

export interface Mutant {
  /** kebab-case, equals the file name */
  id: string;
  /** the violation, in one sentence */
  description: string;
  /** rule ids that must report it (each must appear among the tripped rules) */
  catches: string[];
  /** families whose cases can see it (the meta-suite runs only those, to stay fast); default: all */
  families?: ('status' | 'scopes' | 'pagination' | 'streaming')[];
  make(): ReferenceTarget;
}

export function defineMutant(m: Mutant): Mutant {
  return m;
}

const DIR = dirname(fileURLToPath(import.meta.url));

export async function loadMutants(): Promise<Mutant[]> {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'mutant.ts').sort();
  const out: Mutant[] = [];
  for (const f of files) {
    const m = (await import(pathToFileURL(join(DIR, f)).href)).default as Mutant;
    if (!m || m.id !== f.replace(/\.ts$/, '')) throw new Error(`targets/mutants/${f}: default export must be defineMutant({id: "${f.replace(/\.ts$/, '')}", ...})`);
    out.push(m);
  }
  return out;
}
