// GET /docs renders in a real browser with no internet: headless Chromium (playwright-core) loads the Node
// edge's docs page with every non-local request blocked, and Swagger UI must list the API's operations.
// Skips when /usr/bin/chromium is absent (scripts/setup.sh installs it). Screenshot: $LLMREC_DOCS_SCREENSHOT,
// default <tmpdir>/llmrec-docs-page.png (not committed).
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type RunningEdge } from '@llmrec/edge/entry-node.ts';
import { httpWorkerClient } from '@llmrec/edge/worker-client.ts';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { testConfig } from './support/harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`docs-page test skipped: ${CHROMIUM} not found (apt-get install -y chromium, or run scripts/setup.sh)`);

describe.skipIf(!hasChromium)('GET /docs in headless Chromium (offline)', () => {
  let edge: RunningEdge;
  let browser: Browser;

  beforeAll(async () => {
    const config = testConfig();
    edge = await startEdge({ store: createMemoryStore(), config, worker: httpWorkerClient({ url: config.workerUrl, secret: config.workerSecret }) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 20_000);
  afterAll(async () => {
    await browser?.close();
    await edge?.close();
  });

  it('Swagger UI renders the operations from the edge’s own assets', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const blocked: string[] = [];
    const failed: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(edge.url) || url.startsWith('data:')) return route.continue();
      blocked.push(url);
      return route.abort('internetdisconnected');
    });
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('pageerror', (e) => failed.push(`page error: ${e.message}`));

    await page.goto(`${edge.url}/docs`, { waitUntil: 'load' });
    const op = page.locator('.opblock-summary-path', { hasText: '/v1/recommend' }).first();
    await op.waitFor({ state: 'visible', timeout: 10_000 }).catch((err: Error) => {
      throw new Error(`Swagger UI did not render /v1/recommend (blocked: ${blocked.join(', ') || 'none'}; failed: ${failed.join(', ') || 'none'}): ${err.message}`);
    });
    await expect(page.locator('.info .title').first().textContent()).resolves.toContain('llmrec-edge API');
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(5);

    const shot = process.env.LLMREC_DOCS_SCREENSHOT ?? join(tmpdir(), 'llmrec-docs-page.png');
    await page.screenshot({ path: shot, fullPage: false });
    console.log(`docs page screenshot: ${shot}`);
    expect(blocked, 'the docs page must not need the internet').toEqual([]);
    expect(failed).toEqual([]);
  }, 20_000);
});
