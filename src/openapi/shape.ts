/**
 * A schema dialect-neutral view of a JSON Schema / OpenAPI Schema Object, for
 * comparing our contract's JSON Schemas (2020-12, file-relative `$ref`s) with a
 * target's OpenAPI 3.0 or 3.1 schemas (`#/components/...` `$ref`s, `nullable`,
 * drf-spectacular's `allOf: [$ref]` wrappers with `readOnly` siblings).
 *
 * `normalize` flattens one level: `$ref`, `allOf`, `oneOf`/`anyOf` and
 * `nullable` are folded into one Shape; children (properties, items) stay raw
 * schemas and are normalised on demand, so cyclic components cannot loop.
 */

export type JType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
export type Raw = unknown;

/** Resolves `$ref`s of one side (ours or theirs). */
export interface Side {
  name: 'ours' | 'theirs';
  resolve(ref: string): Raw | undefined;
}

export interface Shape {
  /** no type constraint is known (no `type`, no `enum`) */
  any: boolean;
  types: Set<JType>;
  /** allowed non-null values; undefined: not enumerated */
  enum?: unknown[];
  props: Map<string, Raw>;
  declaresProps: boolean;
  required: Set<string>;
  items?: Raw;
  /** `additionalProperties: false` */
  closed: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  /** the component a `$ref` named, for messages */
  refName?: string;
}

const TYPES: JType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function typeOfValue(v: unknown): JType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'object') return typeof v as JType;
  return 'string';
}

function emptyShape(): Shape {
  return { any: true, types: new Set(), props: new Map(), declaresProps: false, required: new Set(), closed: false, readOnly: false, writeOnly: false };
}

export const valueKey = (v: unknown): string => JSON.stringify(v);

/** Type sets with integer ⊂ number. */
export function typeIncludes(set: Set<JType>, t: JType): boolean {
  return set.has(t) || (t === 'integer' && set.has('number'));
}

function intersectTypes(a: Set<JType>, b: Set<JType>): Set<JType> {
  const out = new Set<JType>();
  for (const t of a) {
    if (typeIncludes(b, t)) out.add(t);
    else if (t === 'number' && b.has('integer')) out.add('integer');
  }
  return out;
}

function intersect(a: Shape, b: Shape): Shape {
  const out = emptyShape();
  out.any = a.any && b.any;
  out.types = a.any ? new Set(b.types) : b.any ? new Set(a.types) : intersectTypes(a.types, b.types);
  if (a.enum && b.enum) {
    const keys = new Set(b.enum.map(valueKey));
    out.enum = a.enum.filter((v) => keys.has(valueKey(v)));
  } else out.enum = a.enum ?? b.enum;
  out.props = new Map(a.props);
  for (const [k, v] of b.props) out.props.set(k, out.props.has(k) ? { allOf: [out.props.get(k), v] } : v);
  out.declaresProps = a.declaresProps || b.declaresProps;
  out.required = new Set([...a.required, ...b.required]);
  out.items = a.items !== undefined && b.items !== undefined ? { allOf: [a.items, b.items] } : a.items ?? b.items;
  out.closed = a.closed || b.closed;
  out.readOnly = a.readOnly || b.readOnly;
  out.writeOnly = a.writeOnly || b.writeOnly;
  out.refName = a.refName ?? b.refName;
  return out;
}

function union(branches: Shape[]): Shape {
  const out = emptyShape();
  if (!branches.length) return out;
  out.any = branches.some((b) => b.any);
  out.types = new Set(branches.flatMap((b) => [...b.types]));
  // enumerated only if every branch is (a null-only branch adds no value)
  const valued = branches.filter((b) => !(b.types.size === 1 && b.types.has('null') && !b.any));
  if (valued.length && valued.every((b) => b.enum)) {
    const seen = new Map<string, unknown>();
    for (const b of valued) for (const v of b.enum!) seen.set(valueKey(v), v);
    out.enum = [...seen.values()];
  }
  for (const b of branches) for (const [k, v] of b.props) out.props.set(k, out.props.has(k) ? { anyOf: [out.props.get(k), v] } : v);
  out.declaresProps = branches.some((b) => b.declaresProps);
  const objectBranches = branches.filter((b) => b.declaresProps || b.types.has('object'));
  out.required = objectBranches.length ? new Set([...objectBranches[0].required].filter((k) => objectBranches.every((b) => b.required.has(k)))) : new Set();
  const items = branches.map((b) => b.items).filter((i) => i !== undefined);
  out.items = items.length === 0 ? undefined : items.length === 1 ? items[0] : { anyOf: items };
  out.closed = branches.every((b) => b.closed);
  out.readOnly = branches.every((b) => b.readOnly);
  out.writeOnly = branches.every((b) => b.writeOnly);
  const names = [...new Set(branches.map((b) => b.refName).filter(Boolean))];
  out.refName = names.length === 1 ? names[0] : undefined;
  return out;
}

/** Fold `$ref`, `allOf`, `oneOf`, `anyOf`, `nullable` of one schema into a Shape. */
export function normalize(schema: Raw, side: Side, depth = 0): Shape {
  if (schema === true || schema === undefined || depth > 32) return emptyShape();
  if (schema === false) return { ...emptyShape(), any: false };
  if (!isObj(schema)) return emptyShape();
  const parts: Shape[] = [];

  // the schema's own keywords
  const own = emptyShape();
  const t = schema.type;
  if (typeof t === 'string' && (TYPES as string[]).includes(t)) { own.any = false; own.types.add(t as JType); }
  else if (Array.isArray(t)) { own.any = false; for (const x of t) if ((TYPES as string[]).includes(x)) own.types.add(x as JType); }
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined;
  if (values) {
    own.enum = values.filter((v) => v !== null);
    const valueTypes = new Set(values.map(typeOfValue));
    if (own.any) { own.any = false; own.types = valueTypes; }
    else if (valueTypes.has('null')) own.types.add('null');
  }
  if (isObj(schema.properties)) {
    own.declaresProps = Object.keys(schema.properties).length > 0;
    for (const [k, v] of Object.entries(schema.properties)) own.props.set(k, v);
  }
  if (Array.isArray(schema.required)) for (const k of schema.required) if (typeof k === 'string') own.required.add(k);
  if ('items' in schema && !Array.isArray(schema.items)) own.items = schema.items;
  own.closed = schema.additionalProperties === false || schema.unevaluatedProperties === false;
  own.readOnly = schema.readOnly === true;
  own.writeOnly = schema.writeOnly === true;
  parts.push(own);

  if (typeof schema.$ref === 'string') {
    const target = side.resolve(schema.$ref);
    const s = normalize(target, side, depth + 1);
    s.refName ??= refName(schema.$ref);
    parts.push(s);
  }
  if (Array.isArray(schema.allOf)) for (const b of schema.allOf) parts.push(normalize(b, side, depth + 1));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length) parts.push(union(branches.map((b) => normalize(b, side, depth + 1))));
  }
  const out = parts.reduce((a, b) => intersect(a, b));
  // OpenAPI 3.0: `nullable: true` admits null for the whole schema (on an untyped schema it changes nothing)
  if (schema.nullable === true && !out.any) out.types.add('null');
  return out;
}

export function refName(ref: string): string {
  const tail = ref.split(/[/#]/).filter(Boolean).pop() ?? ref;
  return tail.replace(/\.json$/, '');
}

/** A JSON pointer (`#/a/b`) into a document. */
export function pointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let cur: unknown = doc;
  for (const seg of ref.slice(1).split('/').filter((s) => s !== '')) {
    const key = decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Follow `$ref`s of a non-schema OpenAPI object (parameter, requestBody, response). */
export function deref(doc: unknown, x: unknown, depth = 0): Record<string, unknown> | undefined {
  if (!isObj(x)) return undefined;
  if (typeof x.$ref === 'string' && depth < 16) return deref(doc, pointer(doc, x.$ref), depth + 1);
  return x;
}

export function describeTypes(s: Shape): string {
  if (s.any) return 'any';
  const types = [...s.types].filter((t) => t !== 'null');
  let out = types.join('|') || 'null';
  if (s.enum) {
    const shown = s.enum.slice(0, 12).map((v) => JSON.stringify(v)).join(', ');
    out = `enum(${shown}${s.enum.length > 12 ? `, … ${s.enum.length} values` : ''})`;
  }
  if (s.types.has('null') && types.length) out += ' | null';
  return out;
}
