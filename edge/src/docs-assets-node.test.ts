// GET /docs on the Node edge loads Swagger UI from the edge itself (/docs/assets, from node_modules), while
// createApp's default (the Workers entry) keeps the CDN. Real HTTP server, in-memory store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '@llmrec/shared/kv/memory-store.ts';
import { testConfig } from '../../tests/support/harness.ts';
import { createRequire } from 'node:module';
import { createApp, SWAGGER_UI_VERSION } from './app.ts';
import { DOCS_ASSETS_URL } from './docs-assets-node.ts';
import { startEdge, type RunningEdge } from './entry-node.ts';
import { httpWorkerClient } from './worker-client.ts';

const config = testConfig();
const worker = httpWorkerClient({ url: config.workerUrl, secret: config.workerSecret });
let edge: RunningEdge;

beforeAll(async () => {
  edge = await startEdge({ store: createMemoryStore(), config, worker });
});
afterAll(() => edge.close());

describe('docs assets', () => {
  it('the Node edge points /docs at its own copy of Swagger UI and serves it', async () => {
    const html = await (await fetch(`${edge.url}/docs`)).text();
    const css = `${DOCS_ASSETS_URL}/swagger-ui-dist/swagger-ui.css`;
    const js = `${DOCS_ASSETS_URL}/swagger-ui-dist/swagger-ui-bundle.js`;
    expect(html).toContain(`href="${css}"`);
    expect(html).toContain(`src="${js}"`);
    expect(html).not.toMatch(/cdn\.jsdelivr/);
    const r = await fetch(`${edge.url}${js}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    const body = await r.text();
    expect(body.length).toBeGreaterThan(100_000);
    expect(body).toContain('SwaggerUIBundle');
    const s = await fetch(`${edge.url}${css}`);
    expect(s.headers.get('content-type')).toMatch(/text\/css/);
    expect(await s.text()).toContain('.swagger-ui');
  });

  it('answers nothing but the Swagger UI files (JSON 404 otherwise)', async () => {
    for (const p of ['package.json', 'index.html', '..%2Fpackage.json', 'swagger-ui-bundle.js.map']) {
      const r = await fetch(`${edge.url}${DOCS_ASSETS_URL}/swagger-ui-dist/${p}`);
      expect(r.status, p).toBe(404);
      expect(((await r.json()) as { error: string }).error).toBe('not_found');
    }
  });

  it('createApp without docsAssetsUrl (the Workers entry) loads Swagger UI from the CDN', async () => {
    const app = createApp({ store: createMemoryStore(), config, worker });
    const html = await (await app.request('/docs')).text();
    expect(html).toContain(`https://cdn.jsdelivr.net/npm/swagger-ui-dist@${SWAGGER_UI_VERSION}/swagger-ui-bundle.js`);
    expect(createRequire(import.meta.url)('swagger-ui-dist/package.json').version).toBe(SWAGGER_UI_VERSION);
    expect((await app.request(`${DOCS_ASSETS_URL}/swagger-ui-dist/swagger-ui.css`)).status).toBe(404);
  });
});
