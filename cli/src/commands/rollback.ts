// `llmrec rollback`: restore a previous adapter version by republishing it under a new, higher version
// (versions only go up; workers and the job pick it up on their next poll).
import { readPointer, rollbackAdapter } from '@llmrec/shared/adapter/adapter-store.ts';
import { openStore } from '@llmrec/edge/kv/open-store.ts';
import { type Command, CliError, int, optStr } from '../command.ts';

export const command: Command = {
  name: 'rollback',
  summary: 'restore a previous adapter version',
  usage: 'llmrec rollback [--to <version>] [--store <spec>]   (default: the serving version\'s parent)',
  options: {
    to: { type: 'string', description: 'version to restore (default: parent of the serving version)' },
    store: { type: 'string', description: 'KV store spec (default $LLMREC_STORE or sqlite:$LLMREC_HOME/kv.sqlite)' },
  },
  async run({ values }) {
    const store = await openStore(optStr(values, 'store'));
    try {
      const to = values.to === undefined ? undefined : int(values, 'to', 0, 0);
      if (!(await readPointer(store))) throw new CliError('no adapter version is published in this store');
      const r = await rollbackAdapter(store, to);
      console.log(JSON.stringify(r));
      process.stderr.write(`rolled back: serving v${r.restored} = content of v${r.to} (was v${r.from})\n`);
      return 0;
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError((e as Error).message);
    } finally {
      await store.close?.();
    }
  },
};
