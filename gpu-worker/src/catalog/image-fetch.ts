// Fetches an item image given as an https URL in PUT /v1/items, and nothing else (SSRF guard): the URL must pass
// the image policy (https, default port, a configured host: shared/src/catalog/image-policy.ts); EVERY address the
// host resolves to must be public (no loopback, private, link-local, ...), and the connection goes to the address
// that was checked (no second lookup a DNS rebind could change); redirects are not followed; the response must
// be 200 with an image content type, at most maxBytes (counted while reading), and its bytes must be a JPEG or
// PNG of that type.
import { lookup as dnsLookup } from 'node:dns/promises';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { CATALOG_LIMITS, IMAGE_TYPES } from '@llmrec/shared/api/items.ts';
import { imageBytesProblems, imageUrlProblems, isIpLiteral, isPublicAddress } from '@llmrec/shared/catalog/image-policy.ts';

export class ImageFetchError extends Error {}

export interface ImageFetchOptions {
  allowedHosts: readonly string[];
  maxBytes?: number;
  timeoutMs?: number;
  /** Resolves a host to all its addresses (default: the system resolver). */
  lookup?: (host: string) => Promise<{ address: string; family: number }[]>;
  /** Sends the request to the checked address (default: node:https with the address pinned). */
  request?: (url: URL, address: { address: string; family: number }, signal: AbortSignal) => Promise<IncomingMessage>;
}

export interface FetchedImage {
  bytes: Uint8Array;
  contentType: string;
}

function httpsPinned(url: URL, address: { address: string; family: number }, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'GET',
      signal,
      headers: { accept: IMAGE_TYPES.join(', '), 'user-agent': 'llmrec-edge-catalog/1' },
      // The socket goes to the address that passed the check; TLS still verifies the certificate for the host name.
      lookup: (_host, _opts, cb) => (cb as (e: Error | null, a: string, f: number) => void)(null, address.address, address.family),
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

/** Fetches one image under the policy; throws ImageFetchError with a reason a client can act on. */
export async function fetchImage(raw: string, opts: ImageFetchOptions): Promise<FetchedImage> {
  const problems = imageUrlProblems(raw, opts.allowedHosts);
  if (problems.length) throw new ImageFetchError(problems.join('; '));
  const url = new URL(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const maxBytes = opts.maxBytes ?? CATALOG_LIMITS.maxImageBytes;
  let addresses: { address: string; family: number }[];
  if (isIpLiteral(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      addresses = await (opts.lookup ?? ((h) => dnsLookup(h, { all: true, verbatim: true })))(host);
    } catch (e) {
      throw new ImageFetchError(`cannot resolve ${host}: ${(e as Error).message}`);
    }
  }
  if (addresses.length === 0) throw new ImageFetchError(`${host} resolves to no address`);
  const bad = addresses.filter((a) => !isPublicAddress(a.address));
  if (bad.length) throw new ImageFetchError(`${host} resolves to a non-public address (${bad.map((a) => a.address).join(', ')}): refused`);

  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? 5000);
  try {
    let res: IncomingMessage;
    try {
      res = await (opts.request ?? httpsPinned)(url, addresses[0]!, ctrl.signal);
    } catch (e) {
      throw new ImageFetchError(ctrl.signal.aborted ? `no answer from ${host} within ${opts.timeoutMs ?? 5000} ms` : `cannot fetch from ${host}: ${(e as Error).message}`);
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400) {
      res.resume();
      throw new ImageFetchError(`${raw} redirects (HTTP ${status}); redirects are not followed: give the final URL`);
    }
    if (status !== 200) {
      res.resume();
      throw new ImageFetchError(`${raw} answered HTTP ${status}`);
    }
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(IMAGE_TYPES as readonly string[]).includes(type)) {
      res.resume();
      throw new ImageFetchError(`${raw} has content type ${JSON.stringify(type || 'none')}, not one of ${IMAGE_TYPES.join(', ')}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      throw new ImageFetchError(`${raw} is ${declared} bytes, at most ${maxBytes} are accepted`);
    }
    const parts: Buffer[] = [];
    let n = 0;
    try {
      for await (const chunk of res) {
        n += (chunk as Buffer).length;
        if (n > maxBytes) {
          res.destroy();
          throw new ImageFetchError(`${raw} is over ${maxBytes} bytes`);
        }
        parts.push(chunk as Buffer);
      }
    } catch (e) {
      if (e instanceof ImageFetchError) throw e;
      throw new ImageFetchError(ctrl.signal.aborted ? `${raw} did not finish within ${opts.timeoutMs ?? 5000} ms` : `reading ${raw} failed: ${(e as Error).message}`);
    }
    const bytes = new Uint8Array(Buffer.concat(parts));
    const bytesProblems = imageBytesProblems(bytes, type, maxBytes);
    if (bytesProblems.length) throw new ImageFetchError(`${raw}: ${bytesProblems.join('; ')}`);
    return { bytes, contentType: type };
  } finally {
    clearTimeout(timer);
  }
}
