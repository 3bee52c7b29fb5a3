// The README's main job end to end: `llmrec demo` in a fresh LLMREC_HOME prepares ML-100K from the shared data
// folder, builds the (shortened) baseline bundle, publishes to the embedded SQLite store, starts worker + edge,
// prints real recommendations with titles for a real user over HTTP, and serves /demo. Headless Chromium then
// opens the printed demo page (issue 13 bar): at least 5 recommended real titles with posters, and after a
// click the list differs. Screenshots go to the test output folder; the browser part skips without Chromium.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { guardedPage, hasChromium, launchChromium, screenshot, widgetTitles } from './support.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const shared = resolve(process.env.LLMREC_SHARED_DIR ?? join(repo, '..', 'shared'));
const raw = join(shared, 'data', 'ml-100k');
const home = mkdtempSync(join(tmpdir(), 'llmrec-demo-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it.skipIf(!existsSync(join(raw, 'u.item')))('llmrec demo prints real titles for a real user and serves /demo, where a click changes the list (needs ../shared/data/ml-100k)', async () => {
  const child = spawn(process.execPath, [join(repo, 'bin/llmrec.js'), 'demo', '--no-train', '--no-open', '--port', '0', '--worker-port', '0', '--device', 'cpu'], {
    cwd: repo,
    env: { ...process.env, LLMREC_HOME: home, LLMREC_SHARED_DIR: shared, LLMREC_BASELINE_EPOCHS: '1', LLMREC_API_KEY: '', LLMREC_PUBLISHABLE_KEYS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const demoUrl = await new Promise<string>((res, rej) => {
      const t = setInterval(() => {
        const m = /^Demo page: (http:\/\/\S+)$/m.exec(stdout);
        if (m) return clearInterval(t), res(m[1]!);
        if (child.exitCode !== null) clearInterval(t), rej(new Error(`demo exited ${child.exitCode}: ${stderr.slice(-3000)}`));
      }, 200);
    });

    const titles = new Set(
      readFileSync(join(raw, 'u.item'), 'latin1')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('|')[1]),
    );
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Top 5 for user 1'));
    expect(start).toBeGreaterThanOrEqual(0);
    const recs = lines.slice(start + 1, start + 6).map((l) => /^\s+(\d)\. (.+?)  \[item (\d+)/.exec(l));
    expect(recs.every((m) => m !== null)).toBe(true);
    for (const m of recs) expect(titles.has(m![2]!)).toBe(true);
    // User 1 rated items 1..272 in ML-100K: exclude-seen must hold for the whole history.
    for (const m of recs) expect(Number(m![3])).toBeGreaterThan(272);
    expect(stdout).toMatch(/API docs: http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(stdout).not.toMatch(/DEGRADED/);

    if (!hasChromium) return void console.warn('demo page check skipped: /usr/bin/chromium not found');
    const browser = await launchChromium();
    try {
      const origin = new URL(demoUrl).origin;
      const { page, blocked, errors } = await guardedPage(browser, [origin]);
      await page.goto(demoUrl);
      await page.locator('llmrec-recommendations .title').nth(4).waitFor({ timeout: 20_000 });
      await page.waitForFunction(() => [...document.querySelector('llmrec-recommendations')!.shadowRoot!.querySelectorAll('img')].some((i) => i.complete && i.naturalWidth > 0));
      const before = await widgetTitles(page);
      expect(before.length).toBeGreaterThanOrEqual(5);
      for (const t of before) expect(titles.has(t), t).toBe(true);
      // Posters come from the edge (the dataset's image files): most of the shown items have one.
      const posters = await page.locator('llmrec-recommendations img.poster').evaluateAll((imgs) => (imgs as HTMLImageElement[]).filter((i) => i.naturalWidth > 0).length);
      expect(posters).toBeGreaterThanOrEqual(3);
      console.log(`screenshot: ${await screenshot(page, 'ml100k-demo-1-start')}`);
      const chosen = before[0]!;
      await page.locator('llmrec-recommendations button.card').first().click();
      await page.locator('llmrec-recommendations [role=status]', { hasText: 'Updated after you chose' }).waitFor({ timeout: 20_000 });
      const after = await widgetTitles(page);
      expect(after.length).toBeGreaterThanOrEqual(5);
      expect(after).not.toEqual(before);
      expect(after).not.toContain(chosen);
      await page.waitForTimeout(300); // posters of the new list
      console.log(`screenshot: ${await screenshot(page, 'ml100k-demo-2-after-click')}`);
      expect(blocked).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 300_000);
