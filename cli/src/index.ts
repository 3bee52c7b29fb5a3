// Public surface of the CLI package: the `llmrec` entry (bin/llmrec.js calls it).
export { main } from './main.ts';
