// `llmrec data`: prepare a dataset into the canonical form (docs/dataset-format.md) — any catalog under a name the
// user picks from one of the import formats (csv, jsonl, s3rec, recbole), or a preset (ml-100k, ml-1m, beauty,
// games) from a local raw folder or its public download — then write the splits. Nothing is half-written.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DATASET_NAMES, DatasetName, downloadCacheDir, downloadDataset, IMPORT_FORMATS, ImportFormat, isPreset, llmrecHome, LOADERS, prepareDataset, SPLIT_NAMES, SplitName,
} from '@llmrec/data/index.ts';
import { type Command, flag, int, optStr, UsageError } from '../command.ts';
import { log, progress } from '../progress.ts';

export const command: Command = {
  name: 'data',
  summary: 'import a dataset into the canonical form (csv, jsonl, s3rec, recbole, or a preset)',
  usage: [
    'llmrec data --name my-shop --format csv --from examples/catalog-csv     (any name; see docs/dataset-format.md)',
    'llmrec data --name toys --format s3rec --from data/toys                  (Toys.txt + Toys_item2attributes.json)',
    'llmrec data --name games2 --format recbole --from data/games [--prefix Games-6k]',
    'llmrec data --dataset ml-100k --from ../shared/data/ml-100k              (a preset: ml-100k, ml-1m, beauty, games)',
    'llmrec data --dataset ml-100k --download          (fetch from GroupLens, cached under $LLMREC_HOME/cache)',
    `formats: ${IMPORT_FORMATS.join(', ')}; presets: ${DATASET_NAMES.join(', ')}; splits: ${SPLIT_NAMES.join(', ')} (streaming only with timestamps)`,
    'Malformed input fails naming file and line, and nothing is written; --lenient skips such lines and lists them.',
  ].join('\n'),
  options: {
    name: { type: 'string', short: 'n', description: 'dataset name to create (lowercase letters, digits, - _); used by train, eval, publish, serve, job' },
    format: { type: 'string', short: 'f', description: `raw format: ${IMPORT_FORMATS.join('|')}` },
    prefix: { type: 'string', description: 's3rec/recbole: file prefix when the folder holds several datasets' },
    dataset: { type: 'string', short: 'd', description: `a preset (${DATASET_NAMES.join('|')}); with --name, imported under that name` },
    from: { type: 'string', description: 'local folder with the raw files' },
    download: { type: 'boolean', description: 'download a preset from its public home (MovieLens only) instead of --from' },
    url: { type: 'string', description: 'with --download: fetch this zip (a mirror) instead of the public home' },
    home: { type: 'string', description: 'output root (default $LLMREC_HOME or ./.llmrec)' },
    splits: { type: 'string', description: 'comma-separated splits to write (default: all)' },
    seed: { type: 'string', description: 'seed recorded with the splits (default 42)' },
    lenient: { type: 'boolean', description: 'skip malformed lines (reports how many and where) instead of failing' },
    json: { type: 'boolean', description: 'print the dataset summary as JSON on stdout' },
  },
  async run({ values }) {
    const presetRaw = optStr(values, 'dataset');
    const formatRaw = optStr(values, 'format');
    const nameRaw = optStr(values, 'name') ?? presetRaw;
    if (!nameRaw) throw new UsageError('give --name <name> --format <format> --from <folder> (or --dataset <preset>)');
    const name = DatasetName.safeParse(nameRaw);
    if (!name.success) throw new UsageError(`--name '${nameRaw}': ${name.error.issues[0]?.message}`);
    if (presetRaw !== undefined && !isPreset(presetRaw)) {
      throw new UsageError(`unknown dataset '${presetRaw}' (presets: ${DATASET_NAMES.join(', ')}; to import your own: --name ${presetRaw} --format <${IMPORT_FORMATS.join('|')}> --from <folder>)`);
    }
    if (presetRaw && formatRaw) throw new UsageError('give either a preset (--dataset) or a format (--format), not both');
    let format: ImportFormat | undefined;
    if (formatRaw !== undefined) {
      const f = ImportFormat.safeParse(formatRaw);
      if (!f.success) throw new UsageError(`unknown format '${formatRaw}' (known: ${IMPORT_FORMATS.join(', ')})`);
      format = f.data;
    }
    const preset = presetRaw !== undefined && isPreset(presetRaw) ? presetRaw : !format && isPreset(name.data) ? name.data : undefined;
    if (!format && !preset) throw new UsageError(`'${name.data}' is not a preset: give --format <${IMPORT_FORMATS.join('|')}> and --from <folder>`);
    if (optStr(values, 'prefix') && format !== 's3rec' && format !== 'recbole') throw new UsageError('--prefix is for --format s3rec or recbole');
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
    let from = optStr(values, 'from');
    let kind: 'local' | 'download' = 'local';
    let url: string | undefined;
    if (from && flag(values, 'download')) throw new UsageError('give either --from or --download, not both');
    if (optStr(values, 'url') && !flag(values, 'download')) throw new UsageError('--url needs --download');
    if (!from) {
      const loader = preset ? LOADERS[preset] : undefined;
      if (!loader?.download) throw new UsageError(`${preset ?? name.data} has no public download here: pass --from <folder${loader ? ` with ${loader.marker}` : ''}>`);
      if (!flag(values, 'download')) throw new UsageError(`pass --from <folder> or --download (fetches ${loader.download.url})`);
      url = optStr(values, 'url') ?? loader.download.url;
      const bar = progress('download', 0, { unit: 'bytes' });
      from = await downloadDataset({ ...loader.download, url, marker: loader.marker, cacheDir: downloadCacheDir(home), log, onProgress: (d) => bar.update(d) });
      bar.done();
      kind = 'download';
    }
    from = resolve(from);
    if (!existsSync(from) || !statSync(from).isDirectory()) throw new UsageError(`--from ${from}: no such folder`);
    const bar = progress('parse', 0, { unit: 'lines' });
    const r = prepareDataset({ name: name.data, format, preset, prefix: optStr(values, 'prefix'), from, kind, url, home, lenient: flag(values, 'lenient'), splits, seed, log, onProgress: (d) => bar.update(d) });
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
