/**
 * Small emulations of Django REST framework (DRF) and Python behaviours that PostHog's API
 * inherits and a client can observe: serializer field parsing and error messages, the
 * `invalid` -> `invalid_input` renaming of drf-exceptions-hog, LimitOffsetPagination's integer
 * parsing and `replace_query_param` / `remove_query_param` link building.
 * (posthog-contract.md §1.4, §1.5)
 */

/** A parsed field value, or its DRF error (`path`: nested key below the field, joined with `__`). */
export type Parsed<T = unknown> = { ok: true; value: T } | { ok: false; code: string; detail: string; path?: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (code: string, detail: string): Parsed<never> => ({ ok: false, code, detail });

/** One validation error as drf-exceptions-hog reports it: the first error of the first failing field. */
export interface FieldError {
  /** field name, nested keys joined with `__`; null for non-field errors */
  attr: string | null;
  /** DRF error code, with `invalid` already renamed `invalid_input` */
  code: string;
  detail: string;
}

export function hogCode(code: string): string {
  return code === 'invalid' ? 'invalid_input' : code;
}

// ---------------------------------------------------------------------------------------------
// Python-ish renderings of JSON values, used in DRF messages
// ---------------------------------------------------------------------------------------------

/** Python `type(v).__name__` of a JSON value. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return pyStr(v);
}

/** Python `str(v)` of a JSON value. */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return pyRepr(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Python `int(s)` for a query-string value; null where Python raises ValueError. */
export function pyInt(s: string): number | null {
  const t = s.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return null;
  const n = Number(t.replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

// ---------------------------------------------------------------------------------------------
// Serializer fields
// ---------------------------------------------------------------------------------------------

export interface Field {
  required?: boolean;
  allowNull?: boolean;
  /** value used when the key is absent and the field is optional (DRF `default`) */
  default?: unknown;
  parse(value: unknown): Parsed;
}

export type FieldSet = Array<[name: string, field: Field]>;

export type RunResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: FieldError };

/**
 * DRF `Serializer.to_internal_value` + `Field.validate_empty_values`: fields are checked in
 * declaration order and the first failing one is reported (that is what drf-exceptions-hog
 * picks out of DRF's ordered error dict). Missing + required -> `required`; null + not
 * nullable -> `null`; with `partial` (PATCH) missing fields are skipped.
 */
export function runFields(data: Record<string, unknown>, fields: FieldSet, opts: { partial?: boolean; prefix?: string } = {}): RunResult {
  const out: Record<string, unknown> = {};
  for (const [name, field] of fields) {
    const attr = opts.prefix ? `${opts.prefix}__${name}` : name;
    if (!Object.prototype.hasOwnProperty.call(data, name) || data[name] === undefined) {
      if (opts.partial) continue;
      if (field.required) return { ok: false, error: { attr, code: 'required', detail: 'This field is required.' } };
      if (field.default !== undefined) out[name] = field.default;
      continue;
    }
    const raw = data[name];
    if (raw === null) {
      if (!field.allowNull) return { ok: false, error: { attr, code: 'null', detail: 'This field may not be null.' } };
      out[name] = null;
      continue;
    }
    const parsed = field.parse(raw);
    if (!parsed.ok) {
      const full = parsed.path ? `${attr}__${parsed.path}` : attr;
      return { ok: false, error: { attr: full, code: hogCode(parsed.code), detail: parsed.detail } };
    }
    out[name] = parsed.value;
  }
  return { ok: true, value: out };
}

/** The error DRF gives a serializer whose input is not a dict (`non_field_errors` -> attr null). */
export function notADict(data: unknown, prefix?: string): FieldError {
  return {
    attr: prefix ? `${prefix}__non_field_errors` : null,
    code: 'invalid_input',
    detail: `Invalid data. Expected a dictionary, but got ${pyTypeName(data)}.`,
  };
}

interface Opts {
  required?: boolean;
  allowNull?: boolean;
  default?: unknown;
}

/** DRF CharField: numbers are coerced to str, other non-strings are `invalid`; blank after trim -> `blank`. */
export function CharField(o: Opts & { maxLength?: number; allowBlank?: boolean; trim?: boolean } = {}): Field {
  const trim = o.trim ?? true;
  return {
    ...o,
    parse(v) {
      if (typeof v === 'string' && (v === '' || (trim && v.trim() === ''))) {
        return o.allowBlank ? ok('') : bad('blank', 'This field may not be blank.');
      }
      if (typeof v === 'boolean' || (typeof v !== 'string' && typeof v !== 'number')) {
        return bad('invalid', 'Not a valid string.');
      }
      let s = typeof v === 'number' ? String(v) : v;
      if (trim) s = s.trim();
      if (s.includes('\u0000')) return bad('null_characters_not_allowed', 'Null characters are not allowed.');
      if (o.maxLength !== undefined && [...s].length > o.maxLength) {
        return bad('max_length', `Ensure this field has no more than ${o.maxLength} characters.`);
      }
      return ok(s);
    },
  };
}

const TRUE_VALUES = new Set<unknown>(['t', 'T', 'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', '1', 1, true]);
const FALSE_VALUES = new Set<unknown>(['f', 'F', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF', '0', 0, false]);
const NULL_VALUES = new Set<unknown>(['null', 'Null', 'NULL', '']);

/** DRF BooleanField: only its TRUE_VALUES / FALSE_VALUES are accepted. */
export function BooleanField(o: Opts = {}): Field {
  return {
    ...o,
    parse(v) {
      if (TRUE_VALUES.has(v)) return ok(true);
      if (FALSE_VALUES.has(v)) return ok(false);
      if (o.allowNull && NULL_VALUES.has(v)) return ok(null);
      return bad('invalid', 'Must be a valid boolean.');
    },
  };
}

/** DRF ChoiceField: matched on `str(value)`; else `invalid_choice` `"<input>" is not a valid choice.` */
export function ChoiceField(choices: ReadonlyArray<string | number>, o: Opts & { allowBlank?: boolean } = {}): Field {
  const byString = new Map(choices.map((c) => [String(c), c]));
  return {
    ...o,
    parse(v) {
      if (v === '' && o.allowBlank) return ok('');
      const key = pyStr(v);
      if (byString.has(key) && typeof v !== 'object' && typeof v !== 'boolean') return ok(byString.get(key));
      return bad('invalid_choice', `"${key}" is not a valid choice.`);
    },
  };
}

/** Python `uuid.UUID(hex=...)` leniency (braces, `urn:uuid:`, no dashes); returns the canonical form. */
export function parseUuid(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const hex = v.replace('urn:', '').replace('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function UUIDField(o: Opts = {}): Field {
  return {
    ...o,
    parse(v) {
      const u = parseUuid(v);
      return u ? ok(u) : bad('invalid', 'Must be a valid UUID.');
    },
  };
}

/** DRF IntegerField: ints, or strings like "12" / "12.0". */
export function IntegerField(o: Opts = {}): Field {
  return {
    ...o,
    parse(v) {
      if (typeof v === 'number' && Number.isInteger(v)) return ok(v);
      if (typeof v === 'string') {
        if (v.length > 1000) return bad('max_string_length', 'String value too large.');
        const n = pyInt(v.replace(/\.0*\s*$/, ''));
        if (n !== null) return ok(n);
      }
      return bad('invalid', 'A valid integer is required.');
    },
  };
}

const DATETIME_HELP = 'YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-hh:mm|Z]';
const DATETIME_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Django `parse_datetime` as used by DRF DateTimeField, normalised to DRF's output form
 * (`YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, UTC). Returns null when Django would not parse it.
 */
export function parseDateTime(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = DATETIME_RE.exec(v.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi, s = '0', frac = '', tz] = m;
  if (m[4] !== undefined && mi === undefined) return null; // an hour alone is not enough for Django's regex
  const nums = [Number(y), Number(mo), Number(d), Number(h), Number(mi ?? 0), Number(s)];
  const [Y, M, D, H, Mi, S] = nums as [number, number, number, number, number, number];
  if (M < 1 || M > 12 || D < 1 || H > 23 || Mi > 59 || S > 59) return null;
  const daysInMonth = new Date(Date.UTC(Y, M, 0)).getUTCDate();
  if (D > daysInMonth) return null;
  let offsetMin = 0;
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
  }
  const micro = Number(frac.padEnd(6, '0') || 0);
  const ms = Date.UTC(Y, M - 1, D, H, Mi, S) - offsetMin * 60_000;
  return pyIsoFormat(ms, micro);
}

/** DRF's rendering of an aware UTC datetime: microseconds only when non-zero, `Z` suffix. */
export function pyIsoFormat(epochMs: number, micro = 0): string {
  const base = new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19);
  const us = micro || (epochMs % 1000) * 1000;
  return us ? `${base}.${String(us).padStart(6, '0')}Z` : `${base}Z`;
}

export function DateTimeField(o: Opts = {}): Field {
  return {
    ...o,
    parse(v) {
      const iso = parseDateTime(v);
      return iso ? ok(iso) : bad('invalid', `Datetime has wrong format. Use one of these formats instead: ${DATETIME_HELP}.`);
    },
  };
}

export function DictField(o: Opts = {}): Field {
  return {
    ...o,
    parse(v) {
      return isPlainObject(v) ? ok(v) : bad('not_a_dict', `Expected a dictionary of items but got type "${pyTypeName(v)}".`);
    },
  };
}

export function ListField(o: Opts = {}): Field {
  return {
    ...o,
    parse(v) {
      return Array.isArray(v) ? ok(v) : bad('not_a_list', `Expected a list of items but got type "${pyTypeName(v)}".`);
    },
  };
}

/** DRF JSONField: any JSON value. */
export function JSONField(o: Opts = {}): Field {
  return { ...o, parse: (v) => ok(v) };
}

// ---------------------------------------------------------------------------------------------
// Query strings, as Python's urllib.parse does them (DRF pagination links)
// ---------------------------------------------------------------------------------------------

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8');

/** urllib.parse.unquote_plus (errors='replace'). */
export function unquotePlus(s: string): string {
  const bytes: number[] = [];
  const src = s.replace(/\+/g, ' ');
  for (let i = 0; i < src.length; ) {
    if (src[i] === '%' && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = src.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...utf8.encode(ch));
      i += ch.length;
    }
  }
  return utf8d.decode(new Uint8Array(bytes));
}

/** urllib.parse.quote_plus (safe=''): only `A-Za-z0-9_.-~` stay as is, space -> `+`. */
export function quotePlus(s: string): string {
  let out = '';
  for (const b of utf8.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9_.\-~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** urllib.parse.parse_qs(query, keep_blank_values=True), preserving first-seen key order. */
export function parseQs(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const piece of query.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const name = unquotePlus(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : unquotePlus(piece.slice(eq + 1));
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

function codePointCompare(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  for (let i = 0; i < Math.min(A.length, B.length); i++) {
    const d = A[i]!.codePointAt(0)! - B[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return A.length - B.length;
}

/** urlencode(sorted(query_dict.items()), doseq=True) */
function encodeSorted(q: Map<string, string[]>): string {
  return [...q.entries()]
    .sort(([a], [b]) => codePointCompare(a, b))
    .flatMap(([k, vs]) => vs.map((v) => `${quotePlus(k)}=${quotePlus(v)}`))
    .join('&');
}

function splitUrl(url: string): { base: string; query: string; fragment: string } {
  const hash = url.indexOf('#');
  const fragment = hash < 0 ? '' : url.slice(hash);
  const noFrag = hash < 0 ? url : url.slice(0, hash);
  const qm = noFrag.indexOf('?');
  return { base: qm < 0 ? noFrag : noFrag.slice(0, qm), query: qm < 0 ? '' : noFrag.slice(qm + 1), fragment };
}

/** rest_framework.utils.urls.replace_query_param: the whole query is re-encoded, sorted by key. */
export function replaceQueryParam(url: string, key: string, value: string | number): string {
  const { base, query, fragment } = splitUrl(url);
  const q = parseQs(query);
  q.set(key, [String(value)]);
  const enc = encodeSorted(q);
  return `${base}${enc ? `?${enc}` : ''}${fragment}`;
}

/** rest_framework.utils.urls.remove_query_param */
export function removeQueryParam(url: string, key: string): string {
  const { base, query, fragment } = splitUrl(url);
  const q = parseQs(query);
  q.delete(key);
  const enc = encodeSorted(q);
  return `${base}${enc ? `?${enc}` : ''}${fragment}`;
}
