/**
 * Read a target's OpenAPI document from a URL (fetched with a timeout) or a
 * file, as JSON or YAML, and make sure it is OpenAPI 3.x.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The document cannot be read or is not OpenAPI 3.x: a usage-level failure (exit 2). */
export class DocumentError extends Error {}

export interface LoadedDocument {
  doc: Record<string, any>;
  source: string;
  /** 3.0.3, 3.1.0, ... */
  version: string;
  bytes: number;
}

/** A bare origin (https://us.posthog.com) means its schema endpoint, /api/schema/. */
export function schemaUrl(source: string): string {
  try {
    const u = new URL(source);
    if (u.pathname === '/' && !u.search) { u.pathname = '/api/schema/'; return u.toString(); }
  } catch { /* fetch reports it */ }
  return source;
}

export async function readSource(source: string, timeoutMs: number): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    source = schemaUrl(source);
    let res: Response;
    try {
      res = await fetch(source, {
        headers: { Accept: 'application/vnd.oai.openapi+json, application/json;q=0.9, application/vnd.oai.openapi, application/yaml;q=0.8, */*;q=0.5' },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : err.cause?.code ?? err.cause?.message ?? err.message;
      throw new DocumentError(`cannot fetch ${source}: ${why}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      const err = e as Error;
      throw new DocumentError(`cannot read the body of ${source}: ${err.name === 'TimeoutError' ? `not complete within ${timeoutMs / 1000} s` : err.message}`);
    }
    if (!res.ok) throw new DocumentError(`cannot fetch ${source}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    return text;
  }
  const path = source.startsWith('file:') ? fileURLToPath(source) : source;
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DocumentError(`cannot read ${source}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message}`);
  }
}

/** JSON or YAML text -> a value. */
export function parseDocument(text: string, source: string): unknown {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try { return JSON.parse(trimmed); } catch { /* YAML is a superset of JSON; let it report */ }
  }
  try {
    return parseYaml(trimmed, { maxAliasCount: -1, uniqueKeys: false, prettyErrors: true });
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new DocumentError(`${source} is neither JSON nor YAML (${first})`);
  }
}

export function checkOpenApi(value: unknown, source: string): { doc: Record<string, any>; version: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DocumentError(`${source} is not an OpenAPI document: expected a JSON/YAML object with an "openapi" field, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'plain text' : typeof value}`);
  }
  const doc = value as Record<string, any>;
  if (typeof doc.swagger === 'string') throw new DocumentError(`${source} is a Swagger ${doc.swagger} document; only OpenAPI 3.0 and 3.1 are supported`);
  const version = doc.openapi;
  if (typeof version !== 'string') throw new DocumentError(`${source} is not an OpenAPI document: it has no "openapi" version field`);
  if (!/^3\.[0-2](\.\d+)?(-.+)?$/.test(version)) throw new DocumentError(`${source} is OpenAPI ${version}; only OpenAPI 3.0 and 3.1 are supported`);
  if (typeof doc.paths !== 'object' || doc.paths === null || Array.isArray(doc.paths)) throw new DocumentError(`${source} is an OpenAPI ${version} document without "paths"`);
  return { doc, version };
}

export async function loadDocument(source: string, timeoutMs = 30_000): Promise<LoadedDocument> {
  const text = await readSource(source, timeoutMs);
  const { doc, version } = checkOpenApi(parseDocument(text, source), source);
  return { doc, source, version, bytes: Buffer.byteLength(text) };
}
