// Public surface of the edge: the Hono app factory and its configuration. Runtime entry points
// (entry-node.ts, entry-workers.ts) and KV backends are imported by their own paths.
export { createApp, SWAGGER_UI_VERSION, type AppDeps, type EdgeApp } from './app.ts';
