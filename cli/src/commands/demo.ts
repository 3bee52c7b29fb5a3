// `llmrec demo` — the README's main job: the whole system locally. Prepares ML-100K (from ../shared/data when
// present, else downloaded), runs the offline pipeline when its artifacts are missing, publishes the catalog to
// the embedded store, starts worker + edge, and prints real recommendations (titles) for a real user through
// the HTTP API, prints (and opens) the demo page /demo, then keeps serving (--once: exit after printing).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sharedDataDir } from '@llmrec/data/paths.ts';
import { CliError, flag, int, optStr, type Command } from '../command.ts';
import { commands } from '../registry.ts';
import { printBanner, startFromArgs, waitForSignal } from './serve.ts';

const DATASET = 'ml-100k';

async function runCommand(name: string, values: Record<string, unknown>): Promise<void> {
  const entry = commands[name];
  if (!entry) throw new CliError(`no '${name}' command`);
  const cmd = await entry.load();
  const code = await cmd.run({ values: values as never, positionals: [] });
  if (code !== 0) throw new CliError(`llmrec ${name} exited with ${code}`);
}

function step(msg: string): void {
  process.stderr.write(`\ndemo: ${msg}\n`);
}

export const command: Command = {
  name: 'demo',
  summary: 'run the whole system locally: data, training, worker, edge, sample recommendations',
  usage: ['llmrec demo [--port 8787] [--user 1] [--once] [--no-open]', 'npm run demo   (same, after installing what is missing); the demo page is printed and opened: http://127.0.0.1:8787/demo'].join('\n'),
  options: {
    port: { type: 'string', short: 'p', description: 'edge port (default 8787; 0 = any free port)' },
    'worker-port': { type: 'string', description: 'worker port (default 8788; 0 = any free port)' },
    user: { type: 'string', short: 'u', description: 'user id to show (default 1)' },
    once: { type: 'boolean', description: 'exit after printing the recommendations (used by the test)' },
    'no-open': { type: 'boolean', description: 'do not open the demo page in a browser (it is printed either way)' },
    'no-train': { type: 'boolean', description: 'do not run the offline pipeline; serve the baseline bundle when no trained one exists' },
    store: { type: 'string', short: 's', description: 'store spec (default: embedded SQLite under $LLMREC_HOME)' },
    device: { type: 'string', description: 'worker execution provider: auto | cpu | cuda (default auto)' },
  },
  async run({ values }) {
    const home = resolve(process.env.LLMREC_HOME ?? '.llmrec');
    process.env.LLMREC_HOME = home;
    const t0 = Date.now();

    step(`1/5 dataset ${DATASET}`);
    if (existsSync(join(home, 'datasets', DATASET, 'dataset.json'))) process.stderr.write(`demo: already prepared in ${join(home, 'datasets', DATASET)}\n`);
    else {
      const shared = sharedDataDir();
      const from = shared && existsSync(join(shared, 'ml-100k', 'u.data')) ? join(shared, 'ml-100k') : undefined;
      await runCommand('data', from ? { dataset: DATASET, from } : { dataset: DATASET, download: true });
    }

    step('2/5 offline artifacts');
    const trainedBundle = join(home, 'artifacts', DATASET, 'serving', 'serving-bundle.json');
    if (existsSync(trainedBundle)) process.stderr.write(`demo: trained artifacts present (${trainedBundle})\n`);
    else if (flag(values, 'no-train')) process.stderr.write('demo: --no-train: the baseline bundle will be served\n');
    else {
      try {
        await runCommand('train', { dataset: DATASET });
      } catch (err) {
        process.stderr.write(`demo: offline training unavailable (${(err as Error).message}); serving the baseline bundle instead\n`);
      }
    }

    step('3/5 publish the catalog to the store');
    await runCommand('publish', { dataset: DATASET, ...(optStr(values, 'store') ? { store: optStr(values, 'store') } : {}), 'history-len': '1000' });

    step('4/5 start worker + edge');
    const stack = await startFromArgs({ ...values, dataset: DATASET, port: String(int(values, 'port', 8787, 0, 65535)), 'worker-port': String(int(values, 'worker-port', 8788, 0, 65535)) }, { log: 'off' });
    try {
      printBanner(stack);
      step('5/5 recommendations through the HTTP API');
      const user = optStr(values, 'user') ?? '1';
      await showUser(stack.edge.url, stack.apiKey, user);
      process.stderr.write(`\ndemo: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s. API docs: ${stack.edge.url}/docs\n`);
      console.log(`API docs: ${stack.edge.url}/docs`);
      console.log(`Demo page: ${stack.edge.url}/demo`);
      if (!flag(values, 'once') && !flag(values, 'no-open')) openInBrowser(`${stack.edge.url}/demo`);
      if (!flag(values, 'once')) {
        process.stderr.write('demo: serving; Ctrl-C to stop\n');
        await waitForSignal();
      }
    } finally {
      await stack.close();
    }
    return 0;
  },
};

/**
 * Opens the page in the desktop's browser when there is one (a terminal session with a display, not CI);
 * best effort, the URL is printed anyway.
 */
function openInBrowser(url: string): void {
  if (process.env.CI || !process.stdout.isTTY) return;
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    /* no opener: the URL is printed */
  }
}

async function api(url: string, key: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new CliError(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function showUser(url: string, key: string, user: string): Promise<void> {
  const rec = await api(url, key, '/v1/recommend', { userId: user, k: 5 });
  console.log(`Top 5 for user ${user} (model ${rec.model}${rec.degraded ? `, DEGRADED: ${rec.reason}` : ''}):`);
  for (const it of rec.items) console.log(`  ${it.rank}. ${it.title}  [item ${it.id}, score ${it.score.toFixed(3)}]`);
  // Freshness: the user watches the top pick; the very next request reflects it.
  const top = rec.items[0];
  if (!top) return;
  await api(url, key, '/v1/events', { eventId: `demo-${user}-${top.id}-${Date.now()}`, userId: user, itemId: top.id, type: 'view' });
  const after = await api(url, key, '/v1/recommend', { userId: user, k: 5 });
  console.log(`After user ${user} watches "${top.title}" (POST /v1/events), the next request gives:`);
  for (const it of after.items) console.log(`  ${it.rank}. ${it.title}  [item ${it.id}]`);
  const anon = await api(url, key, '/v1/recommend', { recentItems: ['50', '181', '172'], k: 3 });
  console.log('Anonymous session that just watched the Star Wars trilogy (items 50, 181, 172):');
  for (const it of anon.items) console.log(`  ${it.rank}. ${it.title}`);
}
