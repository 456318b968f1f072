/**
 * `posthog-contract openapi`: our contract as an OpenAPI 3.1 document.
 * `posthog-contract drift`: compare a target's OpenAPI document with our contract.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { contracts } from '../contracts.js';
import { buildOpenApi } from './generate.js';
import { compareDocument } from './drift.js';
import { DocumentError, loadDocument } from './load.js';
import { consoleTable, sorted, writeReports, type DriftReport } from './report.js';

export { buildOpenApi } from './generate.js';
export { compareDocument, type Difference, type DriftResult } from './drift.js';
export { loadDocument, DocumentError } from './load.js';

export const OPENAPI_HELP = `posthog-contract openapi — the contract as an OpenAPI 3.1 document

Usage:
  posthog-contract openapi [--out FILE] [--format json|yaml]

Generated from schemas/ alone: every operation of the contract (operationId, path and
query parameters, request body, responses by status and content type, text/event-stream
events under x-sse-events), the personal-API-key scheme (http bearer) with each
operation's required scope, the session scheme, the known divergences from PostHog's
published docs (x-posthog-divergences) and the components of schemas/components/.

Options:
  --out FILE            write the document to FILE (default: standard output)
  --format json|yaml    output format (default: from FILE's extension, else json)
  -h, --help            this help

Exit: 0 written; 2 usage error.
`;

export const DRIFT_HELP = `posthog-contract drift — compare a target's OpenAPI document with the contract

Usage:
  posthog-contract drift --against URL|FILE [--report-dir DIR] [--timeout MS]

  --against URL|FILE    the target's OpenAPI 3.0 or 3.1 document, JSON or YAML: a file, or a URL
                        fetched with a timeout (PostHog serves it at /api/schema/, e.g.
                        https://us.posthog.com/api/schema/; a bare origin means its /api/schema/)
  --report-dir DIR      where drift.json and drift.md go (CONTRACT_REPORT_DIR, default reports)
  --timeout MS          fetch timeout in milliseconds (default 30000)
  -h, --help            this help

Compares the ten operations of the contract: missing or extra operations, path and query
parameters, scopes, request fields (added, removed, required-ness, type, enum values),
success status codes, response content types and fields. OpenAPI 3.0 nullable, allOf/oneOf/
anyOf wrappers, readOnly/writeOnly, $ref and {environment_id} vs {project_id} are understood.

Grades, for a client built on the contract:
  breaking   it would break (a required response field gone, a newly required request field,
             a narrowed enum, a changed success status, a missing operation, ...)
  additive   it would not (a new optional field, a widened enum, an extra operation, ...)
  known      one of the contract's declared divergences from PostHog's docs (conversations
             create 201 vs 200 SSE, append_message 200 vs 201, cancel 200 vs 204, batch
             exports "No response body"): reported, never counted as breaking

Exit: 0 no breaking drift; 1 breaking drift; 2 usage error or unreadable document.
`;

function usage(command: string, msg: string): number {
  process.stderr.write(`posthog-contract ${command}: ${msg}\nRun 'posthog-contract ${command} --help' for usage.\n`);
  return 2;
}

/** The lead's CLI may pass the subcommand along; drop it. */
const strip = (argv: string[], name: string) => (argv[0] === name ? argv.slice(1) : argv);

export async function openapiCommand(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: strip(argv, 'openapi'), allowPositionals: false, strict: true,
      options: { out: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (e) {
    return usage('openapi', (e as Error).message);
  }
  if (o.help) { process.stdout.write(OPENAPI_HELP); return 0; }
  const format = o.format ?? (o.out && /\.ya?ml$/i.test(o.out) ? 'yaml' : 'json');
  if (format !== 'json' && format !== 'yaml') return usage('openapi', `--format must be json or yaml, not ${format}`);
  if (o.out === '') return usage('openapi', '--out needs a file name');
  const doc = buildOpenApi(contracts());
  const text = format === 'yaml' ? toYaml(doc, { lineWidth: 0, aliasDuplicateObjects: false }) : JSON.stringify(doc, null, 2) + '\n';
  if (o.out) {
    try {
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, text);
    } catch (e) {
      return usage('openapi', `cannot write ${o.out}: ${(e as Error).message}`);
    }
    process.stderr.write(`posthog-contract openapi: wrote ${o.out} (OpenAPI ${doc.openapi}, ${Object.keys(doc.paths).length} paths, ${contracts().length} operations)\n`);
  } else process.stdout.write(text);
  return 0;
}

export interface DriftOptions {
  against: string;
  reportDir?: string;
  timeoutMs?: number;
  /** console output (default: process.stdout) */
  write?: (s: string) => void;
}

/** Load, compare, print, write the reports; the exit code. Throws DocumentError on an unreadable document. */
export async function runDrift(opts: DriftOptions): Promise<{ report: DriftReport; files: { json: string; md: string } }> {
  const loaded = await loadDocument(opts.against, opts.timeoutMs ?? 30_000);
  const list = contracts();
  const result = compareDocument(loaded.doc, list);
  const exitCode = result.summary.breaking > 0 ? 1 : 0;
  const info = loaded.doc.info ?? {};
  const report: DriftReport = {
    tool: 'posthog-contract drift',
    generatedAt: new Date().toISOString(),
    against: opts.against,
    document: { openapi: loaded.version, ...(typeof info.title === 'string' ? { title: info.title } : {}), ...(typeof info.version === 'string' ? { version: info.version } : {}) },
    operations: { contract: result.operations, matched: result.matched },
    summary: result.summary,
    exitCode,
    differences: sorted(result.differences, list.map((c) => c.id)),
  };
  const files = writeReports(report, opts.reportDir ?? process.env.CONTRACT_REPORT_DIR ?? 'reports');
  (opts.write ?? ((s) => process.stdout.write(s)))(consoleTable(report) + `Reports: ${files.json}, ${files.md}\n`);
  return { report, files };
}

export async function driftCommand(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: strip(argv, 'drift'), allowPositionals: false, strict: true,
      options: { against: { type: 'string' }, 'report-dir': { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (e) {
    return usage('drift', (e as Error).message);
  }
  if (o.help) { process.stdout.write(DRIFT_HELP); return 0; }
  if (!o.against) return usage('drift', '--against URL|FILE is required');
  if (o.timeout !== undefined && !/^[1-9]\d*$/.test(o.timeout)) return usage('drift', `--timeout must be milliseconds, not ${o.timeout}`);
  if (o['report-dir'] === '') return usage('drift', '--report-dir needs a directory');
  try {
    const { report } = await runDrift({ against: o.against, reportDir: o['report-dir'], timeoutMs: o.timeout ? Number(o.timeout) : undefined });
    return report.exitCode;
  } catch (e) {
    if (e instanceof DocumentError) {
      process.stderr.write(`posthog-contract drift: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
