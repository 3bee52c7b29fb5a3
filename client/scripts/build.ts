// `npm run build -w client`: regenerates the API types from the edge's OpenAPI document, the widget bundle
// module the edge serves, and client/dist/ for publishing: minified ESM (index.js, widget.js) and declarations
// (dist/types/). The workspace itself imports client/src directly; a published package points its exports there.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundle, CLIENT_ENTRY, WIDGET_BUNDLE_MODULE, WIDGET_ENTRY, widgetBundleModule } from './bundle.ts';

const CLIENT_ENTRY_URL = new URL('../src/index.ts', import.meta.url);
const WIDGET_ENTRY_URL = new URL('../src/widget/define.ts', import.meta.url);
import { API_TYPES_FILE, apiTypesSource } from './contract.ts';

writeFileSync(API_TYPES_FILE, await apiTypesSource());
writeFileSync(WIDGET_BUNDLE_MODULE, await widgetBundleModule());
const dist = new URL('../dist/', import.meta.url);
mkdirSync(dist, { recursive: true });
writeFileSync(new URL('index.js', dist), await bundle({ file: CLIENT_ENTRY }));
writeFileSync(new URL('widget.js', dist), await bundle({ file: WIDGET_ENTRY }));
for (const f of [API_TYPES_FILE, WIDGET_BUNDLE_MODULE, new URL('index.js', dist), new URL('widget.js', dist)]) console.log(`wrote ${fileURLToPath(f)}`);
const tsc = spawnSync(process.execPath, [fileURLToPath(import.meta.resolve('typescript/bin/tsc')), '--declaration', '--emitDeclarationOnly', '--rewriteRelativeImportExtensions', '--allowImportingTsExtensions', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'Bundler', '--lib', 'ES2023,DOM,DOM.Iterable', '--strict', '--skipLibCheck', '--outDir', fileURLToPath(new URL('types', dist)), fileURLToPath(CLIENT_ENTRY_URL), fileURLToPath(WIDGET_ENTRY_URL)], { stdio: 'inherit' });
if (tsc.status !== 0) throw new Error('declaration build failed');
console.log(`wrote ${fileURLToPath(new URL('types/', dist))}`);
