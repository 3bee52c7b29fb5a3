// GET /demo (the demo page), /demo/widget.js (the <llmrec-recommendations> bundle) and /demo/demo.js, all
// served by the edge itself on Node and Workers (no CDN). The page embeds a publishable key allowed on the
// edge's own origin ('self' or the exact origin); publishable keys are public by design. The widget bundle
// may be loaded from any origin (a module script is fetched with CORS), which is how other sites embed it.
import type { Hono } from 'hono';
import type { EdgeConfig } from '../config.ts';
import type { EdgeEnv } from './common.ts';
import { originAllowed, selfOrigin } from '../middleware/auth.ts';
import { DEMO_CSP, DEMO_JS, demoPage } from '../web/demo-page.ts';
import { WIDGET_JS } from '../web/widget-bundle.ts';

const JS = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };

export function registerDemo(app: Hono<EdgeEnv>, config: Pick<EdgeConfig, 'publishableKeys'>): void {
  app.get('/demo', (c) => {
    const self = selfOrigin(c);
    const key = config.publishableKeys.find((p) => originAllowed(p.origins, self, self))?.key ?? null;
    return c.html(demoPage(key), 200, { 'content-security-policy': DEMO_CSP, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  });
  app.get('/demo/widget.js', (c) => c.body(WIDGET_JS, 200, JS));
  app.get('/demo/demo.js', (c) => c.body(DEMO_JS, 200, JS));
}
