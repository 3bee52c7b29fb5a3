// Test and benchmark helper: a TCP port on 127.0.0.1 that was free a moment ago (the OS picks it), for the
// servers and child processes that tests and benchmarks start.
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}
