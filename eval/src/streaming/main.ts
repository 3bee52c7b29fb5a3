// Script form of the streaming table (the CLI form is `llmrec eval --split streaming --model static,dynamic`):
//   npx tsx eval/src/streaming/main.ts --dataset ml-100k --seeds 1,2,3 [--variants static,dynamic,...] [--json]
// Prints the markdown table (or JSON on stdout), progress on stderr, and writes $LLMREC_HOME/results/streaming-<dataset>[-<tag>].{json,md} (--out DIR elsewhere).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { datasetDir, llmrecHome, readDataset } from '@llmrec/data/index.ts';
import { formatAblation, runAblation, VARIANTS, type AblationResult } from './ablation.ts';
import { mergeAblations } from './merge.ts';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { dataset: { type: 'string' }, seeds: { type: 'string' }, variants: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, tag: { type: 'string' }, events: { type: 'string' }, base: { type: 'string' }, merge: { type: 'string' }, name: { type: 'string' }, note: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(`usage: npx tsx eval/src/streaming/main.ts --dataset ml-100k --seeds 1,2,3 [--variants ${Object.keys(VARIANTS).join(',')}] [--json]`);
    return 0;
  }
  if (values.merge) {
    // --merge a.json,b.json: one table from runs made as separate processes (e.g. one per seed).
    const merged = mergeAblations(values.merge.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as AblationResult));
    const md = formatAblation(merged) + (values.note ? `\n\n${values.note}` : '');
    // --name: full file stem (e.g. eval-ml-100k-streaming-static+dynamic-trained); --tag: streaming-<dataset>-<tag>
    const stem = values.name ?? (values.tag ? `streaming-${merged.dataset}-${values.tag}` : undefined);
    if (stem) {
      const out = resolve(values.out ?? join(llmrecHome(), 'results'));
      writeFileSync(join(out, `${stem}.md`), md + '\n');
      writeFileSync(join(out, `${stem}.json`), JSON.stringify({ ...merged, note: values.note }, null, 2) + '\n');
    }
    console.log(values.json ? JSON.stringify(merged, null, 2) : md);
    return 0;
  }
  const home = resolve(llmrecHome());
  const ds = readDataset(datasetDir(values.dataset ?? 'ml-100k', home));
  const seeds = (values.seeds ?? '1,2,3').split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds: integers, got ${values.seeds}`);
  const variants = (values.variants ?? Object.keys(VARIANTS).join(',')).split(',');
  const t = performance.now();
  const res = await runAblation(ds, home, variants, seeds, (m) => process.stderr.write(`[streaming] ${m}\n`), Number(values.events ?? 0), values.base === 'trained' ? 'trained' : 'fallback');
  const md = formatAblation(res) + `\n\nwall time ${((performance.now() - t) / 1000).toFixed(0)} s (2-core machine shared with other jobs)`;
  const out = resolve(values.out ?? join(llmrecHome(), 'results'));
  mkdirSync(out, { recursive: true });
  const stem = `streaming-${res.dataset}${values.tag ? `-${values.tag}` : ''}`;
  writeFileSync(join(out, `${stem}.json`), JSON.stringify(res, null, 2));
  writeFileSync(join(out, `${stem}.md`), md + '\n');
  console.log(values.json ? JSON.stringify(res, null, 2) : md);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then((c) => process.exit(c), (e) => {
    console.error(`streaming: ${(e as Error).message}`);
    process.exit(1);
  });
}
