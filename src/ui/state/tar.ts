/*
 * NAME
 *   tar - read and write tar archives (POSIX ustar, GNU and pax long names)
 * DESCRIPTION
 *   What `tar czf x.tgz /etc/postfix` makes with GNU tar, and what other
 *   tars make: 512-byte headers, names split over the ustar prefix and name
 *   fields, GNU `L` records and pax `path=` records for longer names.
 *   Regular files are returned; directories, links and devices are not.
 *   Writing uses ustar, with a GNU `L` record for a name that does not fit.
 * SEE ALSO
 *   tar(5)
 */

/** A regular file of an archive. */
export interface TarEntry {
  name: string;
  bytes: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

const field = (b: Uint8Array, at: number, len: number): string => {
  const s = b.subarray(at, at + len);
  const nul = s.indexOf(0);
  return decoder.decode(nul < 0 ? s : s.subarray(0, nul));
};
const octal = (b: Uint8Array, at: number, len: number): number => {
  // GNU base-256 for large sizes: high bit set.
  if (b[at]! & 0x80) {
    let n = 0;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  return parseInt(field(b, at, len).trim() || '0', 8);
};

/** True when `b` starts with a tar header (the ustar magic, or a valid old-style checksum). */
export function isTar(b: Uint8Array): boolean {
  if (b.length < BLOCK) return false;
  if (field(b, 257, 5) === 'ustar') return true;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  return sum === octal(b, 148, 8) && b[0] !== 0;
}

/** readTar - the regular files of an archive, with their full names. */
export function readTar(b: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  let longName: string | undefined;
  let paxPath: string | undefined;
  for (let at = 0; at + BLOCK <= b.length;) {
    const header = b.subarray(at, at + BLOCK);
    if (header.every((x) => x === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]! || 48);
    const data = b.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      for (const rec of decoder.decode(data).split('\n')) {
        const m = /^\d+ path=(.*)$/.exec(rec);
        if (m) paxPath = m[1];
      }
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(header, 257, 6) === 'ustar' ? field(header, 345, 155) : '';
    const name = paxPath ?? longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = paxPath = undefined;
    if (type === '0' || type === '7') out.push({ name, bytes: data.slice() });
  }
  return out;
}

function header(name: string, size: number, type: string, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (text: string, at: number, len: number): void => void h.set(encoder.encode(text).subarray(0, len), at);
  const num = (n: number, at: number, len: number): void => put(n.toString(8).padStart(len - 1, '0'), at, len - 1);
  let prefix = '';
  let base = name;
  if (encoder.encode(name).length > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut > 0 && encoder.encode(name.slice(cut + 1)).length <= 100 && encoder.encode(name.slice(0, cut)).length <= 155) {
      prefix = name.slice(0, cut);
      base = name.slice(cut + 1);
    }
  }
  put(base, 0, 100);
  num(type === '5' ? 0o755 : 0o644, 100, 8);
  num(0, 108, 8);
  num(0, 116, 8);
  num(size, 124, 12);
  num(mtime, 136, 12);
  h.fill(32, 148, 156);
  put(type, 156, 1);
  put('ustar\u000000', 257, 8);
  put('root', 265, 32);
  put('root', 297, 32);
  put(prefix, 345, 155);
  let sum = 0;
  for (const x of h) sum += x;
  put(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8);
  return h;
}

/** writeTar - an archive of `entries` (directories named with a trailing `/` are written as such). */
export function writeTar(entries: readonly TarEntry[], mtime = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  const pad = (n: number): Uint8Array => new Uint8Array((BLOCK - (n % BLOCK)) % BLOCK);
  for (const e of entries) {
    const dir = e.name.endsWith('/');
    const nameBytes = encoder.encode(e.name);
    const h = header(e.name, dir ? 0 : e.bytes.length, dir ? '5' : '0', mtime);
    if (nameBytes.length > 100 && h[345] === 0) {
      // GNU long name: a record holding the name, then the header with a cut name.
      parts.push(header('././@LongLink', nameBytes.length + 1, 'L', mtime), nameBytes, new Uint8Array(1), pad(nameBytes.length + 1));
    }
    parts.push(h);
    if (!dir) parts.push(e.bytes, pad(e.bytes.length));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
