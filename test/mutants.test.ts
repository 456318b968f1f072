/**
 * The meta-suite: the contract suite against the reference (no rule tripped,
 * no case skipped) and against every mutant (caught by its declared rules; the
 * exact set of tripped rules is snapshotted so a change in detection shows up
 * in review). Every MUST and SHOULD rule must be proved by some mutant.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceTarget } from '../targets/reference/server.js';
import { loadMutants } from '../targets/mutants/mutant.js';
import { allRules } from '../src/rules.js';
import { runSuite, tripped } from './meta.js';

const mutants = await loadMutants();

describe('the reference target', () => {
  it('trips no rule and skips no case', async () => {
    const results = await runSuite(() => new ReferenceTarget());
    const bad = results.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict' || r.verdict === 'skipped');
    expect(bad.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
  });
});

describe('every mutant is caught by its declared rules', () => {
  it.concurrent.for(mutants)('$id', async (m, { expect }) => {
    const results = await runSuite(() => m.make(), m.families);
    const rules = tripped(results);
    for (const r of m.catches) expect(rules, `${m.id} (${m.description}) must trip ${r}`).toContain(r);
    expect(rules).toMatchSnapshot();
  });
});

describe('every rule that can fail is proved by a mutant', () => {
  it('each MUST and SHOULD rule is declared by at least one mutant', async () => {
    await import('../src/families/index.js'); // registers every family's rules
    const declared = new Set(mutants.flatMap((m) => m.catches));
    const unproved = allRules().filter((r) => r.strength !== 'INFO' && !declared.has(r.id)).map((r) => r.id);
    expect(unproved).toEqual([]);
  });
  it('mutant ids are unique and every declared rule exists', () => {
    const ids = mutants.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set(allRules().map((r) => r.id));
    expect(mutants.flatMap((m) => m.catches.filter((r) => !known.has(r)).map((r) => `${m.id}: ${r}`))).toEqual([]);
  });
});
