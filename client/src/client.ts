// The transport shared by every call: base URL + key, JSON in and out, and retries. 429 and 503 are retried
// after the server's Retry-After (seconds or an HTTP date), else after an exponential backoff with full
// jitter; network errors are retried the same way. Every call is safe to repeat: recommend, explain and item
// reads change nothing, and events are idempotent by eventId. Only fetch is needed (browsers, Node, Workers).
import { LlmrecError } from './errors.ts';

export interface ClientOptions {
  /** Base URL of the edge, e.g. https://recs.example.com ('' = the page's own origin). */
  baseUrl: string;
  /** A publishable key (pk_...) in browsers; a secret key only on servers. */
  apiKey: string;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First backoff step in ms (default 250); doubles per retry, randomised (full jitter). */
  backoffMs?: number;
  /** Longest wait before a retry, ms (default 10,000); a longer Retry-After is not waited for. */
  maxDelayMs?: number;
  /** A fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface Client {
  readonly options: Readonly<Required<Omit<ClientOptions, 'fetch'>>> & { fetch?: typeof fetch };
}

export interface CallOptions {
  signal?: AbortSignal;
}

export function createClient(options: ClientOptions): Client {
  return { options: { retries: 3, backoffMs: 250, maxDelayMs: 10_000, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') } };
}

/** Seconds in a Retry-After header (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(h: string | null, now = Date.now()): number | undefined {
  if (!h) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim());
  const t = Date.parse(h);
  return Number.isFinite(t) ? Math.max(0, (t - now) / 1000) : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}

/** One API call with retries; resolves to the parsed 2xx body, else throws LlmrecError. */
export async function call<T>(client: Client, method: 'GET' | 'POST', path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  const o = client.options;
  const f = o.fetch ?? fetch;
  const init: RequestInit = {
    method,
    headers: { authorization: `Bearer ${o.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    const backoff = Math.random() * Math.min(o.maxDelayMs, o.backoffMs * 2 ** attempt);
    let res: Response;
    try {
      res = await f(`${o.baseUrl}${path}`, init);
    } catch (err) {
      if (opts.signal?.aborted || attempt >= o.retries) throw new LlmrecError(0, opts.signal?.aborted ? 'aborted' : 'network', `${method} ${path}: ${(err as Error)?.message ?? String(err)}`);
      await sleep(backoff, opts.signal);
      continue;
    }
    const json = await res.json().catch(() => undefined);
    if (res.ok) return json as T;
    const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
    const delay = retryAfter !== undefined ? retryAfter * 1000 : backoff;
    if ((res.status === 429 || res.status === 503) && attempt < o.retries && delay <= o.maxDelayMs) {
      await sleep(delay, opts.signal);
      continue;
    }
    const e = (json ?? {}) as { error?: string; message?: string; problems?: LlmrecError['problems']; requestId?: string };
    throw new LlmrecError(res.status, e.error ?? 'http_error', e.message ?? `${method} ${path} answered ${res.status}`, e.problems, e.requestId ?? res.headers.get('x-request-id') ?? undefined, retryAfter);
  }
}
