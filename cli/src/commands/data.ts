// `llmrec data`: prepare a dataset into the canonical form (docs/dataset-format.md) from a local raw folder,
// or download it from its public home (MovieLens from GroupLens) into a cache, then write the splits.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATASET_NAMES, DatasetName, downloadCacheDir, downloadDataset, llmrecHome, LOADERS, prepareDataset, SPLIT_NAMES, SplitName } from '@llmrec/data/index.ts';
import { type Command, flag, int, optStr, str, UsageError } from '../command.ts';
import { log, progress } from '../progress.ts';

export const command: Command = {
  name: 'data',
  summary: 'prepare a dataset into the canonical form (local folder or download)',
  usage: [
    'llmrec data --dataset ml-100k --from ../shared/data/ml-100k',
    'llmrec data --dataset ml-100k --download          (fetch from GroupLens, cached under $LLMREC_HOME/cache)',
    'llmrec data --dataset games --from ../shared/data/amazon-games --splits loo,cold',
    `datasets: ${DATASET_NAMES.join(', ')}; splits: ${SPLIT_NAMES.join(', ')} (streaming only with timestamps)`,
  ].join('\n'),
  options: {
    dataset: { type: 'string', short: 'd', description: `dataset name (${DATASET_NAMES.join('|')})` },
    from: { type: 'string', description: 'local folder with the raw files' },
    download: { type: 'boolean', description: 'download from the public home (MovieLens only) instead of --from' },
    url: { type: 'string', description: 'with --download: fetch this zip (a mirror) instead of the public home' },
    home: { type: 'string', description: 'output root (default $LLMREC_HOME or ./.llmrec)' },
    splits: { type: 'string', description: 'comma-separated splits to write (default: all)' },
    seed: { type: 'string', description: 'seed recorded with the splits (default 42)' },
    lenient: { type: 'boolean', description: 'skip malformed lines (reports how many and where) instead of failing' },
    json: { type: 'boolean', description: 'print the dataset summary as JSON on stdout' },
  },
  async run({ values }) {
    const nameRaw = str(values, 'dataset');
    const name = DatasetName.safeParse(nameRaw);
    if (!name.success) throw new UsageError(`unknown dataset '${nameRaw}' (known: ${DATASET_NAMES.join(', ')})`);
    // cold-items is seeded per evaluation seed and computed on demand by `llmrec train` / `llmrec eval`
    const splits = (optStr(values, 'splits') ?? SPLIT_NAMES.filter((s) => s !== 'cold-items').join(','))
      .split(',')
      .filter(Boolean)
      .map((s) => {
        const p = SplitName.safeParse(s.trim());
        if (!p.success) throw new UsageError(`unknown split '${s}' (known: ${SPLIT_NAMES.join(', ')})`);
        return p.data;
      });
    const seed = int(values, 'seed', 42, 0);
    const home = resolve(optStr(values, 'home') ?? llmrecHome());
    const loader = LOADERS[name.data];
    let from = optStr(values, 'from');
    let kind: 'local' | 'download' = 'local';
    let url: string | undefined;
    if (from && flag(values, 'download')) throw new UsageError('give either --from or --download, not both');
    if (optStr(values, 'url') && !flag(values, 'download')) throw new UsageError('--url needs --download');
    if (!from) {
      if (!loader.download) throw new UsageError(`${name.data} has no public download here: pass --from <folder with ${loader.marker}>`);
      if (!flag(values, 'download')) throw new UsageError(`pass --from <folder> or --download (fetches ${loader.download.url})`);
      url = optStr(values, 'url') ?? loader.download.url;
      const bar = progress('download', 0, { unit: 'bytes' });
      from = await downloadDataset({ ...loader.download, url, marker: loader.marker, cacheDir: downloadCacheDir(home), log, onProgress: (d) => bar.update(d) });
      bar.done();
      kind = 'download';
    }
    from = resolve(from);
    if (!existsSync(from)) throw new UsageError(`--from ${from}: no such folder`);
    const bar = progress('parse', 0, { unit: 'lines' });
    const r = prepareDataset({ name: name.data, from, kind, url, home, lenient: flag(values, 'lenient'), splits, seed, log, onProgress: (d, t) => bar.update(d) });
    bar.done();
    if (r.meta.skipped.length) {
      const where = r.meta.skipped.slice(0, 10).map((s) => `${s.file}:${s.line} (${s.reason})`).join('; ');
      log('lenient', `${r.meta.skipped.length} malformed line(s) skipped: ${where}${r.meta.skipped.length > 10 ? ` ... and ${r.meta.skipped.length - 10} more (all listed in dataset.json)` : ''}`);
    }
    for (const n of r.meta.notes ?? []) log('note', n);
    if (flag(values, 'json')) {
      console.log(JSON.stringify({ dir: r.dir, ...r.meta, source: { ...r.meta.source, files: r.meta.source.files.map((f) => f.name) }, splits: r.splits }));
    } else {
      const c = r.meta.counts;
      console.log(`${name.data}: ${c.users} users, ${c.items} items, ${c.interactions} interactions -> ${r.dir}`);
      console.log(`splits: ${r.splits.map((s) => s.split).join(', ')}`);
    }
    return 0;
  },
};
