// Every subcommand of `llmrec`, loaded lazily so `llmrec data` never pays for onnxruntime or wrangler.
import type { Command } from './command.ts';

export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  // data: { summary: 'prepare a dataset into the canonical form', load: async () => (await import('./commands/data.ts')).command },
};
