/** reports/summary.md: short markdown for a CI job summary ($GITHUB_STEP_SUMMARY). */
import type { Results } from './results.js';

const ICON: Record<string, string> = { pass: '✅', fail: '❌', 'non-strict': '⚠️', informational: 'ℹ️', skipped: '⏭️' };

export function renderSummary(r: Results): string {
  const t = r.totals;
  const lines = [
    `# posthog-contract: ${r.failed ? '❌ contract broken' : '✅ conforms'}`,
    '',
    `Target \`${r.target.baseUrl}\`${r.target.embedded ? ' (embedded reference)' : ''} · run \`${r.runId}\` · seed \`${r.seed}\` · ${(r.durationMs / 1000).toFixed(1)} s${r.strict ? ' · strict' : ''}${r.readOnly ? ' · read-only' : ''}`,
    '',
    '| cases | pass | fail | non-strict | informational | skipped |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${t.cases} | ${t.pass} | ${t.fail} | ${t['non-strict']} | ${t.informational} | ${t.skipped} |`,
    '',
  ];
  if (r.readOnlyReason) lines.push(`> ${r.readOnlyReason}`, '');
  const bad = r.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'non-strict');
  if (bad.length) {
    const byRule = new Map<string, typeof bad>();
    for (const c of bad) byRule.set(c.rule, [...(byRule.get(c.rule) ?? []), c]);
    lines.push('## Failing rules', '', '| rule | strength | clause | cases |', '|---|---|---|---|');
    for (const [rule, cs] of [...byRule].sort(([a], [b]) => a.localeCompare(b))) {
      const ids = cs.slice(0, 8).map((c) => `[\`${c.id}\`](report.html#${encodeURIComponent(c.id)})`).join(', ') + (cs.length > 8 ? `, … ${cs.length - 8} more` : '');
      lines.push(`| ${ICON[cs[0].verdict]} \`${rule}\` | ${cs[0].strength} | ${cs[0].ref} | ${ids} |`);
    }
    lines.push('');
  }
  const endpoints = [...new Set(r.cases.map((c) => c.endpoint))].sort();
  const fams = [...new Set(r.cases.map((c) => c.family))].sort();
  if (endpoints.length) {
    lines.push('## Endpoints', '', `| endpoint | ${fams.join(' | ')} |`, `|---|${fams.map(() => '---').join('|')}|`);
    for (const e of endpoints) {
      const cells = fams.map((f) => {
        const cs = r.cases.filter((c) => c.endpoint === e && c.family === f);
        if (!cs.length) return '·';
        const worst = ['fail', 'non-strict', 'pass', 'informational', 'skipped'].find((v) => cs.some((c) => c.verdict === v))!;
        const n = cs.filter((c) => c.verdict === worst).length;
        return `${ICON[worst]} ${n}/${cs.length}`;
      });
      lines.push(`| \`${e}\` | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  if (r.created.length) {
    const kept = r.created.filter((c) => !c.removed);
    lines.push(`Created ${r.created.length} resource(s), removed ${r.created.length - kept.length}${kept.length ? `; kept: ${kept.map((k) => `${k.kind} ${k.id}`).join(', ')}` : ''}.`, '');
  }
  if (r.errors.length) lines.push('## Harness errors', '', ...r.errors.map((e) => `- ${e.split('\n')[0]}`), '');
  lines.push('Full details: `reports/report.html`, `reports/results.json`, `reports/junit.xml`.');
  return `${lines.join('\n')}\n`;
}

/** The compact verdict table printed at the end of a run. */
export function renderConsole(r: Results, reportDir = 'reports'): string {
  const t = r.totals;
  const endpoints = [...new Set(r.cases.map((c) => c.endpoint))].sort();
  const fams = [...new Set(r.cases.map((c) => c.family))].sort();
  const w = Math.max(10, ...endpoints.map((e) => e.length));
  const col = 12;
  const out = ['', `${'endpoint'.padEnd(w)}  ${fams.map((f) => f.padEnd(col)).join('')}`];
  for (const e of endpoints) {
    out.push(`${e.padEnd(w)}  ${fams.map((f) => {
      const cs = r.cases.filter((c) => c.endpoint === e && c.family === f);
      if (!cs.length) return '·'.padEnd(col);
      const fail = cs.filter((c) => c.verdict === 'fail').length;
      const ns = cs.filter((c) => c.verdict === 'non-strict').length;
      const cell = fail ? `FAIL ${fail}/${cs.length}` : ns ? `warn ${ns}/${cs.length}` : `ok ${cs.filter((c) => c.verdict === 'pass' || c.verdict === 'informational').length}/${cs.length}`;
      return cell.padEnd(col);
    }).join('')}`);
  }
  const bad = r.cases.filter((c) => c.verdict === 'fail' || (c.verdict === 'non-strict'));
  if (bad.length) {
    out.push('', 'Failing rules:');
    const rules = [...new Set(bad.map((c) => c.rule))].sort();
    for (const rule of rules) {
      const cs = bad.filter((c) => c.rule === rule);
      out.push(`  ${cs[0].verdict === 'fail' ? 'FAIL' : 'warn'} ${rule} [${cs[0].strength}] ${cs.length} case(s): ${cs.slice(0, 3).map((c) => c.id).join(', ')}${cs.length > 3 ? ', …' : ''}`);
    }
  }
  out.push('', `${r.failed ? 'CONTRACT BROKEN' : 'CONFORMS'}: ${t.pass} pass, ${t.fail} fail, ${t['non-strict']} non-strict, ${t.informational} informational, ${t.skipped} skipped (${t.cases} cases) · run ${r.runId} · reports in ${reportDir}/`);
  return out.join('\n');
}
