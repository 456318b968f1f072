#!/usr/bin/env node
// Render reports/report.html in headless Chromium (Debian's `chromium`) and save a PNG beside it.
// Usage: node scripts/screenshot.mjs [reports/report.html] [out.png]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export function chromiumPath() {
  for (const p of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (p && existsSync(p)) return p;
  return undefined;
}

export function screenshot(html, png, { width = 1400, height = 2000 } = {}) {
  const bin = chromiumPath();
  if (!bin) throw new Error('no Chromium found (apt-get install chromium, or set CHROMIUM=/path/to/chrome)');
  const profile = mkdtempSync(join(tmpdir(), 'pc-chromium-'));
  try {
    execFileSync(bin, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--hide-scrollbars',
      `--window-size=${width},${height}`, `--screenshot=${resolve(png)}`, pathToFileURL(resolve(html)).href,
    ], { stdio: 'pipe', timeout: 60_000 });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  return statSync(png).size;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const html = process.argv[2] ?? 'reports/report.html';
  const png = process.argv[3] ?? html.replace(/\.html$/, '.png');
  const size = screenshot(html, png);
  console.log(`${png} (${size} bytes)`);
}
