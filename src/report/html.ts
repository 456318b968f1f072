/**
 * reports/report.html: one self-contained page (inline CSS, no script, no
 * network): the endpoint x family matrix coloured by verdict, the scope grid
 * (endpoint x key), and every failure with its rule, clause, expected vs
 * actual, the exchanges (redacted, truncated) and a curl command.
 */
import type { Results } from './results.js';
import type { CaseResult } from '../runner.js';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const ORDER = ['fail', 'non-strict', 'pass', 'informational', 'skipped'] as const;

function worst(cs: CaseResult[]): string {
  return ORDER.find((v) => cs.some((c) => c.verdict === v)) ?? 'none';
}

function cell(cs: CaseResult[], title: string): string {
  if (!cs.length) return '<td class="none">·</td>';
  const w = worst(cs);
  const n = cs.filter((c) => c.verdict === w).length;
  const link = cs.find((c) => c.verdict === w)!;
  return `<td class="${w}" title="${esc(title)}"><a href="#${esc(encodeURIComponent(link.id))}">${esc(w)} ${n}/${cs.length}</a></td>`;
}

function exchangeHtml(ex: CaseResult['exchanges'][number]): string {
  const req = ex.request;
  const head = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join('\n');
  const res = ex.response
    ? `HTTP ${ex.response.status} (${ex.response.ms} ms)\n${head(ex.response.headers)}\n\n${esc(ex.response.body)}`
    : `no response: ${esc(ex.error)}`;
  const stream = ex.stream ? `<details><summary>stream</summary><pre>${esc(JSON.stringify(ex.stream, null, 2))}</pre></details>` : '';
  return `<div class="ex"><div class="label">${esc(ex.label)} · ${esc(req.auth)}</div>
<pre class="req">${esc(req.method)} ${esc(req.url)}\n${head(req.headers)}${req.body !== undefined ? `\n\n${esc(req.body)}` : ''}</pre>
<pre class="res">${res}</pre>${stream}
<pre class="curl">${esc(ex.curl)}</pre></div>`;
}

export function renderHtml(r: Results): string {
  const endpoints = [...new Set(r.cases.map((c) => c.endpoint))].sort();
  const fams = [...new Set(r.cases.map((c) => c.family))].sort();
  const keys = [...new Set(r.cases.filter((c) => c.family === 'scopes' && c.key).map((c) => c.key!))].sort();
  const t = r.totals;
  const matrix = `<table class="grid"><tr><th>endpoint</th>${fams.map((f) => `<th>${esc(f)}</th>`).join('')}</tr>
${endpoints.map((e) => `<tr><th class="row">${esc(e)}</th>${fams.map((f) => cell(r.cases.filter((c) => c.endpoint === e && c.family === f), `${e} · ${f}`)).join('')}</tr>`).join('\n')}</table>`;
  const scopeGrid = keys.length
    ? `<h2>Scope grid (endpoint × key)</h2><table class="grid"><tr><th>endpoint</th>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>
${endpoints.map((e) => `<tr><th class="row">${esc(e)}</th>${keys.map((k) => cell(r.cases.filter((c) => c.endpoint === e && c.family === 'scopes' && c.key === k), `${e} · ${k}`)).join('')}</tr>`).join('\n')}</table>`
    : '';
  const rank = (c: CaseResult) => ORDER.indexOf(c.verdict as (typeof ORDER)[number]);
  const shown = r.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skipped').sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
  const skipped = r.cases.filter((c) => c.verdict === 'skipped');
  const skippedHtml = skipped.length
    ? `<h2>Skipped (${skipped.length})</h2><table class="findings"><tr><th>case</th><th>reason</th></tr>${skipped.map((c) => `<tr id="${esc(encodeURIComponent(c.id))}"><td><code>${esc(c.id)}</code></td><td>${esc(c.skipReason)}</td></tr>`).join('')}</table>`
    : '';
  const details = shown.map((c) => `<section id="${esc(encodeURIComponent(c.id))}" class="case ${c.verdict}">
<h3><span class="badge ${c.verdict}">${esc(c.verdict)}</span> ${esc(c.id)}</h3>
<p class="rule"><code>${esc(c.rule)}</code> [${esc(c.strength)}] ${esc(c.title)}<br><span class="clause">${esc(c.ref)}: “${esc(c.quote)}”</span></p>
${c.skipReason ? `<p>Skipped: ${esc(c.skipReason)}</p>` : ''}
${c.findings.length ? `<table class="findings"><tr><th>finding</th><th>expected</th><th>actual</th></tr>${c.findings.map((f) => `<tr><td>${esc(f.message)}</td><td><code>${esc(typeof f.expected === 'string' ? f.expected : JSON.stringify(f.expected) ?? '')}</code></td><td><code>${esc(typeof f.actual === 'string' ? f.actual : JSON.stringify(f.actual) ?? '')}</code></td></tr>`).join('')}</table>` : ''}
${c.verdict === 'skipped' ? '' : c.exchanges.map(exchangeHtml).join('\n')}
</section>`).join('\n');
  const created = r.created.length
    ? `<h2>What this run created</h2><table class="findings"><tr><th>kind</th><th>id</th><th>name</th><th>removed</th><th>note</th></tr>${r.created.map((c) => `<tr><td>${esc(c.kind)}</td><td>${esc(c.id)}</td><td>${esc(c.name)}</td><td>${c.removed ? 'yes' : 'no'}</td><td>${esc(c.note)}</td></tr>`).join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>posthog-contract ${esc(r.runId)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d1f23;background:#fafafa}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px} h3{font-size:14px;margin:0 0 6px;font-family:ui-monospace,Menlo,monospace}
.meta{color:#555} .verdict{font-weight:700;font-size:16px} .verdict.bad{color:#b3261e} .verdict.good{color:#1e7b34}
table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.grid td{text-align:center;font-size:12px;min-width:84px} .grid th.row{font-family:ui-monospace,Menlo,monospace;font-weight:500}
.grid a{color:inherit;text-decoration:none;display:block}
td.pass{background:#d7f2dc} td.fail{background:#f8c9c4} td.non-strict{background:#fde7b0} td.informational{background:#d9e8fb} td.skipped{background:#eee;color:#777} td.none{color:#bbb}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#fff;background:#888;font-family:system-ui}
.badge.fail{background:#b3261e} .badge.non-strict{background:#b07d00} .badge.informational{background:#2f6fbf} .badge.skipped{background:#888}
.case{background:#fff;border:1px solid #ddd;border-left:5px solid #888;padding:10px 14px;margin:10px 0}
.case.fail{border-left-color:#b3261e} .case.non-strict{border-left-color:#d69e00} .case.informational{border-left-color:#2f6fbf}
.clause{color:#555;font-size:12px} pre{background:#f4f4f4;padding:6px 8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all;font-size:12px;margin:4px 0}
pre.curl{background:#1d1f23;color:#e8e8e8} .ex .label{font-size:12px;color:#444;margin-top:8px} .findings td{font-size:12px}
</style></head><body>
<h1>posthog-contract report</h1>
<p class="verdict ${r.failed ? 'bad' : 'good'}">${r.failed ? 'Contract broken' : 'Conforms'}: ${t.pass} pass · ${t.fail} fail · ${t['non-strict']} non-strict · ${t.informational} informational · ${t.skipped} skipped (${t.cases} cases)</p>
<p class="meta">Target <code>${esc(r.target.baseUrl)}</code>${r.target.embedded ? ' (embedded reference)' : ''} · project ${esc(r.target.projectId)} · run <code>${esc(r.runId)}</code> · seed <code>${esc(r.seed)}</code> · ${esc(r.startedAt)} · ${(r.durationMs / 1000).toFixed(1)} s${r.strict ? ' · strict' : ''}${r.readOnly ? ` · read-only (${esc(r.readOnlyReason)})` : ''}</p>
<p class="meta">Verdicts: <b>fail</b> = a MUST rule broken (fails the run) · <b>non-strict</b> = a SHOULD missed (fails only with --strict) · <b>informational</b> = a note, e.g. where the docs and PostHog's code differ · <b>skipped</b> = the configuration lacks what the case needs (never counted as passed).</p>
<h2>Endpoint × family</h2>
${matrix}
${scopeGrid}
${created}
${r.errors.length ? `<h2>Harness errors</h2>${r.errors.map((e) => `<pre>${esc(e)}</pre>`).join('')}` : ''}
<h2>Findings (${shown.length})</h2>
${details || '<p>None: every case that ran passed.</p>'}
${skippedHtml}
</body></html>
`;
}
