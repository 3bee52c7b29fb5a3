#!/usr/bin/env node
// Entry point of the `llmrec` CLI: registers the TypeScript loader, then hands over to cli/src/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('@llmrec/cli');
process.exitCode = await main(process.argv.slice(2));
