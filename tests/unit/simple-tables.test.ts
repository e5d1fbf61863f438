import { describe, expect, it } from 'vitest';
import { openTable } from '../../src/engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const host = memoryHost({ '/etc/postfix/a': 'x 1\n' }, { LANG: 'C', lower: 'l' });
const open = (spec: string, foldFixed = true) => openTable(spec, { host, foldFixed });

describe('inline:', () => {
  it('parses items with and without braces; last duplicate wins', async () => {
    const t = await open('inline:{A=1, { b = x y }, a=2}');
    expect(t.lookup('a')).toMatchObject({ status: 'found', value: '2' });
    expect(t.lookup('B')).toMatchObject({ status: 'found', value: 'x y' });
  });
  it('fails the whole table on bad syntax, in Postfix words', async () => {
    expect((await open('inline:{}')).openError?.message).toBe('bad syntax: "inline:{}"; need "inline:{name=value...}"');
    expect((await open('inline:{ k = v }')).openError?.message).toBe(`missing '=' after attribute name: "inline:{ k = v }"; need "inline:{name=value...}"`);
    expect((await open('inline:{ }')).openError?.message).toBe('empty table: "inline:{ }"; need "inline:{name=value...}"');
  });
  it('returns an empty value as found', async () => {
    expect((await open('inline:{k=}')).lookup('k')).toMatchObject({ status: 'found', value: '' });
  });
});

describe('static:, fail:, environ:', () => {
  it('static answers every key, also the empty one, and strips braces', async () => {
    expect((await open('static:OK')).lookup('')).toMatchObject({ status: 'found', value: 'OK' });
    expect((await open('static:{ text with space }')).lookup('x')).toMatchObject({ value: 'text with space' });
    expect((await open('static:{ open')).openError?.message).toBe(`bad static:name syntax: missing '}' in "{ open"`);
  });
  it('fail fails every lookup', async () => {
    const t = await open('fail:x');
    expect(t.lookup('a')).toMatchObject({ status: 'error', error: { message: 'Application error' } });
    expect(t.fixed).toBe(false);
  });
  it('environ folds the key unless -f', async () => {
    expect((await open('environ:x')).lookup('LANG').status).toBe('notfound');
    expect((await open('environ:x', false)).lookup('LANG')).toMatchObject({ value: 'C' });
    expect((await open('environ:x')).lookup('LOWER')).toMatchObject({ value: 'l' });
  });
});

describe('unionmap: and pipemap:', () => {
  it('unionmap joins values in member order and takes flags from the first member', async () => {
    const t = await open('unionmap:{inline:{a=1}, static:2, hash:/etc/postfix/a}');
    expect(t.lookup('a')).toMatchObject({ status: 'found', value: '1,2' });
    expect(t.lookup('x')).toMatchObject({ status: 'found', value: '2,1' });
    expect(t.fixed).toBe(true);
    expect((await open('unionmap:{fail:x, static:1}')).fixed).toBe(false);
  });
  it('unionmap stops at a member error', async () => {
    expect((await open('unionmap:{static:1, fail:x}')).lookup('a').status).toBe('error');
  });
  it('pipemap feeds each value to the next member', async () => {
    const t = await open('pipemap:{inline:{a=b}, inline:{b=c}}');
    expect(t.lookup('a')).toMatchObject({ status: 'found', value: 'c' });
    expect(t.lookup('b').status).toBe('notfound');
    const r = t.lookup('a');
    expect(r.trace.children?.map((c) => c.key)).toEqual(['a', 'b']);
  });
  it('rejects members without a type', async () => {
    expect((await open('pipemap:{inline:{a=b}, nocolon}')).openError?.message).toBe(
      'bad syntax: "pipemap:{inline:{a=b}, nocolon}"; need "pipemap:{type:name...}"',
    );
  });
  it('gives up at the first member that cannot be opened', async () => {
    const t = await open('unionmap:{static:1, hash:/etc/postfix/missing}');
    expect(t.openError?.message).toBe('open database /etc/postfix/missing.db: No such file or directory');
  });
});

describe('registry', () => {
  it('names unknown and unsimulated types plainly', async () => {
    expect((await open('nosuch:x')).openError?.message).toBe('unsupported dictionary type: nosuch');
    const my = await open('mysql:/etc/postfix/my.cf');
    expect(my.openError?.message).toBe('unsupported dictionary type: mysql');
    expect(my.notices?.[0]?.message).toMatch(/not simulated/);
    expect((await open('noname')).openError?.message).toBe('open dictionary: expecting "type:name" form instead of "noname"');
  });
  it('server-backed types answer as Postfix does when nothing listens, and say so once', async () => {
    const host = memoryHost({ '/etc/postfix/m.cf': 'memcache = inet:127.0.0.1:11211\n' });
    for (const spec of ['memcache:/etc/postfix/m.cf', 'socketmap:inet:127.0.0.1:9:name', 'tcp:127.0.0.1:9']) {
      const t = await openTable(spec, { host });
      const r = t.lookup('k');
      expect(r.status, spec).toBe('error');
      expect(r.warnings?.[0]?.message, spec).toMatch(/^connect to .*Connection refused$/);
      expect(t.notices?.map((n) => n.message).join(), spec).toMatch(/not simulated/);
    }
    const nis = await openTable('nis:mail.aliases', { host });
    expect(nis.diagnostics.map((d) => d.message)).toEqual(['dict_nis_init: NIS domain name not set - NIS lookups disabled']);
    expect(nis.lookup('root').status).toBe('notfound');
    // dict_nis_init runs once per program.
    expect((await openTable('nis:other', { host })).diagnostics).toEqual([]);
    expect((await open('unix:nosuch.byname')).openError?.message).toBe('unknown table: unix:nosuch.byname');
  });
  it('unix:passwd.byname answers from the system accounts plus /etc/postfix/passwd', async () => {
    const host = memoryHost({ '/etc/postfix/passwd': 'joe:x:1001:1001::/home/joe:/bin/sh\n# comment\n' });
    const t = await openTable('unix:passwd.byname', { host });
    expect(t.lookup('Root')).toMatchObject({ status: 'found', value: 'root:x:0:0:root:/root:/bin/bash' });
    expect(t.lookup('joe')).toMatchObject({ status: 'found', value: 'joe:x:1001:1001::/home/joe:/bin/sh' });
    expect(t.lookup('nosuchuser').status).toBe('notfound');
  });
  it('internal: starts empty; randmap: picks one of its values, the same for the same key', async () => {
    expect((await open('internal:x')).lookup('a').status).toBe('notfound');
    const r = await open('randmap:{a, {b c}, a}');
    expect(r.fixed).toBe(false);
    const first = r.lookup('key1');
    expect(['a', 'b c']).toContain((first as { value: string }).value);
    expect(r.lookup('key1')).toEqual(first);
    expect((await open('randmap:{}')).openError?.message).toBe('bad syntax: "randmap:{}"; need "randmap:{value...}"');
  });
  it('proxy: answers from the table it names', async () => {
    const t = await open('proxy:hash:/etc/postfix/a');
    expect(t.lookup('X')).toMatchObject({ status: 'found', value: '1' });
  });
});
