// File-prefix detection for the s3rec and recbole import formats: a folder such as `Toys.txt` +
// `Toys_item2attributes.json` (S3-Rec) or `Games-6k.item` + `Games-6k.test.inter` (RecBole) names its dataset by
// prefix; `--prefix` picks one when a folder holds several.
import { readdirSync } from 'node:fs';

export type PrefixedFormat = 's3rec' | 'recbole';

export interface Detected {
  prefix: string;
  /** recbole only: the sequential benchmark form (`.test.inter` with item_id_list) or one interaction per line (`.inter`). */
  layout?: 'sequential' | 'atomic';
}

export class DetectError extends Error {}

const strip = (files: string[], suffix: string) => files.filter((f) => f.endsWith(suffix) && f.length > suffix.length).map((f) => f.slice(0, -suffix.length));

/** The prefix (and RecBole layout) of a raw folder; throws DetectError saying what was found. */
export function detectPrefix(dir: string, format: PrefixedFormat, given?: string): Detected {
  const files = readdirSync(dir);
  if (format === 's3rec') {
    const seqs = strip(files, '.txt');
    if (given !== undefined) {
      if (!seqs.includes(given)) throw new DetectError(`${dir}: no ${given}.txt (S3-Rec sequence files here: ${seqs.map((p) => `${p}.txt`).join(', ') || 'none'})`);
      return { prefix: given };
    }
    // A sequence file with its attribute file is the unmistakable S3-Rec pair; otherwise a lone .txt file.
    const paired = seqs.filter((p) => files.includes(`${p}_item2attributes.json`));
    const pick = paired.length > 0 ? paired : seqs;
    if (pick.length === 1) return { prefix: pick[0]! };
    if (pick.length === 0) throw new DetectError(`${dir}: no S3-Rec sequence file <prefix>.txt (with <prefix>_item2attributes.json)`);
    throw new DetectError(`${dir}: several S3-Rec datasets (${pick.join(', ')}): choose one with --prefix`);
  }
  const seq = strip(files, '.test.inter');
  const atomic = strip(files, '.inter').filter((p) => !p.endsWith('.test') && !p.endsWith('.valid') && !p.endsWith('.train'));
  const all = [...seq.map((prefix) => ({ prefix, layout: 'sequential' as const })), ...atomic.map((prefix) => ({ prefix, layout: 'atomic' as const }))];
  const found = given !== undefined ? all.filter((d) => d.prefix === given) : all;
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new DetectError(given !== undefined
      ? `${dir}: no ${given}.inter or ${given}.test.inter (RecBole files here: ${all.map((d) => d.prefix).join(', ') || 'none'})`
      : `${dir}: no RecBole interaction file <prefix>.inter or <prefix>.test.inter`);
  }
  throw new DetectError(`${dir}: several RecBole datasets (${found.map((d) => `${d.prefix} (${d.layout})`).join(', ')}): choose one with --prefix`);
}
