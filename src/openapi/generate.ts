/**
 * Our contract as an OpenAPI 3.1 document, generated from schemas/ alone:
 * endpoints/*.json become operations, components/*.json become
 * components.schemas (JSON Schema 2020-12 is OpenAPI 3.1's dialect, so the
 * schemas carry over; `$ref`s are rewritten to `#/components/schemas/X` and
 * `$id`s dropped).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SCHEMA_DIR, type Contract, type JsonSchema, type PathParam } from '../contracts.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, any>;

export const SECURITY_SCHEME = 'PersonalAPIKeyAuth';
export const SESSION_SCHEME = 'SessionAuth';

/** components/*.json by file name (X.json), each with its component name (its title, else the file name). */
export function loadComponents(dir = join(SCHEMA_DIR, 'components')): Map<string, { name: string; schema: JsonSchema }> {
  const out = new Map<string, { name: string; schema: JsonSchema }>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as JsonSchema;
    out.set(file, { name: typeof schema.title === 'string' ? schema.title : file.replace(/\.json$/, ''), schema });
  }
  return out;
}

/** `../components/X.json`, `X.json` or the component's `$id` -> the file name X.json. */
export function componentFile(ref: string): string | undefined {
  const m = /(?:^|\/)([A-Za-z0-9_.-]+\.json)$/.exec(ref.split('#')[0]);
  return m?.[1];
}

/** Deep copy of a schema fragment with `$ref`s pointing into components.schemas, `$id`/`$schema` dropped, and an
 * `items: {}` on arrays that had none (same meaning; some OpenAPI consumers insist on `items`). */
export function toOpenApiSchema(schema: unknown, components: Map<string, { name: string }>): Json {
  if (Array.isArray(schema)) return schema.map((s) => toOpenApiSchema(s, components));
  if (typeof schema !== 'object' || schema === null) return schema as Json;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$id' || k === '$schema') continue;
    if (k === '$ref' && typeof v === 'string') {
      const file = componentFile(v);
      const c = file ? components.get(file) : undefined;
      if (!c) throw new Error(`cannot map $ref "${v}" to a component`);
      out.$ref = `#/components/schemas/${c.name}`;
      continue;
    }
    // keywords whose values are maps of names to schemas, or literal data: keep keys, convert values where they are schemas
    out[k] = k === 'enum' || k === 'const' || k === 'default' || k === 'example' || k === 'examples' ? v : toOpenApiSchema(v, components);
  }
  const t = out.type;
  if ((t === 'array' || (Array.isArray(t) && t.includes('array'))) && !('items' in out) && !('prefixItems' in out)) out.items = {};
  return out;
}

export function pathParamSchema(name: string, p: PathParam): Obj {
  switch (p.source) {
    case 'project':
      return { type: 'string', description: 'The project (environment) id, or @current.' };
    case 'dashboard':
      return { type: 'integer', description: 'A dashboard id.' };
    case 'conversation':
    case 'own-conversation':
      return { type: 'string', format: 'uuid', description: p.source === 'own-conversation' ? "The id of one of the caller's own conversations." : 'A conversation id.' };
    default:
      return { type: 'string', description: `Path parameter ${name}.` };
  }
}

const REASON: Record<string, string> = {
  '400': 'Bad request', '401': 'Not authenticated', '402': 'Payment required', '403': 'Forbidden', '404': 'Not found',
  '405': 'Method not allowed', '409': 'Conflict', '422': 'Unprocessable', '429': 'Throttled', '500': 'Server error',
};

function packageVersion(): string {
  try { return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version ?? '0.0.0'; } catch { return '0.0.0'; }
}

function operation(c: Contract, components: Map<string, { name: string }>): Obj {
  const conv = (s: unknown) => toOpenApiSchema(s, components);
  const parameters: Obj[] = [];
  for (const [name, p] of Object.entries(c.pathParams)) {
    const { description, ...schema } = pathParamSchema(name, p);
    parameters.push({ name, in: 'path', required: true, description, schema });
  }
  for (const [name, q] of Object.entries(c.query ?? {})) {
    parameters.push({ name, in: 'query', required: q.required === true, schema: conv(q.schema), ...(q.example !== undefined ? { example: q.example } : {}) });
  }

  const op: Obj = {
    operationId: c.operationId,
    summary: c.title,
    description: `${c.clause.quote}\n\n(${c.clause.ref})`,
    tags: [c.id.split('.')[0]],
    parameters,
  };
  if (c.request) {
    const req = c.request.schema;
    op.requestBody = {
      required: Array.isArray(req.required) && req.required.length > 0,
      content: { [c.request.contentType]: { schema: conv(req) } },
    };
  }

  const responses: Obj = {};
  const s = c.success;
  if (s.contentType === 'text/event-stream' && c.streaming) {
    const st = c.streaming;
    responses[String(s.status)] = {
      description: `${c.title}: a stream of Server-Sent Events, each frame \`event: <name>\\ndata: <json>\\n\\n\`; the server closes the stream at the end (no terminal event). The JSON \`data\` of each event name is described by \`x-sse-events\`; \`x-sse-required-events\` must each occur at least once.`,
      content: {
        'text/event-stream': {
          schema: { type: 'string', description: 'text/event-stream frames; see x-sse-events for the data of each event.' },
          'x-sse-events': Object.fromEntries(Object.entries(st.events).map(([name, schema]) => [name, conv(schema)])),
          'x-sse-required-events': st.required,
        },
      },
    };
  } else if (s.contentType) {
    responses[String(s.status)] = { description: c.title, content: { [s.contentType]: { schema: conv(s.schema ?? {}) } } };
  } else {
    responses[String(s.status)] = { description: `${c.title}: no content (empty body).` };
  }
  for (const [status, e] of Object.entries(c.errors)) {
    responses[status] = { description: REASON[status] ?? `Status ${status}`, content: { 'application/json': { schema: conv(e.schema) } } };
  }
  // statuses the contract knows only from its invalid variants (e.g. empty-body 400/404)
  const byStatus = new Map<string, typeof c.invalid>();
  for (const v of c.invalid) {
    const k = String(v.expect.status);
    if (responses[k]) continue;
    byStatus.set(k, [...(byStatus.get(k) ?? []), v]);
  }
  for (const [status, vs] of byStatus) {
    const text = vs.map((v) => v.title).join('; ');
    if (vs.every((v) => v.expect.emptyBody)) responses[status] = { description: `${REASON[status] ?? `Status ${status}`} (empty body): ${text}.` };
    else {
      const schema = vs.find((v) => v.expect.schema)?.expect.schema ?? { $ref: '../components/Error.json' };
      responses[status] = { description: `${REASON[status] ?? `Status ${status}`}: ${text}.`, content: { 'application/json': { schema: conv(schema) } } };
    }
  }
  responses['401'] ??= { $ref: '#/components/responses/Unauthorized' };
  responses['403'] ??= { $ref: '#/components/responses/Forbidden' };
  op.responses = responses;

  op.security = c.scope === null
    ? [{ [SESSION_SCHEME]: [] }]
    : [{ [SECURITY_SCHEME]: [c.scope] }, { [SESSION_SCHEME]: [] }];
  op['x-posthog-scope'] = c.scope ?? 'none';
  op['x-posthog-contract-id'] = c.id;
  op['x-posthog-divergences'] = c.divergences.map((d) => ({ about: d.about, documented: d.documented, actual: d.actual, ref: d.ref, quote: d.quote }));
  if (c.pagination) op['x-posthog-pagination'] = conv(c.pagination);
  if (c.unsettled?.length) op['x-posthog-unsettled'] = c.unsettled;
  return op;
}

/** The whole OpenAPI 3.1 document. */
export function buildOpenApi(list: Contract[], components = loadComponents()): Obj {
  const paths: Obj = {};
  for (const c of [...list].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    (paths[c.path] ??= {})[c.method.toLowerCase()] = operation(c, components);
  }
  const schemas: Obj = {};
  for (const { name, schema } of [...components.values()].sort((a, b) => a.name.localeCompare(b.name))) schemas[name] = toOpenApiSchema(schema, components);
  const errorRef = { $ref: '#/components/schemas/Error' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'PostHog Environments API — posthog-contract',
      version: packageVersion(),
      description:
        "Ten endpoints of PostHog's Environments API as this contract states them (generated from schemas/ by `posthog-contract openapi`). " +
        'Where the code and PostHog\'s published documentation disagree, the contract follows the code; each operation lists such differences under `x-posthog-divergences`. ' +
        'Response schemas allow extra properties: PostHog adds fields over time.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      { url: 'https://us.posthog.com', description: 'PostHog Cloud US' },
      { url: 'https://eu.posthog.com', description: 'PostHog Cloud EU' },
      { url: '{origin}', description: 'Any PostHog-compatible server', variables: { origin: { default: 'http://localhost:8010' } } },
    ],
    tags: [
      { name: 'batch_exports', description: 'Batch-export destination tests (INTERNAL scope).' },
      { name: 'conversations', description: 'PostHog AI conversations (streamed over Server-Sent Events).' },
      { name: 'dashboards', description: 'Dashboards and their collaborators.' },
    ],
    paths,
    components: {
      schemas,
      responses: {
        Unauthorized: { description: 'No or invalid credentials (authentication_error).', content: { 'application/json': { schema: errorRef } } },
        Forbidden: { description: 'The key lacks the required scope, the action supports no personal API key, or the caller may not access the project.', content: { 'application/json': { schema: errorRef } } },
      },
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A personal API key (`Authorization: Bearer phx_...`). Each operation lists the scope it requires. `INTERNAL` cannot be granted to a key: only a key with scope `*` (or a legacy key without scopes) passes. ' +
            'An operation that does not list this scheme refuses every personal API key (403 "This action does not support Personal API Key access") and is reached only through the session.',
        },
        [SESSION_SCHEME]: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sessionid',
          description: "A logged-in browser session (Django's sessionid cookie); scopes do not apply to it.",
        },
      },
    },
  };
}
