// `npm run build -w client`: regenerates the API types from the edge's OpenAPI document, the widget bundle
// module the edge serves, and client/dist/ (minified ESM: index.js, widget.js) for publishing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundle, CLIENT_ENTRY, WIDGET_BUNDLE_MODULE, WIDGET_ENTRY, widgetBundleModule } from './bundle.ts';
import { API_TYPES_FILE, apiTypesSource } from './contract.ts';

writeFileSync(API_TYPES_FILE, await apiTypesSource());
writeFileSync(WIDGET_BUNDLE_MODULE, await widgetBundleModule());
const dist = new URL('../dist/', import.meta.url);
mkdirSync(dist, { recursive: true });
writeFileSync(new URL('index.js', dist), await bundle({ file: CLIENT_ENTRY }));
writeFileSync(new URL('widget.js', dist), await bundle({ file: WIDGET_ENTRY }));
for (const f of [API_TYPES_FILE, WIDGET_BUNDLE_MODULE, new URL('index.js', dist), new URL('widget.js', dist)]) console.log(`wrote ${fileURLToPath(f)}`);
