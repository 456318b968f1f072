/**
 * The drift report: a console table, reports/drift.json and reports/drift.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Difference, DriftResult } from './drift.js';

export interface DriftReport {
  tool: 'posthog-contract drift';
  generatedAt: string;
  against: string;
  document: { openapi: string; title?: string; version?: string };
  operations: { contract: number; matched: number };
  summary: DriftResult['summary'];
  exitCode: number;
  differences: Difference[];
}

export const gradeLabel = (d: Difference) => (d.known ? `known (${d.grade})` : d.grade);

const ORDER: Record<string, number> = { breaking: 0, additive: 1 };
/** Unknown breaking first, then additive, then known; the contract's operation order within. */
export function sorted(diffs: Difference[], operationOrder: string[]): Difference[] {
  const pos = (op: string) => { const i = operationOrder.indexOf(op); return i < 0 ? operationOrder.length : i; };
  const rank = (d: Difference) => (d.known ? 2 : ORDER[d.grade]);
  return diffs.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || pos(a.d.operation) - pos(b.d.operation) || a.i - b.i).map((x) => x.d);
}

function verdict(r: DriftReport): string {
  const s = r.summary;
  return `${s.breaking} breaking, ${s.additive} additive, ${s.known} known divergence${s.known === 1 ? '' : 's'} (${r.operations.matched}/${r.operations.contract} contract operations found)`;
}

export function consoleTable(r: DriftReport): string {
  const rows = r.differences.map((d) => [gradeLabel(d), d.operation, d.where, d.message]);
  const head = ['grade', 'operation', 'where', 'difference'];
  const width = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) => [0, 1, 2].map((i) => row[i].padEnd(width[i])).join('  ') + '  ' + row[3];
  const out = [`drift: ${r.against} (OpenAPI ${r.document.openapi}${r.document.title ? `, ${r.document.title}` : ''}${r.document.version ? ` ${r.document.version}` : ''})`, ''];
  if (rows.length) {
    out.push(line(head), line(width.map((n) => '-'.repeat(n)).concat('-'.repeat(10))));
    for (const row of rows) out.push(line(row));
    out.push('');
  } else out.push('No differences.', '');
  out.push(verdict(r));
  out.push(r.summary.breaking ? 'Breaking drift: a client built on the contract would break against this document.' : 'No breaking drift.');
  return out.join('\n') + '\n';
}

const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdown(r: DriftReport): string {
  const out = [
    '# Contract drift',
    '',
    `Against: \`${r.against}\` (OpenAPI ${r.document.openapi}${r.document.title ? `, ${cell(r.document.title)}` : ''}${r.document.version ? ` ${cell(r.document.version)}` : ''}), ${r.generatedAt}.`,
    '',
    `**${verdict(r)}.** ${r.summary.breaking ? 'Exit 1: breaking drift.' : 'Exit 0: no breaking drift.'}`,
    '',
    'Graded for a client built on the contract: *breaking* (it would break against a server that behaves as the document says), *additive* (it would not), ' +
      "*known* (one of the contract's declared divergences between PostHog's documentation and its code: reported, never counted as breaking).",
    '',
  ];
  if (!r.differences.length) out.push('No differences.');
  else {
    out.push('| # | grade | operation | where | kind | difference | ours | theirs |', '|---|---|---|---|---|---|---|---|');
    r.differences.forEach((d, i) => {
      const known = d.divergence ? ` Known divergence (${d.divergence.about}, ${d.divergence.ref}): documented "${d.divergence.documented}", actual "${d.divergence.actual}".` : '';
      out.push(`| ${i + 1} | ${gradeLabel(d)} | ${cell(d.operation)} | ${cell(d.where)} | ${d.kind} | ${cell(d.message + known)} | ${cell(d.ours)} | ${cell(d.theirs)} |`);
    });
  }
  return out.join('\n') + '\n';
}

export function writeReports(r: DriftReport, dir: string): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'drift.json');
  const md = join(dir, 'drift.md');
  writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(md, markdown(r));
  return { json, md };
}
