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

describe('UTF-8 mode', () => {
  it('casefolds as ICU does: full folding, one character at a time', async () => {
    const { casefoldUtf8 } = await import('../../src/engine/util/casefold.ts');
    expect(casefoldUtf8('STRAẞE')).toBe('strasse');
    expect(casefoldUtf8('Straße')).toBe('strasse');
    expect(casefoldUtf8('CAFÉ')).toBe('café');
    expect(casefoldUtf8('ΟΔΟΣ')).toBe('οδοσ');
    expect(casefoldUtf8('ı')).toBe('ı');
    expect(casefoldUtf8('ſ')).toBe('s');
  });
  it('refuses keys and values that are not UTF-8, with Postfix warnings', async () => {
    const { openTable } = await import('../../src/engine/index.ts');
    const { memoryHost } = await import('../support/memory-host.ts');
    const host = memoryHost({ '/t': Uint8Array.from([...new TextEncoder().encode('a v'), 0xe9, 10, ...new TextEncoder().encode('CAFÉ x\n')]) });
    const t = await openTable('texthash:/t', { host, utf8: true });
    expect(t.diagnostics.map((d) => d.message)).toEqual(['/t, line 1: non-UTF-8 input "a v\udce9" -- ignoring this line']);
    expect(t.lookup('café')).toMatchObject({ status: 'found', value: 'x' });
    const bad = t.lookup(decodeBytes(Uint8Array.of(0x63, 0xe9)));
    expect(bad.status).toBe('notfound');
    expect(bad.warnings?.[0]?.message).toBe('texthash:/t: non-UTF-8 key "c\udce9": malformed UTF-8 or invalid codepoint');
    const eight = await openTable('texthash:/t', { host });
    expect(eight.lookup('a')).toMatchObject({ status: 'found', value: 'v\udce9' });
  });
  it('prints a byte that is not UTF-8 as one ?', async () => {
    const { printable } = await import('../../src/engine/index.ts');
    expect(printable('caf\udce9', false)).toBe('caf?');
    expect(printable('caf\udce9 é', true)).toBe('caf? é');
    expect(printable('é', false)).toBe('??');
  });
});
