// The worker's live catalog assembled from a serving bundle (issue 11): the bundle's content tower (hash-checked),
// the live catalog synced from the store, the frozen encoders of the modalities the tower reads (opened at the
// first item write) and the item writer with the image-URL policy — one place for `llmrec serve`
// (cli/src/serving/local-stack.ts) and the standalone worker (`llmrec worker`, from-env.ts), so both accept the
// same item writes.
import type { KvStore } from '@llmrec/shared/kv/store.ts';
import type { Device } from '../onnx/index.ts';
import type { LatentModel } from '../model.ts';
import { loadBundleContentTower, type ContentTower } from './content-tower.ts';
import { fetchImage } from './image-fetch.ts';
import { lazyEncoders, type ItemEncoders } from './item-encoders.ts';
import { ItemWriter } from './item-writer.ts';
import { WorkerCatalog } from './live-state.ts';

export interface OpenCatalogOptions {
  store: KvStore;
  model: LatentModel;
  /** Folder with serving-bundle.json (its `contentTower`, when present, embeds new items). */
  bundleDir: string;
  /** $LLMREC_HOME: the encoders' converted models are cached under <home>/encoders. */
  home: string;
  /** Hosts image URLs may name (LLMREC_IMAGE_HOSTS); none = URLs refused. */
  imageHosts: readonly string[];
  device?: Device;
  threads?: number;
  /** Encoders to use instead of the built-in ones (tests, benchmarks). */
  encoders?: ItemEncoders;
  /** An already opened content tower (else loaded from the bundle). */
  tower?: ContentTower | null;
  pollMs?: number;
  say?: (m: string) => void;
  /** Open the encoders at start, in the background (default true). */
  warm?: boolean;
}

export interface OpenedCatalog {
  live: WorkerCatalog;
  writer: ItemWriter;
  /** The bundle's content tower, null when it has none (items can then be hidden, not created). */
  tower: ContentTower | null;
  close(): Promise<void>;
}

export async function openWorkerCatalog(o: OpenCatalogOptions): Promise<OpenedCatalog> {
  const threads = o.threads ?? 1;
  const tower = o.tower !== undefined ? o.tower : await loadBundleContentTower(o.bundleDir, { device: o.device ?? 'auto', threads });
  const live = new WorkerCatalog(o.store, o.model, { say: o.say, ...(o.pollMs ? { pollMs: o.pollMs } : {}) }).start();
  const encoders = o.encoders ?? (tower ? lazyEncoders(Object.fromEntries(tower.inputs.map((i) => [i.modality, i.dim])), { home: o.home, threads }) : {});
  const hosts = [...o.imageHosts];
  const writer = new ItemWriter({ catalog: live, tower, encoders, fetchImage: (url) => fetchImage(url, { allowedHosts: hosts }) });
  live.onPending = () => writer.embedPending();
  // Open the encoders in the background (seconds: model load, first conversion), so the first item write after a
  // start is not the one that pays for it.
  if (tower && o.warm !== false) {
    for (const e of [encoders.text, encoders.image]) void e?.open?.().catch((err: Error) => o.say?.(`catalog: opening a content encoder failed (item writes will retry): ${err.message}`));
  }
  return {
    live,
    writer,
    tower,
    async close() {
      live.stop();
      // Encoders handed in belong to the caller; the built-in ones are ours.
      if (!o.encoders) for (const e of [encoders.text, encoders.image]) await e?.close?.();
      if (o.tower === undefined) await tower?.close();
    },
  };
}
