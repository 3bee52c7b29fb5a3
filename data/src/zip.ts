// Minimal ZIP reader (stored and deflate entries, via node:zlib inflateRaw) so downloaded GroupLens archives
// can be unpacked without an unzip binary or a dependency. No ZIP64, no encryption: GroupLens zips need neither.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  size: number;
  data(): Uint8Array;
}

export function readZip(buf: Uint8Array, what = 'zip'): ZipEntry[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // End of central directory: signature 0x06054b50, within the last 22 + 65535 bytes.
  let eocd = -1;
  for (let p = buf.length - 22; p >= Math.max(0, buf.length - 22 - 0xffff); p--) {
    if (dv.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${what}: not a zip archive (no end-of-central-directory record)`);
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  const dec = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new Error(`${what}: corrupt central directory at entry ${k}`);
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const usize = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const elen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = dec.decode(buf.subarray(p + 46, p + 46 + nlen));
    p += 46 + nlen + elen + clen;
    if (dv.getUint32(local, true) !== 0x04034b50) throw new Error(`${what}: corrupt local header for ${name}`);
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const raw = buf.subarray(start, start + csize);
    entries.push({
      name,
      size: usize,
      data() {
        if (method === 0) return raw;
        if (method !== 8) throw new Error(`${what}: ${name} uses unsupported compression method ${method}`);
        const out = inflateRawSync(raw);
        if (out.length !== usize) throw new Error(`${what}: ${name} inflated to ${out.length} bytes, expected ${usize}`);
        return out;
      },
    });
  }
  return entries;
}
