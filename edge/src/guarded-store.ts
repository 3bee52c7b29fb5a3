// Wraps a KvStore / EventLog so that any failure of the backend itself (network, closed file, Redis down)
// surfaces as KvUnavailableError, which errors.ts maps to a 503 with a clear body (part 6). Plain method
// wrappers (no Proxy): this sits on the hot path of every request.
import { KvUnavailableError, type EventLog, type KvStore } from '@llmrec/shared/kv/store.ts';

function asUnavailable(err: unknown, what: string, op: string): unknown {
  if (err instanceof KvUnavailableError) return err;
  return new KvUnavailableError(`${what} ${op} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

function guard<A extends unknown[], R>(what: string, op: string, fn: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw asUnavailable(err, what, op);
    }
  };
}

export function guardEventLog(log: EventLog): EventLog {
  const w = 'event log';
  return {
    append: guard(w, 'append', log.append.bind(log)),
    read: guard(w, 'read', log.read.bind(log)),
    ack: guard(w, 'ack', log.ack.bind(log)),
    trim: guard(w, 'trim', log.trim.bind(log)),
    length: guard(w, 'length', log.length.bind(log)),
    ...(log.forgetUser ? { forgetUser: guard(w, 'forgetUser', log.forgetUser.bind(log)) } : {}),
  };
}

export function guardStore(store: KvStore): KvStore {
  const w = `store(${store.kind})`;
  return {
    kind: store.kind,
    get: guard(w, 'get', store.get.bind(store)),
    mget: guard(w, 'mget', store.mget.bind(store)),
    set: guard(w, 'set', store.set.bind(store)),
    del: guard(w, 'del', store.del.bind(store)),
    setMany: guard(w, 'setMany', store.setMany.bind(store)),
    listPush: guard(w, 'listPush', store.listPush.bind(store)),
    listRange: guard(w, 'listRange', store.listRange.bind(store)),
    ping: guard(w, 'ping', store.ping.bind(store)),
    ...(store.events ? { events: guardEventLog(store.events) } : {}),
    ...(store.close ? { close: store.close.bind(store) } : {}),
  };
}
