// What the item API accepts as an item image (issue 11, multimodal content of new items): bytes recognised as
// JPEG or PNG by their signature, at most maxImageBytes; or an https URL whose host is on the configured
// list and never a loopback, link-local, private or otherwise non-public address (checked on the literal here,
// and on every resolved address by the worker before it connects). Runtime-neutral: the edge checks requests
// before they reach the worker, the worker checks again before fetching.
import { CATALOG_LIMITS, type ImageType } from '../api/items.ts';

/** The image type of `bytes` from its signature, or null. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'image/png';
  return null;
}

/** Problems with image bytes (empty list = acceptable). */
export function imageBytesProblems(bytes: Uint8Array, declared?: string, maxBytes: number = CATALOG_LIMITS.maxImageBytes): string[] {
  if (bytes.length === 0) return ['the image is empty'];
  if (bytes.length > maxBytes) return [`the image has ${bytes.length} bytes, at most ${maxBytes} are accepted`];
  const type = sniffImageType(bytes);
  if (!type) return ['not a JPEG or PNG image (checked on its leading bytes)'];
  const base = declared?.split(';')[0]!.trim().toLowerCase();
  if (base && base !== type) return [`declared ${base} but the bytes are ${type}`];
  return [];
}

function ipv4(s: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

/** 16 bytes of an IPv6 literal (with or without brackets, embedded IPv4 allowed), or null. */
function ipv6(s: string): number[] | null {
  s = s.replace(/^\[|\]$/g, '');
  if (!s.includes(':') || /[^0-9a-fA-F:.]/.test(s)) return null;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const p = ipv4(v4[1]!);
    if (!p) return null;
    tail = p;
    s = s.slice(0, -v4[1]!.length) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return null;
  const all = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...rest];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const bytes = all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Whether `s` is an IP literal (v4 or v6). */
export function isIpLiteral(s: string): boolean {
  return ipv4(s) !== null || ipv6(s) !== null;
}

function publicV4([a, b, c]: number[]): boolean {
  if (a === 0 || a === 10 || a === 127 || a! >= 224) return false; // this network, private, loopback, multicast/reserved
  if (a === 100 && b! >= 64 && b! <= 127) return false; // carrier-grade NAT
  if (a === 169 && b === 254) return false; // link-local (cloud metadata endpoints)
  if (a === 172 && b! >= 16 && b! <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false; // IETF protocol assignments, TEST-NET-1
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  if (a === 198 && b === 51 && c === 100) return false; // TEST-NET-2
  if (a === 203 && b === 0 && c === 113) return false; // TEST-NET-3
  return true;
}

/**
 * True only for globally routable unicast addresses: false for loopback, private (RFC 1918, ULA), link-local,
 * carrier-grade NAT, multicast, unspecified, documentation and benchmarking ranges, and IPv6 forms that
 * embed such an IPv4 address (mapped, compatible, NAT64 well-known prefix, 6to4).
 */
export function isPublicAddress(ip: string): boolean {
  const v4 = ipv4(ip);
  if (v4) return publicV4(v4);
  const v6 = ipv6(ip);
  if (!v6) return false;
  const b = v6;
  const zeroPrefix = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroPrefix(16)) return false; // ::
  if (zeroPrefix(15) && b[15] === 1) return false; // ::1
  if (zeroPrefix(10) && b[10] === 0xff && b[11] === 0xff) return publicV4(b.slice(12)); // ::ffff:a.b.c.d
  if (zeroPrefix(12)) return publicV4(b.slice(12)); // ::a.b.c.d (deprecated compatible form)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) return publicV4(b.slice(12)); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return publicV4(b.slice(2, 6)); // 6to4 2002::/16
  if ((b[0]! & 0xfe) === 0xfc) return false; // fc00::/7 unique local
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return false; // fe80::/10 link-local
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return false; // fec0::/10 site-local (deprecated)
  if (b[0] === 0xff) return false; // multicast
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return false; // documentation
  if (b[0] === 0x01 && b.slice(1, 8).every((x) => x === 0)) return false; // 100::/64 discard-only
  return true;
}

/** Whether `host` (lower-case) is on the list: exact names, or `*.example.com` for its subdomains. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((a) => {
    const p = a.toLowerCase().replace(/\.$/, '');
    return p.startsWith('*.') ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : h === p;
  });
}

/** Problems with an image URL under the policy (empty = acceptable to try; the fetcher still checks DNS). */
export function imageUrlProblems(raw: string, allowedHosts: readonly string[]): string[] {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return ['not a URL'];
  }
  if (u.protocol !== 'https:') return [`only https URLs are fetched (got ${u.protocol.replace(/:$/, '')})`];
  if (u.username || u.password) return ['URLs with credentials are not fetched'];
  if (u.port && u.port !== '443') return [`only the default https port is fetched (got ${u.port})`];
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIpLiteral(host) && !isPublicAddress(host)) return [`${host} is not a public address (loopback, private, link-local and reserved ranges are refused)`];
  if (allowedHosts.length === 0) return ['image URLs are disabled: no image hosts are configured (LLMREC_IMAGE_HOSTS); send the bytes as base64'];
  if (!hostAllowed(host, allowedHosts)) return [`host ${host} is not in the configured image hosts (${allowedHosts.join(', ')})`];
  return [];
}
