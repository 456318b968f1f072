/** Small pure helpers shared by the checks. */
import { validate, type Contract, type JsonSchema } from '../contracts.js';
import { mediaType, type Exchange } from '../http.js';
import type { Finding } from '../rules.js';

export const ERROR_SCHEMA: JsonSchema = { $ref: '../components/Error.json' };

/** A finding when the exchange has no HTTP response at all (refused, timeout). */
export function noResponse(ex: Exchange): Finding[] {
  return ex.response ? [] : [{ message: `no HTTP response: ${ex.error ?? 'unknown transport failure'}` }];
}

export function statusIs(ex: Exchange, expected: number | number[], what: string): Finding[] {
  if (!ex.response) return noResponse(ex);
  const ok = Array.isArray(expected) ? expected.includes(ex.response.status) : ex.response.status === expected;
  return ok ? [] : [{ message: what, expected: Array.isArray(expected) ? expected.join(' or ') : expected, actual: ex.response.status }];
}

/** The body is PostHog's error shape; optionally with the given type and code. */
export function errorBody(c: Contract, ex: Exchange, type?: string, code?: string): Finding[] {
  if (!ex.response) return noResponse(ex);
  if (ex.json === undefined) return [{ message: 'the error response has no JSON body', expected: '{type, code, detail, attr}', actual: ex.response.text.slice(0, 200) || '(empty)' }];
  const errs = validate(c, 'error-body', ERROR_SCHEMA, ex.json);
  if (errs.length) return [{ message: 'the error body is not {type, code, detail, attr}', expected: 'Error.json', actual: errs.map((e) => `${e.path} ${e.message}`).join('; ') }];
  const body = ex.json as { type: string; code: string };
  if (type && body.type !== type) return [{ message: 'the error type differs', expected: type, actual: body.type }];
  return code && body.code !== code ? [{ message: 'the error code differs', expected: code, actual: body.code }] : [];
}

export function contentTypeIs(ex: Exchange, expected: string): Finding[] {
  const actual = mediaType(ex);
  return actual === expected ? [] : [{ message: 'the Content-Type differs', expected, actual: ex.response?.headers['content-type'] ?? '(none)' }];
}
