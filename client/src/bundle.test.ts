// The widget bundle the edge serves (/demo/widget.js, on Node and Workers) is built from client/src: this fails
// when the sources changed and edge/src/web/widget-bundle.ts was not rebuilt (npm run build -w client), and
// checks the bundle has no imports left (it must run as one file from any origin).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { WIDGET_JS } from '@llmrec/edge/web/widget-bundle.ts';
import { WIDGET_BUNDLE_MODULE, widgetBundleModule } from '../scripts/bundle.ts';

it('edge/src/web/widget-bundle.ts is the current build of the widget', async () => {
  expect(readFileSync(WIDGET_BUNDLE_MODULE, 'utf8') === (await widgetBundleModule()), 'widget bundle is stale: run `npm run build -w client`').toBe(true);
  expect(WIDGET_JS).toContain('llmrec-recommendations');
  expect(WIDGET_JS).not.toMatch(/(^|[;}\n])\s*import\s*[{*"'\w]|\bimport\(/); // static or dynamic imports
}, 30_000);
