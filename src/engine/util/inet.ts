/*
 * NAME
 *   inet - IP address text and binary forms, as Postfix sees them
 * DESCRIPTION
 *   Models inet_pton(3) and inet_ntop(3) of glibc 2.36 (the libc of the
 *   Debian Postfix package), which is what cidr_table(5) and the smtpd
 *   client checks rely on: strict dotted quads (no leading zeros, no short
 *   forms), IPv6 with at most one `::`, an optional dotted-quad tail and
 *   no zone id. Postfix picks the family from the presence of a `:`.
 *   Also: IPv4-mapped normalisation (normalize_v4mapped_addr) and prefix
 *   masks (mask_addr). Hand-written over 4/16-byte arrays: exact glibc
 *   rules and far faster than a general library on hot paths.
 * SEE ALSO
 *   inet_pton(3), inet_ntop(3), cidr_table(5)
 */

/** An address family as Postfix distinguishes them. */
export type IpFamily = 4 | 6;

/** A parsed address: 4 bytes for IPv4, 16 for IPv6, network order. */
export interface IpAddress {
  family: IpFamily;
  bytes: Uint8Array;
}

/** parseIPv4 - glibc inet_pton(AF_INET): exactly four decimal octets, no leading zeros. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return parseIPv4Into(text, 0, text.length, out, 0) ? out : undefined;
}

/**
 * parseIPv4Number - parseIPv4() of text[start, end) as an unsigned 32-bit
 * number, or -1: the same rules, without allocating (hot in cidr: tables).
 */
export function parseIPv4Number(s: string, start = 0, end = s.length): number {
  return scanIPv4(s, start, end) === end ? scanned.value : -1;
}

/** What scanIPv4() read: the address as an unsigned 32-bit number. */
const scanned = { value: 0 };

/**
 * scanIPv4 - inet_pton(AF_INET)'s state machine over s[start, end), up to
 * the first character that is neither a digit nor a dot: that index, with
 * the address in `scanned.value`, or -1 when what comes before it is not a
 * strict dotted quad. One pass, no substrings, no allocation.
 */
function scanIPv4(s: string, start: number, end: number): number {
  let octets = 0;
  let sawDigit = false;
  let cur = 0;
  let acc = 0;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (sawDigit && cur === 0) return -1; // leading zero
      cur = cur * 10 + (c - 48);
      if (cur > 255) return -1;
      if (!sawDigit) {
        if (++octets > 4) return -1;
        sawDigit = true;
      }
    } else if (c === 46 && sawDigit) {
      if (octets === 4) return -1;
      acc = acc * 256 + cur;
      cur = 0;
      sawDigit = false;
    } else break;
  }
  if (octets < 4 || !sawDigit) return -1;
  scanned.value = acc * 256 + cur;
  return i;
}

/**
 * scanIPv4Prefix - a valid IPv4 `a.b.c.d` or `a.b.c.d/N` (N of one or two
 * digits, no host bits) starting at s[start] and ending at a blank or `end`:
 * one pass, no substrings (cidr: tables). The pattern's end index, with the
 * network as int32 and the prefix length in `out`, or -1 for anything else,
 * which the caller's exact parser then handles.
 */
export function scanIPv4Prefix(s: string, start: number, end: number, out: { net: number; shift: number }): number {
  // The address, up to `/` or a blank.
  let i = scanIPv4(s, start, end);
  if (i < 0) return -1;
  const net = scanned.value;
  let c = i < end ? s.charCodeAt(i) : 0;
  let shift = 32;
  if (i < end && c === 47) {
    // One or two mask digits, then the end of the pattern.
    const d = ++i;
    shift = 0;
    for (; i < end && i - d < 3; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      shift = shift * 10 + (c - 48);
    }
    if (i === d || i - d > 2 || shift > 32) return -1;
  }
  if (i < end && !isSpaceCode(s.charCodeAt(i))) return -1;
  if ((net & ~(shift === 0 ? 0 : -1 << (32 - shift))) !== 0) return -1;
  out.net = net | 0;
  out.shift = shift;
  return i;
}

/** ISSPACE in the C locale. */
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

function parseIPv4Into(s: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  if (scanIPv4(s, start, end) !== end) return false;
  const v = scanned.value;
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 255;
  out[at + 2] = (v >>> 8) & 255;
  out[at + 3] = v & 255;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** parseIPv6 - glibc inet_pton(AF_INET6): one `::` at most, 1-4 hex digits per group, optional dotted-quad tail. */
export function parseIPv6(text: string): Uint8Array | undefined {
  const tmp = new Uint8Array(16);
  const end = text.length;
  let i = 0;
  if (end === 0) return undefined;
  if (text.charCodeAt(0) === 58) {
    // A leading colon must start a `::`.
    if (end < 2 || text.charCodeAt(1) !== 58) return undefined;
    i = 1;
  }
  let tp = 0;
  let colonp = -1;
  let curtok = i;
  let digits = 0;
  let val = 0;
  while (i < end) {
    const c = text.charCodeAt(i++);
    const d = hexValue(c);
    if (d >= 0) {
      if (digits === 4) return undefined;
      val = (val << 4) | d;
      digits++;
      continue;
    }
    if (c === 58) {
      curtok = i;
      if (digits === 0) {
        if (colonp >= 0) return undefined;
        colonp = tp;
        continue;
      }
      if (i === end) return undefined;
      if (tp + 2 > 16) return undefined;
      tmp[tp++] = val >> 8;
      tmp[tp++] = val & 0xff;
      digits = 0;
      val = 0;
      continue;
    }
    if (c === 46 && tp + 4 <= 16 && parseIPv4Into(text, curtok, end, tmp, tp)) {
      tp += 4;
      digits = 0;
      break;
    }
    return undefined;
  }
  if (digits > 0) {
    if (tp + 2 > 16) return undefined;
    tmp[tp++] = val >> 8;
    tmp[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    // glibc 2.36 accepts a `::` that stands for no group at all (1:2:3:4:5:6:7::).
    const n = tp - colonp;
    tmp.copyWithin(16 - n, colonp, tp);
    tmp.fill(0, colonp, 16 - n);
    tp = 16;
  }
  return tp === 16 ? tmp : undefined;
}

/** familyOf - Postfix's rule (CIDR_MATCH_ADDR_FAMILY): a `:` anywhere means IPv6. */
export function familyOf(text: string): IpFamily {
  return text.includes(':') ? 6 : 4;
}

/** parseAddress - the address in `text`, the family chosen as Postfix does, or undefined. */
export function parseAddress(text: string): IpAddress | undefined {
  const family = familyOf(text);
  const bytes = family === 6 ? parseIPv6(text) : parseIPv4(text);
  return bytes && { family, bytes };
}

/** formatIPv4 - dotted quad. */
export function formatIPv4(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** formatIPv6 - glibc inet_ntop(AF_INET6): RFC 5952 compression, dotted tail for mapped/compatible. */
export function formatIPv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // Longest run of zero words (first on a tie), only if at least two long.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best >= 0 && i >= best && i < best + bestLen) {
      if (i === best) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // IPv4-compatible (::a.b.c.d; glibc still prints ::2 in hex) and IPv4-mapped (::ffff:a.b.c.d) addresses.
    if (i === 6 && best === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += formatIPv4(b, 12);
      break;
    }
    out += words[i]!.toString(16);
  }
  if (best >= 0 && best + bestLen === 8) out += ':';
  return out;
}

/** formatAddress - inet_ntop text of an address. */
export function formatAddress(a: IpAddress): string {
  return a.family === 4 ? formatIPv4(a.bytes) : formatIPv6(a.bytes);
}

/** isV4Mapped - true for ::ffff:0:0/96. */
export function isV4Mapped(b: Uint8Array): boolean {
  if (b.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * normalizeV4Mapped - `::ffff:1.2.3.4` becomes `1.2.3.4`, as Postfix does to
 * client addresses before any lookup (textual, case-insensitive prefix).
 */
export function normalizeV4Mapped(text: string): string {
  if (text.length > 7 && text.slice(0, 7).toLowerCase() === '::ffff:') {
    const tail = text.slice(7);
    if (parseIPv4(tail)) return tail;
  }
  return text;
}

/** prefixMask - a netmask of `bits` leading ones over `byteCount` bytes. */
export function prefixMask(bits: number, byteCount: number): Uint8Array {
  const m = new Uint8Array(byteCount);
  for (let i = 0; i < byteCount; i++) {
    const left = bits - i * 8;
    m[i] = left >= 8 ? 0xff : left <= 0 ? 0 : (0xff << (8 - left)) & 0xff;
  }
  return m;
}

/** maskAddress - a copy of `bytes` with the bits after the first `bits` cleared (mask_addr). */
export function maskAddress(bytes: Uint8Array, bits: number): Uint8Array {
  const m = prefixMask(bits, bytes.length);
  return bytes.map((v, i) => v & m[i]!);
}

/** hasHostBits - true when `bytes` has a bit set beyond the first `bits`. */
export function hasHostBits(bytes: Uint8Array, bits: number): boolean {
  const m = prefixMask(bits, bytes.length);
  return bytes.some((v, i) => (v & ~m[i]!) !== 0);
}

/** inPrefix - true when `addr` lies in `net`/`bits` (same length arrays). */
export function inPrefix(addr: Uint8Array, net: Uint8Array, bits: number): boolean {
  if (addr.length !== net.length) return false;
  const full = bits >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== net[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const m = (0xff << (8 - rest)) & 0xff;
  return (addr[full]! & m) === net[full];
}

/** v4ToNumber - an IPv4 address as an unsigned 32-bit number. */
export function v4ToNumber(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}
