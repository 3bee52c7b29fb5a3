import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainItems } from '@llmrec/shared/evidence/index.ts';
import { fileExplainSource } from './file-explain-source.ts';

const home = resolve(process.env.LLMREC_HOME ?? '.llmrec');
const dataset = join(home, 'datasets', 'ml-100k');
const latents = join(home, 'artifacts', 'ml-100k', 'loo', 'item-latents.npy');
const ready = existsSync(join(dataset, 'items.jsonl')) && existsSync(latents);
if (!ready) console.warn(`needs ${dataset} (llmrec data) and ${latents} (llmrec train): skipping`);

describe.skipIf(!ready)('file-backed explain source (ML-100K)', () => {
  it('explains items for a known user from the files, citing only evidence', async () => {
    const src = fileExplainSource({ datasetDir: dataset, itemLatents: latents });
    const [e] = await explainItems(src, { userId: '1', itemIds: ['50'] });
    expect(e!.item.title).toContain('Star Wars');
    for (const n of e!.evidence.neighbours) expect(n.coUsers).toBeGreaterThanOrEqual(5);
    expect(e!.rationale.text.length).toBeGreaterThan(20);
    const quoted = [...e!.rationale.text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    for (const q of quoted) expect(e!.evidence.neighbours.map((n) => n.title)).toContain(q);
  });
});
