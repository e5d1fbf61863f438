import { describe, expect, it } from 'vitest';
import { openTable } from '../../src/engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const open = (type: string, text: string, opts: { foldFixed?: boolean; builtWithoutFolding?: boolean } = {}) =>
  openTable(`${type}:/etc/postfix/t`, { host: memoryHost({ '/etc/postfix/t': text }), ...opts });

describe('indexed tables (hash, btree, lmdb, cdb) from postmap source', () => {
  it('folds keys at build and at query, and records the matching line', async () => {
    const t = await open('hash', '# comment\nFoo.Example  Bar Baz  \n');
    const r = t.lookup('FOO.example');
    expect(r).toMatchObject({ status: 'found', value: 'Bar Baz', trace: { foldedKey: 'foo.example', match: { line: 2 } } });
    expect(t.fixed).toBe(true);
  });
  it('keeps the first of duplicate keys and words the warning per type', async () => {
    for (const [type, db] of [
      ['hash', '/etc/postfix/t.db'],
      ['btree', '/etc/postfix/t.db'],
      ['lmdb', 'lmdb:/etc/postfix/t'],
      ['cdb', '/etc/postfix/t'],
    ] as const) {
      const t = await open(type, 'FOO 1\nfoo 2\n');
      expect(t.lookup('foo')).toMatchObject({ status: 'found', value: '1' });
      expect(t.buildDiagnostics?.map((d) => d.message)).toEqual([`${db}: duplicate entry: "foo"`]);
      expect(t.diagnostics).toEqual([]);
    }
  });
  it('keeps quoted keys in quoted form and honours backslash escapes', async () => {
    const t = await open('hash', '"a b" quoted\na\\ b escaped\n');
    expect(t.lookup('"a b"')).toMatchObject({ value: 'quoted' });
    expect(t.lookup('a b').status).toBe('notfound');
    expect(t.lookup('a\\ b')).toMatchObject({ value: 'escaped' });
  });
  it('warns about unbalanced quotes, missing values and alias-style lines', async () => {
    const t = await open('hash', '"open x\nlonely\nkey: value\n');
    expect(t.buildDiagnostics?.map((d) => d.message)).toEqual([
      `/etc/postfix/t, line 1: unbalanced '"' in '"open x' -- ignoring this line`,
      '/etc/postfix/t, line 2: expected format: key whitespace value',
      '/etc/postfix/t, line 3: record is in "key: value" format; is this an alias file?',
    ]);
    expect(t.lookup('key:')).toMatchObject({ value: 'value' });
  });
  it('does not fold with postmap -f, and models a table built with -f', async () => {
    const folded = await open('hash', 'Foo 1\n', { foldFixed: false });
    expect(folded.lookup('Foo').status).toBe('notfound');
    expect(folded.lookup('foo').status).toBe('found');
    const raw = await open('hash', 'FOO 1\nfoo 3\n', { builtWithoutFolding: true, foldFixed: false });
    expect(raw.lookup('FOO')).toMatchObject({ value: '1' });
    expect(raw.lookup('foo')).toMatchObject({ value: '3' });
  });
  it('reports a missing database as postmap does', async () => {
    const t = await openTable('lmdb:/etc/postfix/none', { host: memoryHost({}) });
    expect(t.openError?.message).toBe('open database /etc/postfix/none.lmdb: No such file or directory');
    expect(t.lookup('x').status).toBe('error');
  });
});

describe('texthash', () => {
  it('logs duplicate keys with line numbers, unfolded, at open', async () => {
    const t = await open('texthash', 'FOO 1\nFoo 2\n');
    expect(t.diagnostics.map((d) => d.message)).toEqual(['/etc/postfix/t, line 2: duplicate entry: "Foo"']);
    expect(t.lookup('foo')).toMatchObject({ value: '1' });
  });
  it('says "-- ignoring this line" for a missing value', async () => {
    const t = await open('texthash', 'lonely\n');
    expect(t.diagnostics[0]!.message).toBe('/etc/postfix/t, line 1: expected format: key whitespace value -- ignoring this line');
  });
});
