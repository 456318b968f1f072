/**
 * The contract data is linted like test262 lints its tests: every endpoint file
 * follows the meta-schema, every schema compiles, and a broken or incomplete
 * file is refused with a message naming the file and the problem. Case ids and
 * titles follow the style rules (STYLE.md 6).
 */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_DIR, contracts, loadContracts } from '../src/contracts.js';
import { planCases } from '../src/families/index.js';
import { allRules } from '../src/rules.js';
import { metaSettings } from './meta.js';
import { planTarget } from '../src/plan-target.js';

function brokenCopy(file: string, edit: (d: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'pc-contracts-'));
  cpSync(join(SCHEMA_DIR, 'endpoints'), dir, { recursive: true });
  const data = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  edit(data);
  writeFileSync(join(dir, file), JSON.stringify(data));
  return dir;
}

describe('contract data', () => {
  it('has the ten endpoints, each valid against the meta-schema', () => {
    expect(contracts().map((c) => c.id)).toEqual([
      'batch_exports.run_test_step_new', 'batch_exports.test', 'conversations.append_message', 'conversations.cancel',
      'conversations.create', 'conversations.list', 'conversations.retrieve', 'dashboards.collaborators.list',
      'dashboards.create', 'dashboards.list',
    ]);
  });

  it.each([
    ['a missing required field', 'dashboards.create.json', (d: any) => { delete d.scope; }, /dashboards\.create\.json.*scope/],
    ['an unknown field', 'dashboards.list.json', (d: any) => { d.scopes = 'dashboard:read'; }, /dashboards\.list\.json.*additional/],
    ['a scope outside the closed list', 'dashboards.list.json', (d: any) => { d.scope = 'dashboards'; }, /dashboards\.list\.json\/scope/],
    ['a path parameter without an entry', 'conversations.retrieve.json', (d: any) => { delete d.pathParams.conversation; }, /path parameter \{conversation\} has no entry/],
    ['an id that is not the file name', 'batch_exports.test.json', (d: any) => { d.id = 'batch_exports.tests'; }, /does not match the file name/],
    ['a $ref to nothing', 'dashboards.create.json', (d: any) => { d.success.schema = { $ref: '../components/Nope.json' }; }, /success: .*Nope\.json/],
    ['a required event that is not declared', 'conversations.create.json', (d: any) => { d.streaming.required.push('done'); }, /required event "done" is not declared/],
    ['duplicate invalid variants', 'dashboards.create.json', (d: any) => { d.invalid.push(d.invalid[0]); }, /invalid variants are not unique/],
  ])('refuses %s', (_what, file, edit, message) => {
    expect(() => loadContracts(brokenCopy(file, edit))).toThrow(message);
  });
});

describe('case ids and names', async () => {
  const cases = planCases(contracts(), await planTarget(metaSettings));

  it('case ids are unique and of the form <endpoint>/<family>/<variant>', () => {
    const ids = cases.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z_.]+\/(status|scopes|pagination|streaming)\/[a-z0-9:_+#.-]+$/.test(id))).toEqual([]);
    expect(cases.filter((c) => !c.id.startsWith(`${c.endpoint}/${c.family}/`)).map((c) => c.id)).toEqual([]);
  });

  it('names state facts: case titles <= 150 characters, rule titles <= 70, no "should" or "test that"', () => {
    expect(cases.filter((c) => c.title.length > 150).map((c) => c.id)).toEqual([]);
    expect(allRules().filter((r) => r.title.length > 70).map((r) => r.id)).toEqual([]);
    const bad = /\bshould\b|\btest that\b/i;
    expect([...cases.map((c) => c.title), ...allRules().map((r) => r.title)].filter((t) => bad.test(t))).toEqual([]);
  });

  it('every rule cites a clause of the contract and quotes it', () => {
    expect(allRules().filter((r) => !/^posthog-contract\.md#/.test(r.ref) || r.quote.length < 10).map((r) => r.id)).toEqual([]);
  });

  it('every family has cases for every endpoint it applies to', () => {
    const fam = (f: string) => new Set(cases.filter((c) => c.family === f).map((c) => c.endpoint));
    expect(fam('status').size).toBe(10);
    expect(fam('scopes').size).toBe(10);
    expect([...fam('pagination')].sort()).toEqual(['conversations.list', 'dashboards.collaborators.list', 'dashboards.list']);
    expect(fam('streaming').has('conversations.create')).toBe(true);
  });
});
