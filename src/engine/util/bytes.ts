/*
 * NAME
 *   bytes - Postfix's byte strings as JavaScript strings
 * SYNOPSIS
 *   decodeBytes(bytes)    encodeBytes(text)    byteLength(text)
 *   toBinary(text)        fromBinary(binary)
 *   base64Encode(text)    base64Decode(text)
 * DESCRIPTION
 *   Postfix handles keys, table lines and values as bytes. The engine keeps
 *   them as strings that are UTF-8 where the bytes are valid UTF-8, and
 *   maps every byte that is not part of valid UTF-8 to the lone surrogate
 *   U+DC80 + (byte - 0x80) ("surrogateescape"). So a Latin-1 byte keeps its
 *   identity (it never becomes U+FFFD and never equals another byte), text
 *   stays readable, and encodeBytes() gives back exactly the bytes that
 *   were read. Valid UTF-8 never decodes to such a surrogate.
 *
 *   toBinary() gives one character per byte (0-255), the form regular
 *   expressions match on (Postfix's regex libraries see bytes);
 *   fromBinary() is its inverse. base64 is Postfix's base64_code(3): the
 *   decoder wants a length that is a multiple of 4, rejects characters
 *   outside the alphabet, and stops at the first `=`.
 * SEE ALSO
 *   base64_code(3), dict_file(3)
 */

const ESCAPE_BASE = 0xdc00;

let fatalDecoder: TextDecoder | undefined;

/** decodeBytes - bytes as a string; bytes that are not valid UTF-8 become U+DC80..U+DCFF. */
export function decodeBytes(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++)
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii) return new TextDecoder('latin1').decode(bytes);
  try {
    return (fatalDecoder ??= new TextDecoder('utf-8', { fatal: true })).decode(bytes);
  } catch {
    return decodeSlowly(bytes);
  }
}

/** The length of the valid UTF-8 sequence at bytes[i], or 0 (Unicode's well-formed byte sequences). */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function decodeSlowly(bytes: Uint8Array): string {
  const decoder = new TextDecoder('utf-8');
  let out = '';
  let start = 0;
  for (let i = 0; i < bytes.length;) {
    const n = utf8SequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += decoder.decode(bytes.subarray(start, i)) + String.fromCharCode(ESCAPE_BASE + bytes[i]!);
    start = ++i;
  }
  return out + decoder.decode(bytes.subarray(start));
}

const isEscape = (c: number): boolean => c >= 0xdc80 && c <= 0xdcff;

/** encodeBytes - the bytes a string stands for (the inverse of decodeBytes). */
export function encodeBytes(text: string): Uint8Array {
  let plain = true;
  for (let i = 0; i < text.length; i++)
    if (isEscape(text.charCodeAt(i))) {
      plain = false;
      break;
    }
  if (plain) return new TextEncoder().encode(text);
  const parts: number[] = [];
  const encoder = new TextEncoder();
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isEscape(c)) continue;
    for (const b of encoder.encode(text.slice(start, i))) parts.push(b);
    parts.push(c - ESCAPE_BASE);
    start = i + 1;
  }
  for (const b of encoder.encode(text.slice(start))) parts.push(b);
  return Uint8Array.from(parts);
}

/** byteLength - how many bytes Postfix sees in `text` (strlen). */
export function byteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 || isEscape(c)) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** toBinary - one character (0-255) per byte, as Postfix's regex libraries see the text. */
export function toBinary(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  let out = '';
  for (const b of encodeBytes(text)) out += String.fromCharCode(b);
  return out;
}

/** fromBinary - the inverse of toBinary. */
export function fromBinary(binary: string): string {
  if (!/[^\x00-\x7f]/.test(binary)) return binary;
  return decodeBytes(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** base64Encode - base64_encode() of the bytes `text` stands for. */
export function base64Encode(text: string): string {
  const bytes = encodeBytes(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    out += B64[a >> 2]! + B64[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : B64[c & 63]!;
  }
  return out;
}

/** base64Decode - base64_decode(): the decoded text, or undefined when Postfix finds it malformed. */
export function base64Decode(text: string): string | undefined {
  if (text.length % 4) return undefined;
  const value = (ch: string | undefined): number => (ch === undefined ? -1 : B64.indexOf(ch));
  const out: number[] = [];
  for (let i = 0; i < text.length; i += 4) {
    const c0 = value(text[i]);
    const c1 = value(text[i + 1]);
    if (c0 < 0 || c1 < 0) return undefined;
    out.push(((c0 << 2) | (c1 >> 4)) & 0xff);
    if (text[i + 2] === '=') break;
    const c2 = value(text[i + 2]);
    if (c2 < 0) return undefined;
    out.push(((c1 << 4) | (c2 >> 2)) & 0xff);
    if (text[i + 3] === '=') break;
    const c3 = value(text[i + 3]);
    if (c3 < 0) return undefined;
    out.push(((c2 << 6) | c3) & 0xff);
  }
  return decodeBytes(Uint8Array.from(out));
}
