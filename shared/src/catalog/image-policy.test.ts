// The image policy of the item API: signatures, size, declared type; public vs non-public addresses in every
// spelling an attacker might use for an internal host; the host list.
import { describe, expect, it } from 'vitest';
import { hostAllowed, imageBytesProblems, imageUrlProblems, isPublicAddress, sniffImageType } from './image-policy.ts';

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const WEBP = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');

describe('image bytes', () => {
  it('recognises JPEG and PNG by their signature and nothing else (WebP, SVG, GIF are refused)', () => {
    expect([sniffImageType(JPEG), sniffImageType(PNG), sniffImageType(WEBP)]).toEqual(['image/jpeg', 'image/png', null]);
    expect(sniffImageType(new TextEncoder().encode('<svg xmlns=...'))).toBeNull();
    expect(sniffImageType(new TextEncoder().encode('GIF89a'))).toBeNull();
  });
  it('checks size and the declared type against the bytes', () => {
    expect(imageBytesProblems(JPEG)).toEqual([]);
    expect(imageBytesProblems(JPEG, 'image/png')[0]).toMatch(/declared image\/png but the bytes are image\/jpeg/);
    expect(imageBytesProblems(new Uint8Array(0))[0]).toMatch(/empty/);
    expect(imageBytesProblems(new Uint8Array(20).fill(0xff), undefined, 10)[0]).toMatch(/at most 10/);
    expect(imageBytesProblems(new TextEncoder().encode('hello world'))[0]).toMatch(/not a JPEG or PNG/);
  });
});

describe('addresses', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:7f00:1', '64:ff9b::10.0.0.1', '2002:0a00:0001::1', 'ff02::1', '2001:db8::1', '[::1]',
  ])('%s is not public', (ip) => expect(isPublicAddress(ip)).toBe(false));
  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => expect(isPublicAddress(ip)).toBe(true));
  it('anything that is not an address is not public', () => expect(isPublicAddress('localhost')).toBe(false));
});

describe('image URLs', () => {
  const hosts = ['images.example.com', '*.cdn.example.org'];
  it('accepts https URLs on listed hosts only', () => {
    expect(imageUrlProblems('https://images.example.com/a.jpg', hosts)).toEqual([]);
    expect(imageUrlProblems('https://x.cdn.example.org/a.jpg', hosts)).toEqual([]);
    expect(imageUrlProblems('https://cdn.example.org.evil.com/a.jpg', hosts)[0]).toMatch(/not in the configured image hosts/);
    expect(imageUrlProblems('https://evil.com/a.jpg', hosts)[0]).toMatch(/not in the configured image hosts/);
    expect(hostAllowed('IMAGES.example.com.', hosts)).toBe(true);
  });
  it('refuses other schemes, credentials, ports, internal literals and, without a host list, every URL', () => {
    expect(imageUrlProblems('http://images.example.com/a.jpg', hosts)[0]).toMatch(/only https/);
    expect(imageUrlProblems('file:///etc/passwd', hosts)[0]).toMatch(/only https/);
    expect(imageUrlProblems('https://u:p@images.example.com/a.jpg', hosts)[0]).toMatch(/credentials/);
    expect(imageUrlProblems('https://images.example.com:8443/a.jpg', hosts)[0]).toMatch(/port/);
    expect(imageUrlProblems('https://169.254.169.254/latest/meta-data', ['169.254.169.254'])[0]).toMatch(/not a public address/);
    expect(imageUrlProblems('https://[::ffff:127.0.0.1]/x.png', ['::ffff:127.0.0.1'])[0]).toMatch(/not a public address/);
    expect(imageUrlProblems('https://images.example.com/a.jpg', [])[0]).toMatch(/no image hosts are configured/);
    expect(imageUrlProblems('not a url', hosts)).toEqual(['not a URL']);
  });
});
