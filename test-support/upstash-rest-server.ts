// A local endpoint speaking the Upstash REST protocol in front of a REAL redis-server, so @upstash/redis and
// @vercel/kv run unchanged in tests (see ../shared/NOTES.md): POST / (one command), /pipeline, /multi-exec,
// Bearer auth, and `Upstash-Encoding: base64` (every string in a reply base64-encoded, except "OK").
// `maxRequestBytes` rejects larger request bodies as Upstash does on its plans (1 MiB on common ones).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureRedis } from './redis-server.ts';
import { RespError, RespPool, type RespReply } from './resp-client.ts';

export interface UpstashRestServer {
  url: string;
  token: string;
  /** Commands received so far (for tests asserting which protocol paths were used). */
  stats: { single: number; pipeline: number; multiExec: number; tooLarge: number };
  close(): Promise<void>;
}

type Json = string | number | null | Json[];

function toJson(r: RespReply, b64: boolean): Json {
  if (r === null || typeof r === 'number') return r;
  if (Array.isArray(r)) return r.map((x) => (x instanceof RespError ? x.message : toJson(x, b64)));
  if (r instanceof RespError) return r.message;
  if (typeof r === 'string') return r === 'OK' || !b64 ? r : Buffer.from(r, 'utf8').toString('base64');
  return b64 ? r.toString('base64') : r.toString('utf8');
}

const wrap = (r: RespReply, b64: boolean) => (r instanceof RespError ? { error: r.message } : { result: toJson(r, b64) });

function isCommand(x: unknown): x is (string | number)[] {
  return Array.isArray(x) && x.length > 0 && x.every((a) => typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean');
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

/**
 * Upstash accepts a Lua shebang flag Redis does not know (`allow-key-locking`, used by @upstash/ratelimit):
 * strip it before the script reaches redis-server, and map the client's sha of the original script to the
 * sha redis-server knows, so EVALSHA keeps working.
 */
function makeScriptRewriter() {
  const shaMap = new Map<string, string>();
  const rewrite = (script: string) => script.replace(/^#!lua(.*)$/m, (_l, rest: string) => {
    const flags = /flags=(\S*)/.exec(rest)?.[1]?.split(',').filter((f) => f && f !== 'allow-key-locking') ?? [];
    return flags.length ? `#!lua flags=${flags.join(',')}` : '#!lua';
  });
  return (cmd: (string | number)[]): (string | number)[] => {
    const name = String(cmd[0]).toUpperCase();
    if ((name === 'EVAL' || name === 'EVAL_RO') && typeof cmd[1] === 'string' && cmd[1].startsWith('#!lua')) {
      const fixed = rewrite(cmd[1]);
      shaMap.set(sha1(cmd[1]), sha1(fixed));
      return [cmd[0]!, fixed, ...cmd.slice(2)];
    }
    if (name === 'SCRIPT' && String(cmd[1]).toUpperCase() === 'LOAD' && typeof cmd[2] === 'string') {
      const fixed = rewrite(cmd[2]);
      shaMap.set(sha1(cmd[2]), sha1(fixed));
      return [cmd[0]!, cmd[1]!, fixed];
    }
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && shaMap.has(String(cmd[1]))) return [cmd[0]!, shaMap.get(String(cmd[1]))!, ...cmd.slice(2)];
    return cmd;
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface RestLimits {
  /** Reject request bodies over this many bytes (Upstash: 1 MiB on common plans); no limit when absent. */
  maxRequestBytes?: number;
}

export async function startUpstashRestServer(opts: { redisPort: number; token?: string; port?: number } & RestLimits): Promise<UpstashRestServer> {
  const token = opts.token ?? 'test-token';
  const pool = new RespPool(opts.redisPort);
  const stats = { single: 0, pipeline: 0, multiExec: 0, tooLarge: 0 };
  const fixScript = makeScriptRewriter();
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'Unauthorized' });
      if (req.method !== 'POST') return send(405, { error: 'only POST is supported' });
      const b64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
      const text = await readBody(req);
      if (opts.maxRequestBytes !== undefined && Buffer.byteLength(text) > opts.maxRequestBytes) {
        stats.tooLarge++;
        return send(400, { error: `ERR max request size exceeded. Limit: ${opts.maxRequestBytes} bytes` });
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return send(400, { error: 'ERR body is not JSON' });
      }
      const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
      if (path === '' || path === '/') {
        if (!isCommand(body)) return send(400, { error: 'ERR expected a JSON array command' });
        stats.single++;
        const [r] = await pool.exec([fixScript(body)]);
        return r instanceof RespError ? send(400, { error: r.message }) : send(200, { result: toJson(r!, b64) });
      }
      if (path === '/pipeline' || path === '/multi-exec') {
        if (!Array.isArray(body) || !body.every(isCommand)) return send(400, { error: 'ERR expected an array of commands' });
        if (path === '/pipeline') {
          stats.pipeline++;
          return send(200, (await pool.exec(body.map(fixScript))).map((r) => wrap(r, b64)));
        }
        stats.multiExec++;
        const r = await pool.transaction(body.map(fixScript));
        if (r instanceof RespError || !Array.isArray(r)) return send(400, { error: r instanceof RespError ? r.message : 'ERR transaction aborted' });
        return send(200, r.map((x) => wrap(x, b64)));
      }
      return send(404, { error: `unknown path ${path}` });
    } catch (e) {
      send(502, { error: `ERR redis unreachable: ${(e as Error).message}` });
    }
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stats,
    close: async () => {
      pool.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The REST endpoint in front of the test Redis (shared, or a private one started here); close() stops both. */
export async function startRedisRest(limits: RestLimits = {}): Promise<UpstashRestServer> {
  const redis = await ensureRedis();
  const rest = await startUpstashRestServer({ redisPort: redis.port, ...limits });
  return {
    ...rest,
    close: async () => {
      await rest.close();
      await redis.stop();
    },
  };
}
