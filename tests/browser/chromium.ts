// Opens a report in the machine's Debian Chromium (headless, no network of its own) and says what
// a person would see: console errors, failed requests, and for every chart whether it was drawn.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface ChartState {
  /** data-chart of the chart's container: equity, drawdown, candles, heatmap, liquidations-per-leverage. */
  name: string;
  /** Pixels that are neither transparent nor white. */
  inked: number;
  /** Pixels close to the isolated (#d9480f) and cross (#1971c2) colours. */
  isolated: number;
  cross: number;
  /** Pixels close to the up/down candle colours (#2b8a3e, #c92a2a). */
  up: number;
  down: number;
}

export interface PageReport {
  consoleErrors: string[];
  failedRequests: string[];
  /** Requests to anything but the report file itself. */
  otherRequests: string[];
  charts: ChartState[];
  text: string;
}

/** Loads `htmlPath`, waits for the page script to finish, inspects every canvas, saves a full-page screenshot. */
export async function inspectReport(browser: Browser, htmlPath: string, screenshotPath: string): Promise<PageReport> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const otherRequests: string[] = [];
  const url = pathToFileURL(htmlPath).href;
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('requestfailed', (r) => failedRequests.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    if (r.url() !== url) otherRequests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 20_000 });
  // a string, not a function: TypeScript transforms may add helpers (esbuild's __name) that the page lacks
  const charts = (await page.evaluate(INSPECT_CHARTS)) as ChartState[];
  const text = (await page.evaluate('document.body.innerText')) as string;
  await page.screenshot({ path: screenshotPath, fullPage: true });
  await page.close();
  return { consoleErrors, failedRequests, otherRequests, charts, text };
}

const INSPECT_CHARTS = `(() => {
  const near = (r, g, b, hex) => {
    const n = parseInt(hex.slice(1), 16);
    return Math.abs(r - (n >> 16)) + Math.abs(g - ((n >> 8) & 255)) + Math.abs(b - (n & 255)) < 40;
  };
  return [...document.querySelectorAll('[data-chart]')].map((div) => {
    const state = { name: div.dataset.chart || '', inked: 0, isolated: 0, cross: 0, up: 0, down: 0 };
    for (const canvas of div.querySelectorAll('canvas')) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
        if (a === 0 || (r > 250 && g > 250 && b > 250)) continue;
        state.inked++;
        if (near(r, g, b, '#d9480f')) state.isolated++;
        if (near(r, g, b, '#1971c2')) state.cross++;
        if (near(r, g, b, '#2b8a3e')) state.up++;
        if (near(r, g, b, '#c92a2a')) state.down++;
      }
    }
    return state;
  });
})()`;
