// `llmrec report --quick` end to end (the bar): a fresh LLMREC_HOME, the real pipeline (ML-100K, two
// training seeds of one epoch, the streaming ablation on 200 events), then the HTML page opened in headless
// Chromium with every request outside the page blocked: every section, table (with its rows) and plot (an SVG
// with drawn marks) listed in report.json must be there, and report.md must carry every table. A second run
// must reuse every cached task. Skips without the shared data, torch or Chromium.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { llmrecAsync } from '@llmrec/data/test-support/spawn-cli.ts';
import type { ReportDoc } from '@llmrec/eval/report/model.ts';
import { hasTorch as hasPythonTorch } from '@llmrec/data/test-support/python.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const hasTorch = hasPythonTorch();
const ready = Boolean(SHARED) && hasTorch && existsSync(CHROMIUM);
if (!ready) console.warn(`report.test skipped: needs ../shared/data (${Boolean(SHARED)}), torch (${hasTorch}) and ${CHROMIUM} (${existsSync(CHROMIUM)})`);

describe.skipIf(!ready)('llmrec report --quick', () => {
  const root = mkdtempSync(join(tmpdir(), 'llmrec-report-'));
  const home = join(root, 'home');
  const out = join(root, 'out');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes Markdown + HTML; Chromium finds every section, table and plot; a re-run is fully cached', async () => {
    const r = await llmrecAsync(['report', '--quick', '--home', home, '--out', out]);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportDoc;
    const ids = doc.sections.map((s) => s.id);
    expect(ids).toEqual(['main', 'component-ablation', 'loss-ablation', 'modality-robustness', 'cold-start', 'explanation-quality', 'efficiency']);
    const tables = doc.sections.flatMap((s) => s.tables);
    const plots = doc.sections.flatMap((s) => s.plots);
    // what main provides must be there: the ML-100K table with trained rows over two seeds, both ablations, cold start
    for (const t of ['main-ml-100k', 'component-ablation', 'loss-ablation', 'cold-ml-100k', 'efficiency-training', 'efficiency-serving']) expect(tables.map((x) => x.id)).toContain(t);
    for (const p of ['main-ndcg', 'sasrec-validation', 'component-ablation', 'loss-ablation']) expect(plots.map((x) => x.id)).toContain(p);
    const main = tables.find((t) => t.id === 'main-ml-100k')!;
    const sasrec = main.rows.find((row) => row[0]!.startsWith('SASRec'))!;
    expect(sasrec[1]).toMatch(/^0\.\d{4} ± 0\.\d{4}$/); // two training seeds: mean ± CI
    expect(sasrec[9]).toBe('training 1,2');
    // inputs main does not have are said to be missing, not filled in
    expect(doc.sections.find((s) => s.id === 'explanation-quality')!.unavailable[0]).toMatch(/^not available: /);

    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const t of tables) expect(md).toContain(`**${t.title}**`);
    for (const p of plots) expect(existsSync(join(out, 'plots', `${p.id}.svg`))).toBe(true);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      const outside: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
      for (const s of doc.sections) {
        await expect(page.locator(`section[data-report-section="${s.id}"] h2`).textContent()).resolves.toBe(s.title);
        for (const u of s.unavailable) expect(await page.locator(`section[data-report-section="${s.id}"] p.unavailable`, { hasText: u.slice(0, 40) }).count()).toBe(1);
      }
      for (const t of tables) {
        const rows = page.locator(`table[data-report-table="${t.id}"] tbody tr`);
        expect(await rows.count(), t.id).toBe(t.rows.length);
        expect(await page.locator(`table[data-report-table="${t.id}"] thead th`).count()).toBe(t.columns.length);
      }
      for (const p of plots) {
        const svg = page.locator(`figure[data-report-plot="${p.id}"] svg`);
        expect(await svg.count(), p.id).toBe(1);
        const box = await svg.boundingBox();
        expect(box!.width).toBeGreaterThan(100);
        expect(box!.height).toBeGreaterThan(100);
        // drawn marks (bars, lines, points), not an empty frame
        expect(await page.locator(`figure[data-report-plot="${p.id}"] svg g.mark-rect path, figure[data-report-plot="${p.id}"] svg g.mark-line path, figure[data-report-plot="${p.id}"] svg g.mark-symbol path`).count(), p.id).toBeGreaterThan(0);
      }
      expect(outside, 'the page must be self-contained').toEqual([]);
    } finally {
      await browser.close();
    }

    const again = await llmrecAsync(['report', '--quick', '--home', home, '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/train sasrec \d/); // no SASRec epoch ran again
    expect(again.stderr.match(/: cached/g)?.length).toBeGreaterThanOrEqual(10);
  }, 1_800_000);
});
