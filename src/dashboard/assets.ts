/**
 * The page's files, by path: the HTML, styles and ES modules are strings in this package (so `tsc` carries them to
 * `dist/` with no copy step), and uPlot is read once from its installed package (a runtime dependency), so the page
 * needs no network and no build.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { APP_JS } from './page-app-js.js';
import { CHART_JS } from './page-chart-js.js';
import { PAGE_CSS } from './page-css.js';
import { PAGE_HTML } from './page-html.js';
import { RENDER_JS } from './page-render-js.js';

/** One file of the page. */
export interface Asset {
  type: string;
  body: Buffer;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** uPlot's file, or a script that leaves `uPlot` undefined (the page then says the chart did not load) and why. */
function uplotFile(file: string, type: string): Asset {
  try {
    const path = createRequire(import.meta.url).resolve(`uplot/dist/${file}`);
    return { type, body: readFileSync(path) };
  } catch (error) {
    const why = `uplot/dist/${file} cannot be read (${error instanceof Error ? error.message : String(error)}): is the uplot package installed?`;
    return { type, body: Buffer.from(`/* ${why.replaceAll('*/', '* /')} */\n`) };
  }
}

let cached: ReadonlyMap<string, Asset> | undefined;

/**
 * Path → file, built once per process.
 * @example dashboardAssets().get('/')?.type // 'text/html; charset=utf-8'
 */
export function dashboardAssets(): ReadonlyMap<string, Asset> {
  cached ??= new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: Buffer.from(PAGE_HTML) }],
    ['/dashboard/style.css', { type: CSS, body: Buffer.from(PAGE_CSS) }],
    ['/dashboard/app.js', { type: JS, body: Buffer.from(APP_JS) }],
    ['/dashboard/render.js', { type: JS, body: Buffer.from(RENDER_JS) }],
    ['/dashboard/chart.js', { type: JS, body: Buffer.from(CHART_JS) }],
    ['/dashboard/uplot.js', uplotFile('uPlot.iife.min.js', JS)],
    ['/dashboard/uplot.css', uplotFile('uPlot.min.css', CSS)],
  ]);
  return cached;
}
