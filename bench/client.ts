// Benchmark of the web client (issue 13). Size: esbuild bundles (minified ESM, browser target) of the typed
// client and the <llmrec-recommendations> widget, gzip level 9, for the whole client, what a page keeps when
// it imports only recommend (tree-shaking), recommend + events, and the widget bundle the edge serves
// (goal: client <= 5 KiB min+gzip). Browser: headless Chromium (Debian's, playwright-core) on the /demo page
// of a Node edge over the synthetic fixture catalog (60 items, real worker app in-process): time to the first
// rendered list, and click -> event posted -> list re-ranked and rendered, per click (medians, p95).
import { gzipSync } from 'node:zlib';
import { bundle, CLIENT_ENTRY } from '../client/scripts/bundle.ts';
import { WIDGET_JS } from '@llmrec/edge/web/widget-bundle.ts';
import { startFixtureEdge } from '../tests/support/fixture-edge.ts';
import { hasChromium, launchChromium } from '../tests/browser/support.ts';
import { atMost, percentile, type BenchSuite, type Metric } from './lib/suite.ts';

const KIB = 1024;
const gz = (s: string) => gzipSync(Buffer.from(s), { level: 9 }).length;
const bytes = (v: number, target?: number): Metric => (target !== undefined ? atMost(v, 'bytes', target) : { value: v, unit: 'bytes' });
const ms = (v: number): Metric => ({ value: Math.round(v * 10) / 10, unit: 'ms' });

async function sizes(): Promise<Record<string, Metric>> {
  const full = await bundle({ file: CLIENT_ENTRY });
  const only = await bundle({ contents: "import { createClient, recommend } from './index.ts'; export { createClient, recommend };" });
  const withEvents = await bundle({ contents: "import { createClient, recommend, sendEvents } from './index.ts'; export { createClient, recommend, sendEvents };" });
  return {
    client_full_min_gzip: bytes(gz(full), 5 * KIB),
    client_full_min: bytes(full.length),
    client_recommend_only_min_gzip: bytes(gz(only)),
    client_recommend_events_min_gzip: bytes(gz(withEvents)),
    widget_bundle_min_gzip: bytes(gz(WIDGET_JS)),
    widget_bundle_min: bytes(WIDGET_JS.length),
  };
}

async function browser(clicks: number, log: (m: string) => void): Promise<Record<string, Metric>> {
  const PK = 'pk_bench_0123456789abcdef';
  const edge = await startFixtureEdge({ config: { publishableKeys: [{ key: PK, origins: ['self'] }], publishableRateLimit: { requests: 100_000, windowSec: 60 } } });
  const b = await launchChromium();
  try {
    const firstRender: number[] = [];
    const clickToUpdate: number[] = [];
    for (let run = 0; run < 3; run++) {
      const page = await b.newPage({ viewport: { width: 1280, height: 900 } });
      const t0 = performance.now();
      await page.goto(`${edge.url}/demo`);
      await page.locator('llmrec-recommendations .title').nth(4).waitFor();
      firstRender.push(performance.now() - t0);
      for (let i = 0; i < clicks; i++) {
        const status = page.locator('llmrec-recommendations [role=status]');
        const t1 = performance.now();
        await page.locator('llmrec-recommendations button.card').first().click();
        await status.filter({ hasText: `Updated after you chose` }).waitFor();
        clickToUpdate.push(performance.now() - t1);
        await page.evaluate(() => {
          document.querySelector('llmrec-recommendations')!.shadowRoot!.querySelector('[role=status]')!.textContent = '';
        });
      }
      await page.close();
      log(`browser run ${run + 1}/3: first render ${firstRender.at(-1)!.toFixed(0)} ms`);
    }
    return {
      demo_first_render_ms_median: ms(percentile(firstRender, 50)),
      click_to_updated_list_ms_median: ms(percentile(clickToUpdate, 50)),
      click_to_updated_list_ms_p95: ms(percentile(clickToUpdate, 95)),
    };
  } finally {
    await b.close();
    await edge.close();
  }
}

export const suite: BenchSuite = {
  name: 'client',
  description: 'web client: min+gzip sizes (full, tree-shaken, widget) and the widget in headless Chromium (first render, click -> re-ranked list)',
  async run(ctx) {
    const metrics = await sizes();
    const clicks = ctx.quick ? 3 : 15;
    const notes = ['sizes: esbuild (bundled, minified ESM, es2022, browser) then gzip -9; no runtime dependencies are bundled because there are none'];
    if (hasChromium) Object.assign(metrics, await browser(clicks, ctx.log));
    else notes.push('browser figures skipped: /usr/bin/chromium not found');
    return {
      metrics,
      setup: {
        sizes: { bundler: 'esbuild', format: 'esm', target: 'es2022', minify: true, gzipLevel: 9 },
        browser: { engine: 'Debian chromium (headless) via playwright-core', page: '/demo on a Node edge (@hono/node-server)', catalog: 'synthetic fixture, 60 items, dim 8, worker app in-process', runs: 3, clicksPerRun: clicks, k: 10, explain: true },
      },
      notes,
    };
  },
};
