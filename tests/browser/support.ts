// Browser test support: Debian's Chromium driven by playwright-core (no browser download), pages that may
// only reach the local servers a test names (anything else is blocked and reported), screenshots in the test
// output folder ($LLMREC_TEST_OUTPUT, default <repo>/test-output/browser; not committed), and small static
// "other origin" sites that embed the widget the way a customer's site would.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from '../../test-support/free-port.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
// Non-loopback hosts go to a proxy that does not exist, so nothing outside this machine is reachable (Chromium
// bypasses proxies for loopback). Requests are observed, not intercepted: Playwright's request interception
// answers CORS preflights itself, which would hide exactly what these tests check.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--proxy-server=http://127.0.0.1:9'];

export const OUTPUT_DIR = resolve(process.env.LLMREC_TEST_OUTPUT ?? join(import.meta.dirname, '..', '..', 'test-output', 'browser'));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export interface GuardedPage {
  page: Page;
  /** Requests to anything but the allowed origins (they fail: no proxy). */
  blocked: string[];
  /** Uncaught page errors. */
  errors: string[];
}

/** A page that may only talk to `allowed` origins. */
export async function guardedPage(browser: Browser, allowed: readonly string[], viewport = { width: 1280, height: 900 }): Promise<GuardedPage> {
  const page = await browser.newPage({ viewport });
  const blocked: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && !allowed.some((o) => url.startsWith(`${o}/`) || url === o)) blocked.push(url);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, blocked, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Titles shown by the widget (inside its shadow root). */
export function widgetTitles(page: Page, selector = 'llmrec-recommendations'): Promise<string[]> {
  return page.locator(`${selector} .title`).allTextContents();
}

export interface Site {
  origin: string;
  close(): Promise<void>;
}

/** A customer's site on another origin: one page embedding the widget from the edge with a publishable key. */
export async function startSite(host: string, page: (origin: string) => string): Promise<Site> {
  const port = await freePort();
  const origin = `http://${host}:${port}`;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(origin));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { origin, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export function embedPage(edgeUrl: string, key: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop on another origin</title></head>
<body style="font-family: sans-serif; margin: 1rem">
<h1>Shop (another origin)</h1>
<llmrec-recommendations endpoint="${edgeUrl}" api-key="${key}" k="6" heading="Picked for you"></llmrec-recommendations>
<script type="module" src="${edgeUrl}/demo/widget.js"></script>
</body></html>`;
}
