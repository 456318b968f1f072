/**
 * Compare a target's OpenAPI document with our contract, operation by operation.
 *
 * Every difference is graded from the point of view of a client built on our
 * contract: `breaking` when such a client would break against a server that
 * behaves as the target's document says (a required response field gone, a
 * newly required request field, a value we send no longer accepted, a changed
 * success status, a missing operation), `additive` otherwise (a new optional
 * field, a widened request enum, an extra operation, ...). A difference that
 * is one of the contract's declared divergences (PostHog's docs vs its code)
 * is also marked `known`: reported, never counted as breaking.
 *
 * Our response schemas are deliberately lenient (few required fields, extra
 * fields allowed), so a response that their document describes more narrowly
 * than ours (a field they mark required, an enum where we accept any string,
 * no null where we allow one) is a refinement, not drift, and is not reported.
 */
import type { Contract, Divergence } from '../contracts.js';
import { componentFile, loadComponents, pathParamSchema } from './generate.js';
import { deref, describeTypes, normalize, pointer, typeIncludes, valueKey, type Raw, type Shape, type Side } from './shape.js';

export type Grade = 'breaking' | 'additive';

export interface Difference {
  /** the contract id (conversations.create), or their operationId for an operation we do not have */
  operation: string;
  method: string;
  path: string;
  kind: string;
  where: string;
  grade: Grade;
  known: boolean;
  divergence?: { about: string; documented: string; actual: string; ref: string };
  message: string;
  ours?: string;
  theirs?: string;
}

export interface DriftResult {
  differences: Difference[];
  matched: number;
  operations: number;
  summary: { breaking: number; additive: number; known: number; total: number };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The first path parameter of /api/environments/{...}/ and /api/projects/{...}/ has several spellings. */
const PROJECT_ALIASES = new Set(['project_id', 'environment_id', 'team_id', 'id']);
const MAX_DEPTH = 12;

type Obj = Record<string, any>;
interface TheirOp { path: string; method: string; op: Obj; item: Obj }

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const skeleton = (path: string) => path.replace(/\{[^}]+\}/g, '{}').replace(/\/+$/, '/');
const paramNames = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
const LIST_MAX = 20;
const list = (xs: unknown[]) => {
  const shown = xs.slice(0, LIST_MAX).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  return xs.length > LIST_MAX ? `${shown}, … (${xs.length - LIST_MAX} more)` : shown;
};
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Resolves our `$ref`s (../components/X.json, X.json) through the component files. */
function oursSide(): Side {
  const components = loadComponents();
  return {
    name: 'ours',
    resolve(ref) {
      const file = componentFile(ref);
      return file ? components.get(file)?.schema : undefined;
    },
  };
}

function theirsSide(doc: Obj): Side {
  return { name: 'theirs', resolve: (ref) => pointer(doc, ref) };
}

/** A JSON media type's schema: application/json, then any +json, then * / *. */
function jsonMedia(content: unknown): { type: string; schema: Raw } | undefined {
  if (!isObj(content)) return undefined;
  const keys = Object.keys(content);
  const key = keys.find((k) => k.split(';')[0].trim() === 'application/json') ?? keys.find((k) => /\+json\b/.test(k)) ?? keys.find((k) => k.startsWith('*/*'));
  return key ? { type: key, schema: content[key]?.schema } : undefined;
}

function ctList(content: unknown): string[] {
  return isObj(content) ? Object.keys(content) : [];
}

export function compareDocument(doc: Obj, contracts: Contract[]): DriftResult {
  const ours = oursSide();
  const theirs = theirsSide(doc);
  const out: Difference[] = [];

  // their operations, by METHOD + path skeleton
  const index = new Map<string, TheirOp[]>();
  const all: TheirOp[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem);
    if (!item) continue;
    for (const method of METHODS) {
      if (!isObj(item[method])) continue;
      const t: TheirOp = { path, method: method.toUpperCase(), op: item[method], item };
      all.push(t);
      const key = `${t.method} ${skeleton(path)}`;
      index.set(key, [...(index.get(key) ?? []), t]);
    }
  }

  const matchedOps = new Set<TheirOp>();
  let matched = 0;
  for (const c of contracts) {
    const diffs: Difference[] = [];
    const emit = (kind: string, where: string, grade: Grade, message: string, extra: { ours?: string; theirs?: string; path?: string } = {}) => {
      diffs.push({ operation: c.id, method: c.method, path: extra.path ?? c.path, kind, where, grade, known: false, message, ours: extra.ours, theirs: extra.theirs });
    };

    const candidates = index.get(`${c.method} ${skeleton(c.path)}`) ?? [];
    const t = candidates.find((x) => x.op.operationId === c.operationId) ?? candidates.find((x) => sameParamNames(c.path, x.path)) ?? candidates[0];
    if (!t) {
      const moved = all.find((x) => x.op.operationId === c.operationId && !matchedOps.has(x));
      if (moved) {
        emit('operation-moved', 'operation', 'breaking', `${c.operationId} is documented at ${moved.method} ${moved.path}, not at ${c.method} ${c.path}`, { ours: `${c.method} ${c.path}`, theirs: `${moved.method} ${moved.path}` });
        matchedOps.add(moved);
      } else {
        const twin = index.get(`${c.method} ${skeleton(c.path.replace(/^\/api\/environments\//, '/api/projects/'))}`)?.[0];
        emit('operation-missing', 'operation', 'breaking',
          `their document has no ${c.method} ${c.path} (${c.operationId})${twin ? `; only the project-scoped twin ${twin.method} ${twin.path} (${twin.op.operationId ?? 'no operationId'})` : ''}`,
          { ours: `${c.method} ${c.path}`, theirs: 'none' });
      }
      out.push(...markKnown(diffs, c));
      continue;
    }
    matchedOps.add(t);
    matched++;
    compareOperation(c, t, doc, ours, theirs, emit);
    out.push(...markKnown(diffs, c));
  }

  // operations on our paths that our contract does not have
  // (another spelling of an operation we matched, e.g. a second {project_id}/{environment_id} path, is not one)
  const ourPaths = new Set(contracts.map((c) => skeleton(c.path)));
  const ourOps = new Set(contracts.map((c) => `${c.method} ${skeleton(c.path)}`));
  for (const t of all) {
    if (matchedOps.has(t) || !ourPaths.has(skeleton(t.path)) || ourOps.has(`${t.method} ${skeleton(t.path)}`)) continue;
    out.push({
      operation: t.op.operationId ?? `${t.method} ${t.path}`, method: t.method, path: t.path, kind: 'operation-added', where: 'operation', grade: 'additive', known: false,
      message: `their document has ${t.method} ${t.path}${t.op.operationId ? ` (${t.op.operationId})` : ''}, which our contract does not cover`, ours: 'none', theirs: `${t.method} ${t.path}`,
    });
  }

  const summary = {
    breaking: out.filter((d) => d.grade === 'breaking' && !d.known).length,
    additive: out.filter((d) => d.grade === 'additive' && !d.known).length,
    known: out.filter((d) => d.known).length,
    total: out.length,
  };
  return { differences: out, matched, operations: contracts.length, summary };
}

function sameParamNames(ours: string, theirs: string): boolean {
  const a = paramNames(ours), b = paramNames(theirs);
  return a.length === b.length && a.every((n, i) => n === b[i] || (i === 0 && PROJECT_ALIASES.has(n) && PROJECT_ALIASES.has(b[i])));
}

type Emit = (kind: string, where: string, grade: Grade, message: string, extra?: { ours?: string; theirs?: string; path?: string }) => void;

function compareOperation(c: Contract, t: TheirOp, doc: Obj, ours: Side, theirs: Side, emit: Emit): void {
  const op = t.op;
  if (t.path !== c.path) {
    // only the spelling of path parameters can differ here (same skeleton)
    const a = paramNames(c.path), b = paramNames(t.path);
    a.forEach((n, i) => {
      if (n === b[i] || (i === 0 && PROJECT_ALIASES.has(n) && PROJECT_ALIASES.has(b[i]))) return;
      emit('path-parameter-renamed', `path {${n}}`, 'additive', `path parameter {${n}} is spelled {${b[i]}} in their document (same URL on the wire; generated clients name it differently)`, { ours: `{${n}}`, theirs: `{${b[i]}}` });
    });
  }
  if (op.operationId !== undefined && op.operationId !== c.operationId) {
    emit('operation-id-changed', 'operationId', 'additive', `operationId is ${op.operationId} in their document, ${c.operationId} in ours`, { ours: c.operationId, theirs: String(op.operationId) });
  }
  if (op.deprecated === true) {
    emit('operation-deprecated', 'operation', 'additive', `their document marks ${t.method} ${t.path} deprecated${typeof firstParamDescription(op, t.item, doc) === 'string' ? ` ("${firstParamDescription(op, t.item, doc)}")` : ''}`, { theirs: 'deprecated' });
  }

  // parameters: path-item ones, overridden by the operation's
  const params = new Map<string, Obj>();
  for (const p of [...(Array.isArray(t.item.parameters) ? t.item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    const r = deref(doc, p);
    if (r && typeof r.name === 'string' && typeof r.in === 'string') params.set(`${r.in}:${r.name}`, r);
  }
  const paramSchema = (p: Obj): Raw => p.schema ?? jsonMedia(p.content)?.schema ?? Object.values(isObj(p.content) ? p.content : {})[0]?.schema;

  // path parameters: the value we put in the URL must be accepted
  const theirNames = paramNames(t.path);
  paramNames(c.path).forEach((n, i) => {
    const p = params.get(`path:${theirNames[i]}`);
    if (!p) return;
    compareSchemas(pathParamSchema(n, c.pathParams[n]), paramSchema(p), 'request', { ours, theirs, emit, prefix: `path {${n}}` });
  });

  // query parameters
  const ourQuery = c.query ?? {};
  for (const [name, q] of Object.entries(ourQuery)) {
    const p = params.get(`query:${name}`);
    if (!p) {
      emit('query-parameter-undocumented', `query ${name}`, 'additive', `query parameter ${name} (${q.required ? 'required' : 'optional'} in our contract) is not in their document`, { ours: q.required ? 'required' : 'optional', theirs: 'absent' });
      continue;
    }
    if (p.required === true && !q.required) emit('query-parameter-now-required', `query ${name}`, 'breaking', `query parameter ${name} is required in their document, optional in ours`, { ours: 'optional', theirs: 'required' });
    if (p.required !== true && q.required) emit('query-parameter-now-optional', `query ${name}`, 'additive', `query parameter ${name} is optional in their document, required in ours`, { ours: 'required', theirs: 'optional' });
    compareSchemas(q.schema, paramSchema(p), 'request', { ours, theirs, emit, prefix: `query ${name}` });
  }
  for (const p of params.values()) {
    if (p.in === 'path' || (p.in === 'query' && ourQuery[p.name])) continue;
    if (p.in === 'query' || p.in === 'header' || p.in === 'cookie') {
      if (p.in !== 'query' && p.required !== true) continue;
      if (p.required === true) emit(`${p.in}-parameter-required`, `${p.in} ${p.name}`, 'breaking', `their document requires ${p.in} parameter ${p.name}, which our contract does not send`, { ours: 'absent', theirs: 'required' });
      else emit('query-parameter-added', `query ${p.name}`, 'additive', `their document has optional query parameter ${p.name}`, { ours: 'absent', theirs: 'optional' });
    }
  }

  compareScopes(c, op.security ?? doc.security, emit);

  // request body
  const body = deref(doc, op.requestBody);
  if (!c.request) {
    if (body && body.required === true) emit('request-body-required', 'request', 'breaking', 'their document requires a request body; our contract sends none', { ours: 'none', theirs: 'required' });
    else if (body) emit('request-body-added', 'request', 'additive', `their document accepts an optional request body (${ctList(body.content).join(', ')})`, { ours: 'none', theirs: 'optional' });
  } else if (!body) {
    emit('request-body-undocumented', 'request', 'additive', 'their document describes no request body; our contract sends one', { ours: c.request.contentType, theirs: 'none' });
  } else {
    const media = jsonMedia(body.content);
    if (!media) emit('request-content-type-changed', 'request', 'breaking', `their document does not accept ${c.request.contentType} (only ${ctList(body.content).join(', ') || 'nothing'})`, { ours: c.request.contentType, theirs: ctList(body.content).join(', ') });
    else compareSchemas(c.request.schema, media.schema, 'request', { ours, theirs, emit, prefix: 'request' });
  }

  // responses: the success status and its body (error responses are not compared: PostHog documents none)
  const responses: Obj = isObj(op.responses) ? op.responses : {};
  const success = Object.keys(responses).filter((k) => /^2(\d\d|XX)$/i.test(k));
  const ourStatus = String(c.success.status);
  const describe = (status: string) => {
    const r = deref(doc, responses[status]);
    const cts = ctList(r?.content);
    return `${status} (${cts.length ? cts.join(', ') : 'no body'})`;
  };
  const ourDescr = `${ourStatus} (${c.success.contentType ?? 'no body'})`;
  const matchedStatus = success.find((k) => k === ourStatus) ?? success.find((k) => k.toUpperCase() === `${ourStatus[0]}XX`);
  if (!matchedStatus) {
    emit('success-status-changed', 'response status', 'breaking',
      success.length ? `their document's success response is ${success.map(describe).join(', ')}; our contract's is ${ourDescr}` : `their document has no success (2xx) response; our contract's is ${ourDescr}`,
      { ours: ourDescr, theirs: success.map(describe).join(', ') || 'none' });
    return;
  }
  for (const k of success) if (k !== matchedStatus) emit('success-status-added', `response ${k}`, 'additive', `their document also lists success response ${describe(k)}`, { ours: ourDescr, theirs: describe(k) });
  const resp = deref(doc, responses[matchedStatus]) ?? {};
  const content = isObj(resp.content) ? resp.content : undefined;
  const cts = ctList(content);
  const where = `response ${ourStatus}`;
  if (!c.success.contentType) {
    if (cts.length) emit('response-body-documented', where, 'additive', `their document gives ${ourStatus} a body (${cts.join(', ')}); our contract expects none`, { ours: 'no body', theirs: cts.join(', ') });
    return;
  }
  if (!cts.length) {
    emit('response-body-undocumented', where, 'breaking', `their document gives ${ourStatus} no response body${typeof resp.description === 'string' && resp.description ? ` ("${resp.description}")` : ''}; our contract expects ${c.success.contentType}`, { ours: c.success.contentType, theirs: 'no body' });
    return;
  }
  const want = c.success.contentType;
  const theirKey = want === 'application/json' ? jsonMedia(content)?.type : cts.find((k) => k.split(';')[0].trim() === want);
  if (!theirKey) {
    emit('response-content-type-changed', where, 'breaking', `their document gives ${ourStatus} as ${cts.join(', ')}, not ${want}`, { ours: want, theirs: cts.join(', ') });
    return;
  }
  for (const k of cts) if (k !== theirKey) emit('response-content-type-added', where, 'additive', `their document also offers ${ourStatus} as ${k}`, { ours: want, theirs: k });
  if (want === 'application/json' && c.success.schema) {
    compareSchemas(c.success.schema, content![theirKey]?.schema, 'response', { ours, theirs, emit, prefix: where });
  }
}

function firstParamDescription(op: Obj, item: Obj, doc: Obj): string | undefined {
  for (const p of [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    const r = deref(doc, p);
    if (r?.in === 'path' && typeof r.description === 'string' && /deprecat/i.test(r.description)) return r.description;
  }
  return undefined;
}

/** Does a key holding `held` satisfy `required`? X:write also satisfies X:read. */
function satisfies(held: string, required: string): boolean {
  if (held === required) return true;
  const [obj, level] = required.split(':');
  return level === 'read' && held === `${obj}:write`;
}

function compareScopes(c: Contract, security: unknown, emit: Emit): void {
  const reqs = Array.isArray(security) ? security.filter(isObj) : [];
  const scopes = [...new Set(reqs.flatMap((r) => Object.values(r).flatMap((v) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []))))];
  if (c.scope === null) {
    if (scopes.length) emit('scope-added', 'security', 'additive', `their document lets a personal API key with ${list(scopes)} call it; in our contract no key may (session only)`, { ours: 'none', theirs: list(scopes) });
    return;
  }
  if (!scopes.length) {
    emit('scope-removed', 'security', 'breaking', `their document lists no personal-API-key scope (no key may call it); our contract requires ${c.scope}`, { ours: c.scope, theirs: 'none' });
    return;
  }
  if (scopes.includes(c.scope)) return;
  // INTERNAL is met only by a * key, which satisfies any scope
  if (c.scope === 'INTERNAL' || scopes.every((s) => satisfies(c.scope!, s))) {
    emit('scope-changed', 'security', 'additive', `their document requires ${list(scopes)}; our contract ${c.scope} (a key that meets ours still passes)`, { ours: c.scope, theirs: list(scopes) });
  } else {
    emit('scope-changed', 'security', 'breaking', `their document requires ${list(scopes)}; a key with our contract's ${c.scope} would be refused`, { ours: c.scope, theirs: list(scopes) });
  }
}

interface Ctx { ours: Side; theirs: Side; emit: Emit; prefix: string }

const shown = (s: Shape) => describeTypes(s);
const fieldWhere = (ctx: Ctx, path: string) => `${ctx.prefix}${path ? ` ${path}` : ''}`;
const nonNull = (s: Shape) => [...s.types].filter((x) => x !== 'null');

/**
 * Compare one of our schemas with theirs. `request`: we send, they must accept it
 * (narrowing breaks); `response`: they send, we must accept it (widening breaks).
 */
export function compareSchemas(oursRaw: Raw, theirsRaw: Raw, dir: 'request' | 'response', ctx: Ctx, path = '', depth = 0): void {
  if (depth > MAX_DEPTH || theirsRaw === undefined) return;
  const o = normalize(oursRaw, ctx.ours);
  const t = normalize(theirsRaw, ctx.theirs);
  const w = fieldWhere(ctx, path);
  const label = path || (dir === 'request' ? 'the request body' : 'the response body');

  // types (a side without any type constraint is not compared, except that a request field of ours
  // that their document leaves untyped is accepted whatever we send: a widening)
  if (dir === 'request' && !o.any && t.any && !t.declaresProps) {
    ctx.emit('request-type-widened', w, 'additive', `their document accepts any JSON value for ${label} (ours sends ${shown(o)})`, { ours: shown(o), theirs: 'any' });
  }
  if (!o.any && !t.any) {
    const overlap = [...o.types].some((x) => typeIncludes(t.types, x) || (x === 'number' && t.types.has('integer')));
    if (!overlap) {
      ctx.emit('type-changed', w, 'breaking', `${label} is ${shown(t)} in their document, ${shown(o)} in ours`, { ours: shown(o), theirs: shown(t) });
      return;
    }
    const onlyOurs = [...o.types].filter((x) => !typeIncludes(t.types, x));
    const onlyTheirs = [...t.types].filter((x) => !typeIncludes(o.types, x));
    if (dir === 'request') {
      if (onlyOurs.length) ctx.emit('request-type-narrowed', w, 'breaking', `their document does not accept ${list(onlyOurs)} for ${label} (ours sends ${shown(o)}, theirs accepts ${shown(t)})`, { ours: shown(o), theirs: shown(t) });
      if (onlyTheirs.length) ctx.emit('request-type-widened', w, 'additive', `their document also accepts ${list(onlyTheirs)} for ${label}`, { ours: shown(o), theirs: shown(t) });
    } else if (onlyTheirs.length) {
      ctx.emit('response-type-widened', w, 'breaking', `their document lets ${label} be ${list(onlyTheirs)}, which our contract does not accept (ours ${shown(o)}, theirs ${shown(t)})`, { ours: shown(o), theirs: shown(t) });
    }

    // enums (null is a matter of types)
    if (o.enum && t.enum) {
      const tk = new Set(t.enum.map(valueKey)), ok = new Set(o.enum.map(valueKey));
      const removed = o.enum.filter((v) => !tk.has(valueKey(v)));
      const added = t.enum.filter((v) => !ok.has(valueKey(v)));
      if (dir === 'request') {
        if (removed.length) ctx.emit('enum-narrowed', w, 'breaking', `their document no longer accepts ${list(removed)} for ${label}`, { ours: list(o.enum), theirs: list(t.enum) });
        if (added.length) ctx.emit('enum-widened', w, 'additive', `their document also accepts ${list(added)} for ${label}`, { ours: list(o.enum), theirs: list(t.enum) });
      } else if (added.length) {
        ctx.emit('enum-widened', w, 'breaking', `their document lets ${label} be ${list(added)}, outside our contract's enum`, { ours: list(o.enum), theirs: list(t.enum) });
      }
    } else if (o.enum && !t.enum && nonNull(t).length) {
      if (dir === 'request') ctx.emit('enum-removed', w, 'additive', `their document accepts any ${list(nonNull(t))} for ${label}; ours lists ${list(o.enum)}`, { ours: list(o.enum), theirs: shown(t) });
      else ctx.emit('enum-removed', w, 'breaking', `their document lets ${label} be any ${list(nonNull(t))}; our contract accepts only ${list(o.enum)}`, { ours: list(o.enum), theirs: shown(t) });
    } else if (!o.enum && t.enum && dir === 'request' && nonNull(o).length) {
      // our contract leaves the value open and names none; their list restricts values ours never promised
      ctx.emit('enum-documented', w, 'additive', `their document restricts ${label} to ${plural(t.enum.length, 'value')} (${list(t.enum)}); our contract leaves it an open ${list(nonNull(o))}`, { ours: shown(o), theirs: list(t.enum) });
    }
  }

  // objects
  const objectish = (s: Shape) => s.declaresProps || s.closed || (!s.any && s.types.has('object'));
  if (objectish(o) || objectish(t)) compareProps(o, t, dir, ctx, path, depth);

  // arrays
  if (o.items !== undefined && t.items !== undefined) compareSchemas(o.items, t.items, dir, ctx, `${path}[]`, depth + 1);
}

function compareProps(o: Shape, t: Shape, dir: 'request' | 'response', ctx: Ctx, path: string, depth: number): void {
  const join = (k: string) => (path ? `${path}.${k}` : k);
  const hidden = (s: Shape) => (dir === 'request' ? s.readOnly : s.writeOnly);
  const visible = (shape: Shape, side: Side) => {
    const m = new Map<string, { raw: Raw; shape: Shape }>();
    const dropped = new Set<string>();
    for (const [k, raw] of shape.props) {
      const s = normalize(raw, side);
      if (hidden(s)) dropped.add(k);
      else m.set(k, { raw, shape: s });
    }
    return { m, dropped };
  };
  const ov = visible(o, ctx.ours);
  const tv = visible(t, ctx.theirs);
  const oReq = new Set([...o.required].filter((k) => !ov.dropped.has(k)));
  const tReq = new Set([...t.required].filter((k) => !tv.dropped.has(k)));
  const flag = dir === 'request' ? 'readOnly' : 'writeOnly';

  if (!o.declaresProps) {
    // our object is open (no properties listed): only a field they newly require in a request matters
    if (dir === 'request') {
      for (const k of tReq) if (!ov.m.has(k)) ctx.emit('request-field-required', fieldWhere(ctx, join(k)), 'breaking', `their document requires request field ${join(k)}, which our contract does not send`, { ours: 'absent', theirs: 'required' });
    }
    return;
  }

  for (const [k, { shape }] of tv.m) {
    if (ov.m.has(k) || ov.dropped.has(k)) continue;
    const f = join(k);
    if (dir === 'request') {
      if (tReq.has(k)) ctx.emit('request-field-required', fieldWhere(ctx, f), 'breaking', `their document requires request field ${f} (${shown(shape)}), which our contract does not send`, { ours: 'absent', theirs: `required ${shown(shape)}` });
      else ctx.emit('request-field-added', fieldWhere(ctx, f), 'additive', `their document accepts an optional request field ${f} (${shown(shape)})`, { ours: 'absent', theirs: `optional ${shown(shape)}` });
    } else {
      ctx.emit('response-field-added', fieldWhere(ctx, f), 'additive', `their document has response field ${f} (${shown(shape)}${tReq.has(k) ? ', required' : ''}), which our contract does not list`, { ours: 'absent', theirs: `${tReq.has(k) ? 'required' : 'optional'} ${shown(shape)}` });
    }
  }

  for (const [k, { raw }] of ov.m) {
    const f = join(k);
    const theirs = tv.m.get(k);
    if (!theirs) {
      const reason = tv.dropped.has(k) ? `it is ${flag} there` : 'it is not in their document';
      if (dir === 'request') {
        if (tv.dropped.has(k)) ctx.emit('request-field-read-only', fieldWhere(ctx, f), 'additive', `our contract sends ${f}, but ${reason}: a server ignores it`, { ours: oReq.has(k) ? 'required' : 'optional', theirs: 'readOnly' });
        else if (t.closed) ctx.emit('request-field-removed', fieldWhere(ctx, f), 'breaking', `our contract sends ${f}; their schema lists no such field and forbids additional properties`, { ours: oReq.has(k) ? 'required' : 'optional', theirs: 'absent (additionalProperties: false)' });
        else if (t.declaresProps) ctx.emit('request-field-undocumented', fieldWhere(ctx, f), 'additive', `our contract sends ${f} (${oReq.has(k) ? 'required' : 'optional'}); ${reason} (their schema does not forbid extra fields)`, { ours: oReq.has(k) ? 'required' : 'optional', theirs: 'absent' });
      } else if (oReq.has(k)) {
        ctx.emit('response-field-removed', fieldWhere(ctx, f), 'breaking', `our contract requires response field ${f}; ${reason}`, { ours: 'required', theirs: tv.dropped.has(k) ? 'writeOnly' : 'absent' });
      } else if (t.declaresProps) {
        ctx.emit('response-field-undocumented', fieldWhere(ctx, f), 'additive', `our contract lists optional response field ${f}; ${reason}`, { ours: 'optional', theirs: tv.dropped.has(k) ? 'writeOnly' : 'absent' });
      }
      continue;
    }
    if (dir === 'request') {
      if (tReq.has(k) && !oReq.has(k)) ctx.emit('request-field-now-required', fieldWhere(ctx, f), 'breaking', `their document requires request field ${f}; our contract has it optional`, { ours: 'optional', theirs: 'required' });
      if (oReq.has(k) && !tReq.has(k)) ctx.emit('request-field-now-optional', fieldWhere(ctx, f), 'additive', `their document has request field ${f} optional; our contract requires it`, { ours: 'required', theirs: 'optional' });
    } else if (oReq.has(k) && !tReq.has(k)) {
      ctx.emit('response-field-optional', fieldWhere(ctx, f), 'additive', `their document lists response field ${f} but does not mark it required; our contract requires it (documented fields are not graded breaking)`, { ours: 'required', theirs: 'optional' });
    }
    compareSchemas(raw, theirs.raw, dir, ctx, f, depth + 1);
  }
}

/** Mark differences that are one of the contract's declared divergences from PostHog's docs. */
function markKnown(diffs: Difference[], c: Contract): Difference[] {
  const successWhere = `response ${c.success.status}`;
  const itemPrefix = c.pagination?.style === 'limit-offset' ? `${successWhere} results[]` : `${successWhere} []`;
  const covers = (d: Divergence, x: Difference): boolean => {
    switch (d.about) {
      case 'success-status':
        return x.kind === 'success-status-changed';
      case 'success-body':
        return x.kind === 'success-status-changed' || x.kind === 'response-body-undocumented' || x.kind === 'response-content-type-changed' || x.where === successWhere || x.where.startsWith(`${successWhere} `);
      case 'item-schema':
        // the documented item carries fields the real item has not (e.g. Conversation's messages on a list of ConversationMinimal)
        return (x.kind === 'response-field-added' || x.kind === 'response-field-undocumented') && (x.where.startsWith(`${itemPrefix}.`) || x.where.startsWith(`${itemPrefix}[`));
      case 'request-body':
        return x.where === 'request' || x.where.startsWith('request ');
      default:
        return x.kind === d.about;
    }
  };
  for (const x of diffs) {
    const d = c.divergences.find((dv) => covers(dv, x));
    if (d) {
      x.known = true;
      x.divergence = { about: d.about, documented: d.documented, actual: d.actual, ref: d.ref };
    }
  }
  return diffs;
}

