// <llmrec-recommendations> in headless Chromium (issue 13) against a real Node edge (fixture catalog, real
// worker app): the /demo page loads from the edge alone, shows a session's recommendations, a click (or
// Enter) posts an event and the list changes; the widget works from a second origin through a publishable
// key and is refused from an origin that is not allowed; a degraded answer shows its badge; the page is
// usable at phone width. A screenshot of each state goes to the test output folder (support.ts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '@llmrec/shared/kv/keys.ts';
import { startFixtureEdge, type FixtureEdge } from '../support/fixture-edge.ts';
import { embedPage, guardedPage, hasChromium, launchChromium, screenshot, startSite, widgetTitles, type Site } from './support.ts';

const PK = 'pk_widget_test_0123456789';

/** Waits until the widget's titles no longer include `title` (the chosen item drops out of the new list). */
async function titlesWithout(page: Page, title: string): Promise<void> {
  await page.waitForFunction((t) => ![...document.querySelector('llmrec-recommendations')!.shadowRoot!.querySelectorAll('.title')].some((e) => e.textContent === t), title, { timeout: 10_000 });
}
if (!hasChromium) console.warn('browser tests skipped: /usr/bin/chromium not found (apt-get install -y chromium, or run scripts/setup.sh)');

describe.skipIf(!hasChromium)('the recommendations widget in Chromium', () => {
  let edge: FixtureEdge;
  let browser: Browser;
  let allowed: Site;
  let refused: Site;

  beforeAll(async () => {
    // Two customer sites: one on an origin the key lists (localhost), one on an origin it does not.
    let edgeUrl = '';
    allowed = await startSite('localhost', () => embedPage(edgeUrl, PK));
    refused = await startSite('127.0.0.1', () => embedPage(edgeUrl, PK));
    edge = await startFixtureEdge({ config: { publishableKeys: [{ key: PK, origins: ['self', allowed.origin] }] } });
    edgeUrl = edge.url;
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await edge?.close();
    await allowed?.close();
    await refused?.close();
  });

  it('the /demo page loads from the edge alone, shows a session’s picks, and a click posts an event and changes the list', async () => {
    const { page, blocked, errors } = await guardedPage(browser, [edge.url]);
    await page.goto(`${edge.url}/demo`);
    await page.locator('llmrec-recommendations .title').nth(4).waitFor({ timeout: 10_000 });
    const before = await widgetTitles(page);
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(before).toEqual(edge.fixture.popular.slice(0, 10).map((id) => edge.fixture.titles[Number(id) - 1])); // cold start: popular
    await expect(page.locator('llmrec-recommendations .badge').textContent()).resolves.toBe('Popular picks');
    console.log(`screenshot: ${await screenshot(page, 'demo-1-session-start')}`);

    const chosen = before[1]!;
    const posted = page.waitForResponse((r) => r.url().endsWith('/v1/events') && r.request().method() === 'POST');
    await page.locator('llmrec-recommendations button.card').nth(1).click();
    expect((await posted).status()).toBe(200);
    await titlesWithout(page, chosen);
    const after = await widgetTitles(page);
    expect(after.length).toBeGreaterThanOrEqual(5);
    expect(after).not.toEqual(before);
    expect(after).not.toContain(chosen);
    // Ranked by the model from the session's event: the chosen item's cluster first.
    const cluster = (t: string) => Number(/\(cluster (\d)\)/.exec(t)![1]);
    expect(after.slice(0, 5).every((t) => cluster(t) === cluster(chosen))).toBe(true);
    await expect(page.locator('#history li').allTextContents()).resolves.toEqual([chosen]);
    // The event is in the durable log, for the page's session (namespaced, never a user).
    const sessionId = await page.evaluate(() => (document.querySelector('llmrec-recommendations') as unknown as { sessionId: string }).sessionId);
    const logged = await edge.store.events!.read('browser-test', 't', 100);
    expect(logged.map((e) => [e.userId, e.itemId, e.type])).toContainEqual([`session:${sessionId}`, expect.any(String), 'click']);
    // With the session's history, explanations show: a rationale and cited evidence chips.
    await expect(page.locator('llmrec-recommendations .why').first().textContent()).resolves.toMatch(/\w{3,}/);
    expect(await page.locator('llmrec-recommendations .chip').count()).toBeGreaterThan(0);
    console.log(`screenshot: ${await screenshot(page, 'demo-2-after-click')}`);
    expect(blocked, 'the demo must load nothing from outside the edge').toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('is keyboard accessible: Tab to a card, Enter chooses it, focus stays in the list', async () => {
    const { page } = await guardedPage(browser, [edge.url]);
    await page.goto(`${edge.url}/demo`);
    await page.locator('llmrec-recommendations .title').nth(4).waitFor();
    const before = await widgetTitles(page);
    await page.locator('#reset').focus();
    await page.keyboard.press('Tab'); // from the last control of the page into the widget's first card
    const focused = await page.evaluate(() => document.querySelector('llmrec-recommendations')!.shadowRoot!.activeElement?.textContent ?? null);
    expect(focused).toContain(before[0]);
    await page.keyboard.press('Enter');
    await titlesWithout(page, before[0]!);
    expect(await widgetTitles(page)).not.toEqual(before);
    const stillFocused = await page.evaluate(() => document.querySelector('llmrec-recommendations')!.shadowRoot!.activeElement?.className ?? null);
    expect(stillFocused).toBe('card');
    await expect(page.locator('llmrec-recommendations [role=status]').textContent()).resolves.toContain(`Updated after you chose ${before[0]}`);
  }, 30_000);

  it('reads well at phone width (two columns, nothing wider than the screen)', async () => {
    const { page } = await guardedPage(browser, [edge.url], { width: 375, height: 740 });
    await page.goto(`${edge.url}/demo`);
    await page.locator('llmrec-recommendations .title').nth(4).waitFor();
    const boxes = await page.locator('llmrec-recommendations button.card').evaluateAll((els) => els.slice(0, 3).map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
    expect(boxes[0]!.y).toBe(boxes[1]!.y); // two per row
    expect(boxes[2]!.y).toBeGreaterThan(boxes[0]!.y);
    expect(boxes[0]!.width).toBeGreaterThan(120);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    console.log(`screenshot: ${await screenshot(page, 'demo-3-phone')}`);
  }, 30_000);

  it('works from a second origin through the publishable key (CORS preflight granted)', async () => {
    const { page, blocked, errors } = await guardedPage(browser, [edge.url, allowed.origin]);
    const seen = edge.requests.length;
    await page.goto(allowed.origin);
    await page.locator('llmrec-recommendations .title').nth(4).waitFor({ timeout: 10_000 });
    const before = await widgetTitles(page);
    await page.locator('llmrec-recommendations button.card').first().click();
    await titlesWithout(page, before[0]!);
    expect(await widgetTitles(page)).not.toEqual(before);
    // The edge granted the preflights (Chromium does not report them to the page; the edge's log does).
    const preflights = edge.requests.slice(seen).filter((l) => l.method === 'OPTIONS');
    expect(preflights.map((l) => `${l.path} ${l.status}`)).toEqual(expect.arrayContaining(['/v1/recommend 204', '/v1/events 204']));
    expect(preflights.every((l) => l.status === 204)).toBe(true);
    console.log(`screenshot: ${await screenshot(page, 'origin-allowed')}`);
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);

  it('is refused from an origin the key does not list: no items, an error state, nothing recorded', async () => {
    const { page } = await guardedPage(browser, [edge.url, refused.origin]);
    const seen = edge.requests.length;
    const before = await edge.store.events!.length();
    await page.goto(refused.origin);
    await page.locator('llmrec-recommendations .status.error').waitFor({ timeout: 15_000 });
    expect(await widgetTitles(page)).toEqual([]);
    await expect(page.locator('llmrec-recommendations .status').textContent()).resolves.toContain('not allowed');
    const api = edge.requests.slice(seen).filter((l) => String(l.path).startsWith('/v1/'));
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((l) => l.method === 'OPTIONS' && l.status === 403), JSON.stringify(api)).toBe(true); // refused preflights only: the browser never sent a request
    expect(await edge.store.events!.length()).toBe(before);
    console.log(`screenshot: ${await screenshot(page, 'origin-refused')}`);
  }, 30_000);

  it('shows a degraded badge when the worker is down', async () => {
    const { page } = await guardedPage(browser, [edge.url]);
    await page.goto(`${edge.url}/demo`);
    await page.locator('llmrec-recommendations .title').nth(4).waitFor();
    await page.locator('llmrec-recommendations button.card').first().click(); // the session gets a history
    await page.locator('llmrec-recommendations [role=status]', { hasText: 'Updated after' }).waitFor();
    edge.setWorker('down');
    try {
      await page.evaluate(() => (document.querySelector('llmrec-recommendations') as unknown as { refresh(): Promise<void> }).refresh());
      const badge = page.locator('llmrec-recommendations .badge.degraded');
      await badge.waitFor();
      await expect(badge.textContent()).resolves.toMatch(/^Degraded: /);
      expect(await widgetTitles(page)).not.toEqual([]);
      console.log(`screenshot: ${await screenshot(page, 'demo-4-degraded')}`);
    } finally {
      edge.setWorker('up');
    }
  }, 30_000);
});
