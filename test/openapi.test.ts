/**
 * `posthog-contract openapi` (our contract as OpenAPI 3.1) and `posthog-contract drift`
 * (a target's OpenAPI document against our contract).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { validate, compileErrors } from '@readme/openapi-parser';
import { contracts } from '../src/contracts.js';
import { buildOpenApi, compareDocument, driftCommand, openapiCommand, type Difference } from '../src/openapi/index.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'openapi', 'posthog-shaped.yaml');
const NOT_OPENAPI = join(import.meta.dirname, 'fixtures', 'openapi', 'not-openapi.json');
const tmp = mkdtempSync(join(tmpdir(), 'pc-openapi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run a command, capturing what it prints. */
async function run(cmd: (argv: string[]) => Promise<number>, argv: string[]) {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => { err += String(s); return true; });
  try {
    const code = await cmd(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

let n = 0;
function writeDoc(doc: unknown, ext: 'json' | 'yaml' = 'json'): string {
  const file = join(tmp, `doc-${++n}.${ext}`);
  writeFileSync(file, ext === 'json' ? JSON.stringify(doc) : readFileSync(FIXTURE, 'utf8'));
  return file;
}
const faithful = () => parseYaml(readFileSync(FIXTURE, 'utf8')) as Record<string, any>;
const key = (d: Difference) => `${d.operation} | ${d.kind} | ${d.where} | ${d.known ? 'known' : d.grade}`;

function collectRefs(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) x.forEach((v) => collectRefs(v, out));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) (k === '$ref' && typeof v === 'string' ? out.push(v) : collectRefs(v, out));
  return out;
}
function hasKey(x: unknown, name: string): boolean {
  if (Array.isArray(x)) return x.some((v) => hasKey(v, name));
  if (x && typeof x === 'object') return Object.entries(x).some(([k, v]) => k === name || hasKey(v, name));
  return false;
}

describe('openapi: the contract as an OpenAPI 3.1 document', () => {
  const doc = buildOpenApi(contracts());

  it('validates with @readme/openapi-parser', async () => {
    const result = await validate(structuredClone(doc) as any);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has every operation of the contract, with its operationId, parameters, body and success response', () => {
    for (const c of contracts()) {
      const op = doc.paths[c.path]?.[c.method.toLowerCase()];
      expect(op, `${c.method} ${c.path}`).toBeDefined();
      expect(op.operationId).toBe(c.operationId);
      expect(op['x-posthog-contract-id']).toBe(c.id);
      const params = op.parameters.map((p: any) => `${p.in}:${p.name}:${p.required}`);
      for (const name of Object.keys(c.pathParams)) expect(params).toContain(`path:${name}:true`);
      for (const [name, q] of Object.entries(c.query ?? {})) expect(params).toContain(`query:${name}:${q.required === true}`);
      expect(Boolean(op.requestBody)).toBe(Boolean(c.request));
      const success = op.responses[String(c.success.status)];
      expect(success, `${c.id} success`).toBeDefined();
      if (c.success.contentType) expect(Object.keys(success.content)).toEqual([c.success.contentType]);
      else expect(success.content).toBeUndefined();
      for (const status of Object.keys(c.errors)) expect(op.responses[status]).toBeDefined();
      expect(op['x-posthog-divergences']).toEqual(c.divergences);
    }
    expect(Object.values(doc.paths).flatMap((item: any) => Object.keys(item))).toHaveLength(contracts().length);
  });

  it('declares the personal-API-key scheme (http bearer) and each operation\'s scope, INTERNAL too; no-scope actions list only the session', () => {
    expect(doc.components.securitySchemes.PersonalAPIKeyAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.SessionAuth).toMatchObject({ type: 'apiKey', in: 'cookie' });
    for (const c of contracts()) {
      const op = doc.paths[c.path][c.method.toLowerCase()];
      if (c.scope === null) expect(op.security).toEqual([{ SessionAuth: [] }]);
      else expect(op.security).toEqual([{ PersonalAPIKeyAuth: [c.scope] }, { SessionAuth: [] }]);
    }
    expect(doc.paths['/api/environments/{project_id}/batch_exports/test/'].get.security[0]).toEqual({ PersonalAPIKeyAuth: ['INTERNAL'] });
  });

  it('describes the stream as text/event-stream with the schema of each event', () => {
    const create = doc.paths['/api/environments/{project_id}/conversations/'].post;
    const media = create.responses['200'].content['text/event-stream'];
    expect(media.schema.type).toBe('string');
    expect(Object.keys(media['x-sse-events']).sort()).toEqual(['approval', 'conversation', 'message', 'notebook', 'status', 'update']);
    expect(media['x-sse-events'].message).toEqual({ $ref: '#/components/schemas/SseMessage' });
    expect(media['x-sse-required-events']).toEqual(['conversation', 'message']);
    expect(create['x-posthog-divergences'][0]).toMatchObject({ about: 'success-status', documented: '201, body Message' });
  });

  it('converts the components: $refs point into #/components/schemas, no $id, every $ref resolves', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Dashboard', 'UserBasic', 'ConversationMinimal', 'Error', 'Paginated']));
    expect(hasKey(doc, '$id')).toBe(false);
    for (const ref of collectRefs(doc)) {
      expect(ref).toMatch(/^#\/components\/(schemas|responses)\/[A-Za-z]+$/);
      const [, , kind, name] = ref.split('/');
      expect(doc.components[kind][name], ref).toBeDefined();
    }
    expect(doc.components.schemas.Conversation.allOf).toEqual([{ $ref: '#/components/schemas/ConversationMinimal' }]);
  });

  it('writes the document to --out as JSON or YAML, to stdout without --out', async () => {
    const json = join(tmp, 'out', 'contract.openapi.json');
    expect((await run(openapiCommand, ['--out', json])).code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(doc);
    const yaml = join(tmp, 'contract.openapi.yaml');
    expect((await run(openapiCommand, ['--out', yaml])).code).toBe(0);
    expect(parseYaml(readFileSync(yaml, 'utf8'))).toEqual(doc);
    const result = await validate(yaml);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    const r = await run(openapiCommand, []);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(doc);
  });

  it('prints help on --help and refuses unknown flags', async () => {
    const h = await run(openapiCommand, ['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('posthog-contract openapi [--out FILE]');
    const bad = await run(openapiCommand, ['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bogus/);
    expect((await run(openapiCommand, ['--format', 'xml'])).code).toBe(2);
  });
});

describe('drift: a target\'s OpenAPI document against the contract', () => {
  let baseline: Difference[];
  beforeAll(() => { baseline = compareDocument(faithful(), contracts()).differences; });

  /** The differences a mutated copy of the faithful document adds to the baseline. */
  function added(mutate: (doc: Record<string, any>) => void): Difference[] {
    const doc = faithful();
    mutate(doc);
    const before = new Set(baseline.map(key));
    return compareDocument(doc, contracts()).differences.filter((d) => !before.has(key(d)));
  }

  it('a faithful PostHog-shaped document: only the known divergences and additive differences, exit 0', async () => {
    const dir = join(tmp, 'faithful');
    const r = await run(driftCommand, ['--against', FIXTURE, '--report-dir', dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'drift.json'), 'utf8'));
    expect(report.summary).toMatchObject({ breaking: 0 });
    expect(report.operations).toEqual({ contract: 10, matched: 10 });
    const keys = (report.differences as Difference[]).map(key).sort();
    expect(keys).toEqual([
      'batch_exports.run_test_step_new | operation-deprecated | operation | additive',
      'batch_exports.run_test_step_new | request-field-undocumented | request step | additive',
      'batch_exports.run_test_step_new | response-body-undocumented | response 200 | known',
      'batch_exports.test | operation-deprecated | operation | additive',
      'batch_exports.test | query-parameter-undocumented | query destination | additive',
      'batch_exports.test | response-body-undocumented | response 200 | known',
      'conversations.append_message | success-status-changed | response status | known',
      'conversations.cancel | success-status-changed | response status | known',
      'conversations.create | enum-documented | request agent_mode | additive',
      'conversations.create | success-status-changed | response status | known',
      'conversations.list | response-field-added | response 200 results[].agent_mode | known',
      'conversations.list | response-field-added | response 200 results[].has_unsupported_content | known',
      'conversations.list | response-field-added | response 200 results[].messages | known',
      'conversations.list | response-field-added | response 200 results[].pending_approvals | known',
      'conversations.list | response-field-optional | response 200 next | additive',
      'conversations.list | response-field-optional | response 200 previous | additive',
      'dashboards.create | operation-deprecated | operation | additive',
      'dashboards.create | response-field-added | response 201 quick_filter_ids | additive',
      'dashboards.create | response-field-optional | response 201 name | additive',
      'dashboards.create | response-field-optional | response 201 restriction_level | additive',
      'dashboards.list | operation-deprecated | operation | additive',
      'dashboards.list | response-field-optional | response 200 next | additive',
      'dashboards.list | response-field-optional | response 200 previous | additive',
      'dashboards_collaborators_create | operation-added | operation | additive',
    ]);
    // the documented artefacts are reported as known, with the divergence they are
    const known = (report.differences as Difference[]).filter((d) => d.known && d.kind === 'success-status-changed');
    expect(known.map((d) => [d.operation, d.theirs, d.ours])).toEqual(expect.arrayContaining([
      ['conversations.create', '201 (application/json)', '200 (text/event-stream)'],
      ['conversations.append_message', '200 (application/json)', '201 (application/json)'],
      ['conversations.cancel', '200 (application/json)', '204 (no body)'],
    ]));
    expect(known.every((d) => d.grade === 'breaking' && d.divergence?.about === 'success-status')).toBe(true);
    // no noise from {environment_id}, readOnly fields in requests or writeOnly fields in responses
    expect(keys.some((k) => /path-parameter|environment_id|id \||user_uuid|use_template|created_at/.test(k))).toBe(false);
    const md = readFileSync(join(dir, 'drift.md'), 'utf8');
    expect(md).toContain('| grade | operation | where | kind | difference | ours | theirs |');
    expect(md).toContain('known (breaking)');
    expect(r.out).toMatch(/grade\s+operation\s+where\s+difference/);
    expect(r.out).toContain('0 breaking, 15 additive, 9 known divergences (10/10 contract operations found)');
  });

  it('our own generated document shows no difference at all', () => {
    const result = compareDocument(buildOpenApi(contracts()), contracts());
    expect(result.differences).toEqual([]);
    expect(result.matched).toBe(10);
  });

  const cases: { name: string; mutate: (d: Record<string, any>) => void; expect: Partial<Difference>[] }[] = [
    {
      name: 'a removed response field (required by us) is breaking',
      mutate: (d) => {
        const s = d.components.schemas.DashboardFull;
        delete s.properties.id;
        s.required = s.required.filter((k: string) => k !== 'id');
      },
      expect: [{ operation: 'dashboards.create', kind: 'response-field-removed', where: 'response 201 id', grade: 'breaking', known: false }],
    },
    {
      name: 'an existing request field made required is breaking',
      mutate: (d) => { d.components.schemas.DashboardFull.required.push('description'); },
      expect: [{ operation: 'dashboards.create', kind: 'request-field-now-required', where: 'request description', grade: 'breaking' }],
    },
    {
      name: 'a new required request field is breaking',
      mutate: (d) => {
        const s = d.components.schemas.ShortMessage;
        s.properties.channel = { type: 'string' };
        s.required.push('channel');
      },
      expect: [{ operation: 'conversations.append_message', kind: 'request-field-required', where: 'request channel', grade: 'breaking' }],
    },
    {
      name: 'a narrowed request enum is breaking',
      mutate: (d) => { d.components.schemas.Cadence.enum = ['hour', 'day', 'week']; },
      expect: [{ operation: 'batch_exports.run_test_step_new', kind: 'enum-narrowed', where: 'request interval', grade: 'breaking' }],
    },
    {
      name: 'a widened request enum is additive',
      mutate: (d) => { d.components.schemas.Cadence.enum.push('month'); },
      expect: [{ operation: 'batch_exports.run_test_step_new', kind: 'enum-widened', where: 'request interval', grade: 'additive' }],
    },
    {
      name: 'a changed success status is breaking (not a declared divergence)',
      mutate: (d) => {
        const responses = d.paths['/api/environments/{environment_id}/dashboards/'].post.responses;
        responses['200'] = responses['201'];
        delete responses['201'];
      },
      expect: [{ operation: 'dashboards.create', kind: 'success-status-changed', where: 'response status', grade: 'breaking', known: false }],
    },
    {
      name: 'a removed operation is breaking',
      mutate: (d) => { delete d.paths['/api/environments/{project_id}/conversations/{conversation}/']; },
      expect: [{ operation: 'conversations.retrieve', kind: 'operation-missing', where: 'operation', grade: 'breaking' }],
    },
    {
      name: 'a response field that may now be null (nullable) is breaking',
      mutate: (d) => { d.components.schemas.DashboardBasicOut.properties.created_at.nullable = true; },
      expect: [{ operation: 'dashboards.list', kind: 'response-type-widened', where: 'response 200 results[].created_at', grade: 'breaking' }],
    },
    {
      name: 'a response enum with a value outside ours is breaking',
      mutate: (d) => { d.components.schemas.ConversationStatus.enum.push('archived'); },
      expect: [
        { operation: 'conversations.list', kind: 'enum-widened', where: 'response 200 results[].status', grade: 'breaking', known: false },
        { operation: 'conversations.retrieve', kind: 'enum-widened', where: 'response 200 status', grade: 'breaking', known: false },
      ],
    },
    {
      name: 'a different scope is breaking',
      mutate: (d) => { d.paths['/api/environments/{environment_id}/dashboards/'].get.security = [{ PersonalAPIKeyAuth: ['insight:read'] }]; },
      expect: [{ operation: 'dashboards.list', kind: 'scope-changed', grade: 'breaking' }],
    },
    {
      name: 'a renamed path parameter is reported, wire-compatible',
      mutate: (d) => {
        const item = d.paths['/api/environments/{project_id}/conversations/{conversation}/'];
        delete d.paths['/api/environments/{project_id}/conversations/{conversation}/'];
        item.get.parameters = [{ $ref: '#/components/parameters/ProjectId' }, { in: 'path', name: 'id', required: true, schema: { type: 'string', format: 'uuid' } }];
        d.paths['/api/environments/{project_id}/conversations/{id}/'] = item;
      },
      expect: [{ operation: 'conversations.retrieve', kind: 'path-parameter-renamed', where: 'path {conversation}', grade: 'additive' }],
    },
    {
      name: 'a new optional request field is additive',
      mutate: (d) => { d.components.schemas.DashboardFull.properties.quick_filter_ids.readOnly = false; },
      expect: [{ operation: 'dashboards.create', kind: 'request-field-added', where: 'request quick_filter_ids', grade: 'additive' }],
    },
  ];

  for (const c of cases) {
    it(`${c.name}`, async () => {
      const diffs = added(c.mutate);
      expect(diffs).toHaveLength(c.expect.length);
      c.expect.forEach((e, i) => expect(diffs[i]).toMatchObject(e));
      // the CLI's verdict follows the grade
      const doc = faithful();
      c.mutate(doc);
      const r = await run(driftCommand, ['--against', writeDoc(doc), '--report-dir', join(tmp, `case-${n}`)]);
      expect(r.code).toBe(c.expect.some((e) => e.grade === 'breaking' && e.known !== true) ? 1 : 0);
    });
  }

  it('reads JSON and YAML alike', async () => {
    const yaml = await run(driftCommand, ['--against', writeDoc(null, 'yaml'), '--report-dir', join(tmp, 'y')]);
    const json = await run(driftCommand, ['--against', writeDoc(faithful(), 'json'), '--report-dir', join(tmp, 'j')]);
    expect([yaml.code, json.code]).toEqual([0, 0]);
    const a = JSON.parse(readFileSync(join(tmp, 'y', 'drift.json'), 'utf8')).differences.map(key);
    const b = JSON.parse(readFileSync(join(tmp, 'j', 'drift.json'), 'utf8')).differences.map(key);
    expect(b).toEqual(a);
  });

  it('writes its reports to CONTRACT_REPORT_DIR when no --report-dir is given', async () => {
    const dir = join(tmp, 'env-dir');
    vi.stubEnv('CONTRACT_REPORT_DIR', dir);
    try {
      expect((await run(driftCommand, ['--against', FIXTURE])).code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(existsSync(join(dir, 'drift.json')) && existsSync(join(dir, 'drift.md'))).toBe(true);
  });

  it('a file that is not OpenAPI: exit 2 with a clear message', async () => {
    const r = await run(driftCommand, ['--against', NOT_OPENAPI, '--report-dir', join(tmp, 'no')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not an OpenAPI document: it has no "openapi" version field');
    expect(existsSync(join(tmp, 'no', 'drift.json'))).toBe(false);

    const swagger = writeDoc({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} });
    expect((await run(driftCommand, ['--against', swagger])).err).toContain('is a Swagger 2.0 document; only OpenAPI 3.0 and 3.1 are supported');
    const text = join(tmp, 'page.html');
    writeFileSync(text, '<!doctype html><html><body>Swagger UI</body></html>\n');
    const html = await run(driftCommand, ['--against', text]);
    expect([html.code, html.err]).toEqual([2, expect.stringContaining('is not an OpenAPI document')]);
    const broken = join(tmp, 'broken.yaml');
    writeFileSync(broken, 'openapi: 3.0.3\npaths: {\n  "/x": [\n');
    const b = await run(driftCommand, ['--against', broken]);
    expect([b.code, b.err]).toEqual([2, expect.stringContaining('is neither JSON nor YAML')]);
    const missing = await run(driftCommand, ['--against', join(tmp, 'nope.yaml')]);
    expect([missing.code, missing.err]).toEqual([2, expect.stringContaining('no such file')]);
  });

  it('usage errors exit 2; --help prints the usage', async () => {
    expect((await run(driftCommand, [])).err).toContain('--against URL|FILE is required');
    expect((await run(driftCommand, [])).code).toBe(2);
    expect((await run(driftCommand, ['--against', FIXTURE, '--timeout', 'soon'])).code).toBe(2);
    expect((await run(driftCommand, ['--against', FIXTURE, '--nope'])).code).toBe(2);
    const h = await run(driftCommand, ['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('posthog-contract drift --against URL|FILE');
  });

  describe('over HTTP', () => {
    let server: Server;
    let base = '';
    beforeAll(async () => {
      const yaml = readFileSync(FIXTURE, 'utf8');
      server = createServer((req, res) => {
        if (req.url === '/api/schema/') {
          res.writeHead(200, { 'Content-Type': 'application/vnd.oai.openapi; charset=utf-8' });
          res.end(yaml);
        } else if (req.url === '/slow/') {
          // never answers
        } else {
          res.writeHead(404, { 'Content-Type': 'text/html' });
          res.end('<h1>Not Found</h1>');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

    it('fetches /api/schema/ and compares it', async () => {
      const dir = join(tmp, 'http');
      const r = await run(driftCommand, ['--against', `${base}/api/schema/`, '--report-dir', dir]);
      expect(r.code).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, 'drift.json'), 'utf8'));
      expect(report.against).toBe(`${base}/api/schema/`);
      expect(report.differences.map(key).sort()).toEqual(baseline.map(key).sort());
      expect(report.summary).toMatchObject({ breaking: 0, known: 9 });
      // a bare origin means its /api/schema/
      expect((await run(driftCommand, ['--against', base, '--report-dir', join(tmp, 'http-origin')])).code).toBe(0);
    });

    it('an HTTP error or no answer within --timeout: exit 2', async () => {
      const nf = await run(driftCommand, ['--against', `${base}/missing/`]);
      expect([nf.code, nf.err]).toEqual([2, expect.stringContaining('HTTP 404')]);
      const slow = await run(driftCommand, ['--against', `${base}/slow/`, '--timeout', '300']);
      expect([slow.code, slow.err]).toEqual([2, expect.stringContaining('no answer within 0.3 s')]);
    });
  });
});
