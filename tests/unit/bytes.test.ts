import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64Decode, base64Encode, byteLength, decodeBytes, encodeBytes, fromBinary, toBinary } from '../../src/engine/util/bytes.ts';
import { fileContent, fileValue } from '../../src/engine/tables/dict-file.ts';

describe('byte strings', () => {
  it('keeps every byte: encodeBytes(decodeBytes(b)) is b', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect([...encodeBytes(decodeBytes(b))]).toEqual([...b]);
      }),
    );
  });
  it('decodes valid UTF-8 as text and other bytes as escapes that stay distinct', () => {
    expect(decodeBytes(new TextEncoder().encode('é'))).toBe('é');
    const e9 = decodeBytes(Uint8Array.of(0x78, 0xe9));
    const e8 = decodeBytes(Uint8Array.of(0x78, 0xe8));
    expect(e9).not.toBe(e8);
    expect(e9).not.toContain('\uFFFD');
    expect(byteLength(e9)).toBe(2);
    expect(byteLength('é')).toBe(2);
    expect(byteLength('😀')).toBe(4);
    expect(toBinary(e9)).toBe('x\xe9');
    expect(fromBinary('x\xe9')).toBe(e9);
    expect(toBinary('é')).toBe('\xc3\xa9');
  });
  it('base64 as base64_code(3): padding, alphabet, length', () => {
    expect(base64Encode('hello')).toBe('aGVsbG8=');
    expect(base64Decode('aGVsbG8=')).toBe('hello');
    expect(base64Decode('aGVsbG8')).toBeUndefined();
    expect(base64Decode('notbase64!!!')).toBeUndefined();
    expect(base64Decode('Zm9vCg==')).toBe('foo\n');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(base64Decode(base64Encode(decodeBytes(b)))).toBe(decodeBytes(b));
      }),
    );
  });
});

describe('dict_file', () => {
  const files: Record<string, string> = { '/a': 'one\n', '/b': 'two\n' };
  const read = (p: string): Uint8Array | undefined => (p in files ? new TextEncoder().encode(files[p]) : undefined);
  it('joins files with a newline between them and encodes the result', () => {
    const v = fileValue('/a, /b', read);
    expect(v).toEqual({ value: base64Encode('one\n\ntwo\n') });
    expect(fileContent((v as { value: string }).value)).toEqual({ text: 'one\n\ntwo\n' });
  });
  it('says why a value cannot be used', () => {
    expect(fileValue('/a /nosuch', read)).toEqual({ error: 'open /nosuch: No such file or directory' });
    expect(fileValue('  ', read)).toEqual({ error: "empty pathname list: >>  <<'" });
    expect(fileContent('bGluZSBvbmUKbGluZSB0d28K,c2Vjb25kIGZpbGUK')).toEqual({ error: 'malformed BASE64 value: bGluZSBvbmUKbGluZSB0d28K,c2Vjb' });
  });
});
