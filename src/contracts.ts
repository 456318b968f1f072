/**
 * The contract as data: loads schemas/endpoints/*.json, validates each against
 * schemas/meta/endpoint.schema.json, and compiles every JSON Schema once with
 * ajv (strict mode, draft 2020-12, ajv-formats for uuid/date-time/uri).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_DIR = join(ROOT, 'schemas');
const BASE = 'https://posthog-contract.local/';

export type JsonSchema = Record<string, unknown>;
export interface Clause { ref: string; quote: string }
export interface PathParam { source: 'project' | 'dashboard' | 'conversation' | 'own-conversation'; unknown?: string | number }
export interface QueryParam { schema: JsonSchema; required?: boolean; example?: string | number | boolean }
export interface Patch { set?: Record<string, unknown>; unset?: string[] }
export interface InvalidVariant {
  variant: string; title: string; body?: Patch; query?: Patch; ref?: string; quote?: string;
  expect: { status: number; type?: string; attr?: string; code?: string; emptyBody?: true; schema?: JsonSchema };
}
export interface Pagination {
  style: 'limit-offset' | 'none'; defaultLimit?: number; item: JsonSchema; key?: string; provides?: string;
  order?: { field: string; direction: 'asc' | 'desc' }[]; keepQuery?: Record<string, string>; ref: string; quote: string;
}
export interface Streaming {
  events: Record<string, JsonSchema>; required: string[];
  echo: { event: string; field: string; requestField: string }; conversationParam: string; ref: string; quote: string;
  lifecycle: { retrieve: string; list: string; cancel: string; append: string };
}
export interface Divergence { about: string; documented: string; actual: string; ref: string; quote: string }
export interface Contract {
  id: string; title: string; operationId: string; method: string; path: string;
  scope: string | null; clause: Clause; pathParams: Record<string, PathParam>;
  query?: Record<string, QueryParam>;
  request: { contentType: 'application/json'; schema: JsonSchema } | null;
  success: { status: number; contentType: 'application/json' | 'text/event-stream' | null; schema: JsonSchema | null; echo?: string[] };
  listing?: { list: string; ref: string; quote: string; hidden?: { variant: string; set: Record<string, unknown>; ref: string; quote: string }[] };
  errors: Record<string, { schema: JsonSchema }>;
  invalid: InvalidVariant[]; methodNotAllowed: string;
  pagination: Pagination | null; streaming: Streaming | null;
  creates: null | 'dashboard' | 'conversation' | 'message';
  divergences: Divergence[];
  unsettled?: { rule: string; ref: string; quote: string }[];
}

export interface SchemaError { path: string; message: string }

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** One ajv instance for the whole process: every schema is compiled once and cached by key. */
export const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true }) // strictRequired off: `required` inside allOf/anyOf branches is legitimate here;
addFormats(ajv);
for (const file of readdirSync(join(SCHEMA_DIR, 'components')).sort()) {
  ajv.addSchema(readJson(join(SCHEMA_DIR, 'components', file)));
}
ajv.addSchema(readJson(join(SCHEMA_DIR, 'meta', 'endpoint.schema.json')));

const compiled = new Map<string, ValidateFunction>();

/**
 * Compile (once) a schema fragment found in an endpoint file; `$ref`s resolve relative to
 * schemas/endpoints/. Keyed by name and content, so an edited fragment is compiled anew.
 */
export function validator(key: string, schema: JsonSchema): ValidateFunction {
  const id = `${key}@${createHash('sha1').update(JSON.stringify(schema)).digest('hex').slice(0, 12)}`;
  let v = compiled.get(id);
  if (!v) {
    v = ajv.compile({ $id: `${BASE}endpoints/${encodeURIComponent(id)}.json`, ...schema });
    compiled.set(id, v);
  }
  return v;
}

export function formatErrors(errors: ErrorObject[] | null | undefined): SchemaError[] {
  return (errors ?? []).map((e) => ({ path: e.instancePath || '/', message: `${e.message ?? 'invalid'}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify((e.params as any).allowedValues)}` : ''}` }));
}

/** Validate `data` against a schema fragment of contract `c` (key names the fragment). */
export function validate(c: Contract, key: string, schema: JsonSchema, data: unknown): SchemaError[] {
  const v = validator(`${c.id}#${key}`, schema);
  return v(data) ? [] : formatErrors(v.errors);
}

/** Load and lint every endpoint file. Throws one error listing every problem found. */
export function loadContracts(dir = join(SCHEMA_DIR, 'endpoints')): Contract[] {
  const meta = ajv.getSchema(`${BASE}meta/endpoint.schema.json`)!;
  const problems: string[] = [];
  const out: Contract[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const data = readJson(join(dir, file));
    if (!meta(data)) {
      problems.push(...formatErrors(meta.errors).map((e) => `${file}${e.path}: ${e.message}`));
      continue;
    }
    problems.push(...lintContract(file, data as Contract));
    out.push(data as Contract);
  }
  for (const c of out) {
    const list = c.listing && out.find((x) => x.id === c.listing!.list);
    if (c.listing && (!list || list.pagination?.style !== 'limit-offset')) problems.push(`${c.id}.json: listing.list "${c.listing.list}" is not a paginated list contract`);
  }
  if (problems.length) throw new Error(`invalid contract files:\n  ${problems.join('\n  ')}`);
  return out;
}

/** Rules the meta-schema cannot express. */
export function lintContract(file: string, c: Contract): string[] {
  const p: string[] = [];
  if (`${c.id}.json` !== file) p.push(`${file}: id "${c.id}" does not match the file name`);
  const names = [...c.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
  for (const n of names) if (!c.pathParams[n]) p.push(`${file}: path parameter {${n}} has no entry in pathParams`);
  for (const n of Object.keys(c.pathParams)) if (!names.includes(n)) p.push(`${file}: pathParams.${n} is not in the path`);
  if (c.methodNotAllowed === c.method) p.push(`${file}: methodNotAllowed equals the endpoint's own method`);
  const variants = c.invalid.map((v) => v.variant);
  if (new Set(variants).size !== variants.length) p.push(`${file}: invalid variants are not unique`);
  if (c.invalid.some((v) => v.body) && !c.request) p.push(`${file}: a body variant on an endpoint without a request body`);
  if (c.listing && !c.creates) p.push(`${file}: listing on an endpoint that creates nothing`);
  if (c.success.contentType === 'text/event-stream' && !c.streaming) p.push(`${file}: an event-stream success needs a streaming section`);
  if (c.streaming) for (const r of c.streaming.required) if (!c.streaming.events[r]) p.push(`${file}: required event "${r}" is not declared`);
  // compile every schema now, so a broken $ref fails the load, not a case
  const fragments: [string, JsonSchema | null | undefined][] = [
    ['request', c.request?.schema], ['success', c.success.schema], ['pagination.item', c.pagination?.item],
    ...Object.entries(c.errors).map(([s, e]) => [`error.${s}`, e.schema] as [string, JsonSchema]),
    ...Object.entries(c.streaming?.events ?? {}).map(([n, s]) => [`event.${n}`, s] as [string, JsonSchema]),
    ...c.invalid.filter((v) => v.expect.schema).map((v) => [`invalid.${v.variant}`, v.expect.schema] as [string, JsonSchema]),
  ];
  for (const [key, schema] of fragments) {
    if (!schema) continue;
    try { validator(`${c.id}#${key}`, schema); } catch (e) { p.push(`${file}: ${key}: ${(e as Error).message}`); }
  }
  return p;
}

let cache: Contract[] | undefined;
export function contracts(): Contract[] {
  return (cache ??= loadContracts());
}
export function contract(id: string): Contract {
  const c = contracts().find((x) => x.id === id);
  if (!c) throw new Error(`no contract "${id}"`);
  return c;
}

/** Path overrides that set every parameter with an `unknown` value to it (and the project, when given). */
export function unknownIds(c: Contract, project?: string): Record<string, string | number> {
  const o: Record<string, string | number> = project === undefined ? {} : { project_id: project };
  for (const [name, p] of Object.entries(c.pathParams)) if (p.unknown !== undefined) o[name] = p.unknown;
  return o;
}
