// Swagger UI's own files (swagger-ui-dist from node_modules) served by the Node edge, so GET /docs works
// offline (no CDN). Node-only: entry-node.ts mounts it and points createApp's `docsAssetsUrl` here; the Workers
// entry never imports this file, so its bundle keeps loading Swagger UI from the CDN.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Env, Hono } from 'hono';

/** Base URL for createApp's `docsAssetsUrl`: the files are answered under `${DOCS_ASSETS_URL}/swagger-ui-dist/`. */
export const DOCS_ASSETS_URL = '/docs/assets';

/** The only files the docs page loads (see @hono/swagger-ui's asset list); nothing else is readable. */
const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/** Adds GET `${base}/swagger-ui-dist/:file` answering the Swagger UI files from the installed swagger-ui-dist. */
export function registerDocsAssets<E extends Env>(app: Hono<E>, base: string = DOCS_ASSETS_URL): void {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Promise<Buffer>>();
  app.get(`${base}/swagger-ui-dist/:file`, async (c) => {
    const file = c.req.param('file');
    const type = Object.hasOwn(FILES, file) ? FILES[file] : undefined;
    if (!type) return c.notFound(); // the app's JSON 404
    let body = cache.get(file);
    if (!body) cache.set(file, (body = readFile(join(dir, file))));
    return c.body(new Uint8Array(await body), 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
  });
}
