// Work that may finish after the response: handed to ctx.waitUntil on Workers; on Node (no execution context)
// the promise just runs. Hono's executionCtx getter throws where there is none, and a throw per request is
// costly, so the first miss is remembered (a process is either a Workers isolate or not, for its lifetime).
let noExecutionContext = false;

export function waitUntil(c: { executionCtx: { waitUntil(p: Promise<unknown>): void } }, p: Promise<unknown>): void {
  if (!noExecutionContext) {
    try {
      c.executionCtx.waitUntil(p);
      return;
    } catch {
      noExecutionContext = true;
    }
  }
  p.catch(() => undefined);
}
