// Wraps a KvStore / EventLog so that any failure of the backend itself (network, closed file, Redis down)
// surfaces as KvUnavailableError, which errors.ts maps to a 503 with a clear body (part 6).
import { KvUnavailableError, type EventLog, type KvStore } from '../../shared/src/kv/store.ts';

function wrap<T extends object>(target: T, what: string): T {
  // Wrapped methods are made once per property (the hot path must not allocate a closure per call).
  const cache = new Map<PropertyKey, { fn: unknown; wrapped: unknown }>();
  return new Proxy(target, {
    get(t, prop, recv) {
      const v = Reflect.get(t, prop, recv);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      const hit = cache.get(prop);
      if (hit && hit.fn === v) return hit.wrapped;
      const wrapped = (...args: unknown[]) => {
        try {
          const r = (v as (...a: unknown[]) => unknown).apply(t, args);
          return r instanceof Promise ? r.catch((err: unknown) => Promise.reject(asUnavailable(err, what, String(prop)))) : r;
        } catch (err) {
          throw asUnavailable(err, what, String(prop));
        }
      };
      cache.set(prop, { fn: v, wrapped });
      return wrapped;
    },
  });
}

function asUnavailable(err: unknown, what: string, op: string): unknown {
  if (err instanceof KvUnavailableError) return err;
  return new KvUnavailableError(`${what} ${op} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

export function guardStore(store: KvStore): KvStore {
  return wrap(store, `store(${store.kind})`);
}

export function guardEventLog(log: EventLog): EventLog {
  return wrap(log, 'event log');
}
