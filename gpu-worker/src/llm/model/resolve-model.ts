// Accepts what people have on disk: a model folder (config.json + onnx/) or a llama2.c checkpoint
// folder (*.bin + tok*.bin, e.g. stories260K), which is converted once into $LLMREC_HOME/llm/.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { convertLlama2c } from '../convert/convert-llama2c.ts';
import { ModelFolderError } from './load-model.ts';

export function llmrecHome(): string {
  return resolve(process.env.LLMREC_HOME ?? join(process.cwd(), '.llmrec'));
}

/** Path of a loadable model folder for `dir`, converting a llama2.c checkpoint folder on first use. */
export function resolveModelDir(dir: string, log: (msg: string) => void = () => {}): string {
  if (!existsSync(dir)) throw new ModelFolderError(`model folder ${dir} does not exist`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  const files = readdirSync(dir);
  const tok = files.find((f) => /^tok.*\.bin$/.test(f));
  const ckpt = files.find((f) => f.endsWith('.bin') && f !== tok);
  if (!tok || !ckpt) throw new ModelFolderError(`${dir}: neither a model folder (config.json) nor a llama2.c checkpoint folder (<model>.bin + tok*.bin)`);
  const st = statSync(join(dir, ckpt));
  const out = join(llmrecHome(), 'llm', `${basename(ckpt, '.bin')}-${st.size}-${Math.floor(st.mtimeMs)}`);
  if (!existsSync(join(out, 'config.json'))) {
    log(`converting llama2.c checkpoint ${join(dir, ckpt)} -> ${out}`);
    // Convert beside the target and rename, so a concurrent reader never sees a half-written folder.
    const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
    convertLlama2c({ checkpoint: join(dir, ckpt), tokenizer: join(dir, tok), outDir: tmp });
    try {
      renameSync(tmp, out);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process won the race; its folder is complete
    }
  }
  return out;
}
