// A minimal RESP2 client over node:net for the test-only Upstash REST endpoint: it keeps raw Redis replies
// (bulk strings as bytes, simple strings, integers, errors, nested arrays) so the endpoint can re-encode them
// exactly as Upstash does. Commands are pipelined on pooled connections; MULTI/EXEC runs on one connection.
import { connect, type Socket } from 'node:net';

export type RespReply = Buffer | string | number | null | RespError | RespReply[];

export class RespError {
  constructor(readonly message: string) {}
}

function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `pos`; returns undefined when the buffer does not hold a whole reply yet. */
function parseReply(buf: Buffer, pos: number): { value: RespReply; next: number } | undefined {
  if (pos >= buf.length) return undefined;
  const eol = buf.indexOf('\r\n', pos);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString('utf8', pos + 1, eol);
  switch (type) {
    case '+':
      return { value: line, next: eol + 2 };
    case '-':
      return { value: new RespError(line), next: eol + 2 };
    case ':':
      return { value: Number(line), next: eol + 2 };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: eol + 2 };
      if (buf.length < eol + 2 + len + 2) return undefined;
      return { value: buf.subarray(eol + 2, eol + 2 + len), next: eol + 2 + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, next: eol + 2 };
      const items: RespReply[] = [];
      let p = eol + 2;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (!r) return undefined;
        items.push(r.value);
        p = r.next;
      }
      return { value: items, next: p };
    }
    default:
      throw new Error(`RESP: unexpected reply type ${JSON.stringify(type)}`);
  }
}

class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { n: number; got: RespReply[]; resolve: (r: RespReply[]) => void; reject: (e: Error) => void }[] = [];
  broken = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (d) => this.onData(d));
    const fail = (e: Error) => {
      this.broken = true;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('redis connection closed')));
  }

  private onData(d: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let pos = 0;
    while (this.waiting.length) {
      const r = parseReply(this.buf, pos);
      if (!r) break;
      pos = r.next;
      const w = this.waiting[0]!;
      w.got.push(r.value);
      if (w.got.length === w.n) {
        this.waiting.shift();
        w.resolve(w.got);
      }
    }
    this.buf = this.buf.subarray(pos);
  }

  send(cmds: readonly (readonly (string | number)[])[]): Promise<RespReply[]> {
    return new Promise((resolve, reject) => {
      if (cmds.length === 0) return resolve([]);
      this.waiting.push({ n: cmds.length, got: [], resolve, reject });
      this.socket.write(Buffer.concat(cmds.map(encodeCommand)));
    });
  }
}

export class RespPool {
  private idle: Connection[] = [];
  private all = new Set<Connection>();

  constructor(readonly port: number, readonly host = '127.0.0.1') {}

  private async acquire(): Promise<Connection> {
    const c = this.idle.pop();
    if (c && !c.broken) return c;
    const socket = connect(this.port, this.host);
    socket.setNoDelay(true);
    await new Promise<void>((res, rej) => {
      socket.once('connect', () => res());
      socket.once('error', rej);
    });
    const conn = new Connection(socket);
    this.all.add(conn);
    return conn;
  }

  /** Sends the commands pipelined on one connection; one reply per command. */
  async exec(cmds: readonly (readonly (string | number)[])[]): Promise<RespReply[]> {
    const c = await this.acquire();
    try {
      return await c.send(cmds);
    } finally {
      if (!c.broken) this.idle.push(c);
      else this.all.delete(c);
    }
  }

  /** Runs the commands as one MULTI/EXEC transaction; returns EXEC's reply (an array, or an error). */
  async transaction(cmds: readonly (readonly (string | number)[])[]): Promise<RespReply> {
    const replies = await this.exec([['MULTI'], ...cmds, ['EXEC']]);
    return replies[replies.length - 1]!;
  }

  close() {
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle = [];
  }
}
