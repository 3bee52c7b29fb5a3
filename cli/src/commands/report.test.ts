// `llmrec report --quick` end to end (the bar): a fresh LLMREC_HOME, the real pipeline (ML-100K, two
// training seeds of one epoch, two cold-item splits and pipelines, the streaming ablation on 200 events), then the HTML page opened in headless
// Chromium with every request outside the page blocked: every section, table (with its rows) and plot (an SVG
// with drawn marks) listed in report.json must be there, and report.md must carry every table. A second run
// must reuse every cached task. Skips without the shared data, torch or Chromium.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED } from '@llmrec/data/test-support/shared-data.ts';
import { llmrecAsync } from '@llmrec/data/test-support/spawn-cli.ts';
import { REPO_ROOT } from '@llmrec/data/index.ts';
import { EvalJson } from '@llmrec/eval/report.ts';
import { supersedeKey } from '@llmrec/eval/report/external.ts';
import { readLlmEval } from '@llmrec/eval/report/llm-row.ts';
import type { ReportDoc } from '@llmrec/eval/report/model.ts';
import { hasTorch as hasPythonTorch } from '@llmrec/data/test-support/python.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const hasTorch = hasPythonTorch();
const ready = Boolean(SHARED) && hasTorch && existsSync(CHROMIUM);
if (!ready) console.warn(`report.test skipped: needs ../shared/data (${Boolean(SHARED)}), torch (${hasTorch}) and ${CHROMIUM} (${existsSync(CHROMIUM)})`);

describe.skipIf(!ready)('llmrec report --quick', () => {
  const root = mkdtempSync(join(tmpdir(), 'llmrec-report-'));
  // LLMREC_REPORT_TEST_HOME: reuse a home an earlier `llmrec report --quick --home DIR` filled (checking the page
  // without retraining while working on the report); CI leaves it unset, so the report starts from nothing
  const home = process.env.LLMREC_REPORT_TEST_HOME ?? join(root, 'home');
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
    // every table and plot the report must have: the ML-100K main table with trained rows over two seeds (fused
    // included), both ablations and − multimodal fusion, cold start (cold split, and the cold-item evaluation of the
    // content / fused models the report runs), modality robustness (the report's cold-item grid and the tracked
    // leave-one-out document in results/), explanation quality (tracked document), efficiency
    // the report's own cold-item table: its id gains a models/number suffix when a tracked document shares the prefix
    const ownCold = tables.find((x) => x.id.startsWith('cold-items-ml-100k-cold-items') && !x.notes.some((n) => n.includes('`results/')))?.id;
    expect(ownCold).toBeDefined();
    // − evidence soft tokens / − evidence: from the tracked LLM evaluation record when it carries --evidence-ablation
    const evidence = readLlmEval(join(REPO_ROOT, 'results'), 'ml-100k')?.record.ablation ? ['component-evidence-ml-100k'] : [];
    const TABLES = ['main-ml-100k', 'component-ablation', 'component-fusion-ml-100k', ...evidence, 'loss-ablation', 'loss-contrastive-ml-100k', 'modality-ml-100k-cold-items', 'cold-ml-100k', ownCold!, 'efficiency-training', 'efficiency-scoring', 'efficiency-serving'];
    const PLOTS = ['main-ndcg', 'sasrec-validation', 'component-ablation', 'loss-ablation', 'modality-ml-100k-cold-items', 'cold-start', ownCold!];
    // and one table + plot per tracked document of another evaluation in results/ (read here, not from the report)
    const SECTION_OF: Record<string, string> = { 'modality-drop': 'modality', explanation: 'explanation', 'cold-items': 'cold-items' };
    // A tracked document is superseded by the report's own run of the same evaluation (same dataset, split, phase and
    // models: eval/src/report/external.ts newestDocs), e.g. the cold-item grid --quick runs itself; that one is in TABLES.
    const docsIn = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.endsWith('.json')).flatMap((f) => {
      const p = EvalJson.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      return p.success ? [{ f, doc: p.data }] : [];
    });
    const own = new Set([join(home, 'results'), join(home, 'report-cache', 'quick', 'content')].flatMap(docsIn).map((d) => supersedeKey(d.doc)));
    const tracked = docsIn(join(REPO_ROOT, 'results')).flatMap(({ f, doc }) =>
      SECTION_OF[doc.evaluation] && !own.has(supersedeKey(doc)) ? [{ f, prefix: `${SECTION_OF[doc.evaluation]}-${doc.dataset}-${doc.split}` }] : []);
    expect(tracked.map((t) => t.f)).toEqual(expect.arrayContaining(['eval-ml-100k-loo-modality-drop-fused+content.json', 'explanations-ml-100k-loo-aligner.json']));
    const fromTracked = tracked.map((t) => {
      const tab = tables.find((x) => x.id.startsWith(t.prefix) && x.notes.some((n) => n.includes(`\`results/${t.f}\``)));
      expect(tab, t.f).toBeDefined();
      return tab!.id;
    });
    expect(tables.map((x) => x.id).sort()).toEqual([...TABLES, ...fromTracked].sort());
    expect(plots.map((x) => x.id).filter((p) => p !== 'llm-latency-vs-position').sort()).toEqual([...PLOTS, ...fromTracked].sort());
    const main = tables.find((t) => t.id === 'main-ml-100k')!;
    for (const m of ['SASRec', 'fused']) {
      const row = main.rows.find((r) => r[0]!.startsWith(m))!;
      expect(row[1], m).toMatch(/^0\.\d{4} ± 0\.\d{4}$/); // two training seeds: mean ± CI
      expect(row[9]).toBe('training 1,2');
    }
    // the base aligner is scored on its own CF latents: the shipped latents are the fused ones, and a row scoring
    // those again would show "− multimodal fusion" as exactly zero
    const cf = main.rows.find((r) => r[0]!.startsWith('base aligner'))!;
    expect(cf[1]).toMatch(/^0\.\d{4} ± 0\.\d{4}$/);
    expect(cf[1]).not.toBe(main.rows.find((r) => r[0]!.startsWith('fused'))![1]);
    expect(tables.find((t) => t.id === 'component-fusion-ml-100k')!.rows[1]![3]).toMatch(/^[+-]0\.\d{4}$/);
    // − contrastive: its own fusion trainings (one per seed), paired against the full fused model
    const noCon = tables.find((t) => t.id === 'loss-contrastive-ml-100k')!;
    expect(noCon.rows[1]![1]).toMatch(/^0\.\d{4} ± 0\.\d{4}$/);
    expect(noCon.rows[1]![3]).toMatch(/^[+-]0\.\d{4}$/);
    expect(noCon.rows[1]![6]).toBe('training 1,2');
    // published anchors beside our rows, with protocol (their column) and source
    expect(main.rows.filter((r) => r[9] === 'published / outside figure' && r[10]!.startsWith('source: ')).length).toBeGreaterThanOrEqual(2);
    const cold = tables.find((t) => t.id === ownCold)!;
    expect(cold.rows.map((r) => r[0])).toEqual(['random', 'tfidf-knn', 'content', 'fused']);
    for (const r of cold.rows) expect(r[2]).toMatch(/^0\.\d{4} ± 0\.\d{4}$/);
    const drop = tables.find((t) => t.id === 'modality-ml-100k-cold-items')!;
    expect(drop.rows.map((r) => `${r[0]}/${r[1]}`)).toEqual(expect.arrayContaining(['content/default', 'content/text-missing-100%', 'fused/default', 'fused/text-missing-100%']));

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
    expect(again.stderr.match(/: cached/g)?.length).toBeGreaterThanOrEqual(12);
  }, 1_800_000);
});
