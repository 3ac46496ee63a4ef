// The HTML file: uPlot's script and stylesheet inlined (read from node_modules at render time),
// the report's data as a JSON script element, and the page script that draws it. Nothing is
// fetched when the file is opened, so it works offline and can be mailed around as one file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CLIENT_CSS, CLIENT_JS } from './client.js';

const require = createRequire(import.meta.url);

/** uPlot's IIFE build (defines the global `uPlot`) and its stylesheet. */
export function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

/** JSON safe inside a script element: no `</script>`, no HTML comment openers; non-finite numbers become null. */
export function embedJson(data: unknown): string {
  return JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The whole page for a view (a backtest or sweep model with a `title`). */
export function htmlPage(view: { title: string }): string {
  const { js, css } = uplotAssets();
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(view.title)}</title>`,
    `<style>${css}</style>`,
    `<style>${CLIENT_CSS}</style>`,
    '</head><body><main id="app"></main>',
    `<script type="application/json" id="report-data">${embedJson(view)}</script>`,
    `<script>${js}</script>`,
    `<script>${CLIENT_JS}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
