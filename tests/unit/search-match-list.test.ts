// Match lists (match_list(3)): string, domain and namadr lists, as documented in postconf(5).
import { describe, expect, it } from 'vitest';
import { loadMainCf } from '../../src/engine/config/maincf.ts';
import { createSearchContext, openMatchList } from '../../src/engine/search/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const ctx = (files: Record<string, string> = {}, main = '') => createSearchContext(memoryHost(files), loadMainCf(main));

describe('string lists (mydestination)', () => {
  it('match case-insensitively and exactly, without parent domains', async () => {
    const l = await openMatchList(ctx(), 'mydestination', 'Example.COM, localhost', 'string');
    expect(l.match('example.com').matched).toBe(true);
    expect(l.match('EXAMPLE.com').matched).toBe(true);
    expect(l.match('sub.example.com').matched).toBe(false);
    expect(l.match('localhost').matched).toBe(true);
  });
  it('stop at the first match; a matching !item answers no', async () => {
    const l = await openMatchList(ctx(), 'mydestination', '!a.example, a.example, b.example', 'string');
    expect(l.match('a.example').matched).toBe(false);
    expect(l.match('b.example').matched).toBe(true);
    const twice = await openMatchList(ctx(), 'mydestination', '!!a.example', 'string');
    expect(twice.match('a.example').matched).toBe(true);
  });
  it('read /file/name items, and !/file negates every item of the file', async () => {
    const files = { '/etc/postfix/doms': '# comment\na.example b.example\nc.example\n' };
    const l = await openMatchList(ctx(files), 'mydestination', '/etc/postfix/doms', 'string');
    expect(['a.example', 'b.example', 'c.example', 'd.example'].map((d) => l.match(d).matched)).toEqual([true, true, true, false]);
    const n = await openMatchList(ctx(files), 'mydestination', '!/etc/postfix/doms, c.example, d.example', 'string');
    expect(['a.example', 'c.example', 'd.example'].map((d) => n.match(d).matched)).toEqual([false, false, true]);
  });
  it('ask type:table items for existence only', async () => {
    const files = { '/etc/postfix/doms': 'a.example whatever\n' };
    const l = await openMatchList(ctx(files), 'mydestination', 'hash:/etc/postfix/doms', 'string');
    expect(l.match('A.example').matched).toBe(true);
    expect(l.match('x.a.example').matched).toBe(false);
    expect(l.match('a.example').trace.items[0]!.lookups?.[0]?.key).toBe('a.example');
  });
  it('report a failing table as an error, not as no match', async () => {
    const l = await openMatchList(ctx(), 'mydestination', 'hash:/etc/postfix/missing, a.example', 'string');
    const r = l.match('a.example');
    expect(r.matched).toBe(false);
    expect(r.error?.message).toBe('mydestination: hash:/etc/postfix/missing: table lookup problem');
  });
  it('warn about a comment at the end of the value and ignore the rest', async () => {
    const l = await openMatchList(ctx(), 'mydestination', 'a.example #b.example c.example', 'string');
    expect(l.diagnostics.map((d) => d.message)).toEqual(['mydestination: comment at end of line is not supported: #b.example c.example']);
    expect(l.match('c.example').matched).toBe(false);
  });
});

describe('/file/name entries as Postfix reads them', () => {
  it('warn about a comment after patterns with the rest of the line, newline included', async () => {
    const l = await openMatchList(ctx({ '/n': 'a.example # trailing\n' }), 'relay_domains', '/n', 'domain');
    expect(l.diagnostics.map((d) => d.message)).toEqual(['relay_domains: comment at end of line is not supported: # trailing\n']);
    expect(l.match('a.example').matched).toBe(true);
  });
  it('report a missing file once per program, and name its surrogate non-existent:', async () => {
    const c = ctx();
    const a = await openMatchList(c, 'relay_domains', 'x.example, /etc/postfix/nosuch', 'domain');
    const b = await openMatchList(c, 'fast_flush_domains', '/etc/postfix/nosuch', 'domain');
    expect(a.diagnostics.map((d) => d.message)).toEqual(['open file /etc/postfix/nosuch: No such file or directory']);
    expect(b.diagnostics).toEqual([]);
    expect(a.match('x.example').matched).toBe(true);
    const r = a.match('y.example');
    expect(r.error?.message).toBe('relay_domains: non-existent:/etc/postfix/nosuch: table lookup problem');
    expect(r.trace.warnings?.map((w) => w.message)).toEqual([
      'non-existent:/etc/postfix/nosuch is unavailable. open file /etc/postfix/nosuch: No such file or directory',
    ]);
  });
});

describe('domain lists (relay_domains)', () => {
  it('match subdomains of a plain entry when the parameter is in parent_domain_matches_subdomains', async () => {
    const l = await openMatchList(ctx(), 'relay_domains', 'example.com', 'domain');
    expect(l.parentStyle).toBe(true);
    expect(l.match('example.com').matched).toBe(true);
    expect(l.match('a.b.example.com').matched).toBe(true);
    expect(l.match('badexample.com').matched).toBe(false);
  });
  it('need a .domain entry for subdomains otherwise', async () => {
    const c = ctx({}, 'parent_domain_matches_subdomains =');
    const plain = await openMatchList(c, 'relay_domains', 'example.com', 'domain');
    expect(plain.match('a.example.com').matched).toBe(false);
    const dotted = await openMatchList(c, 'relay_domains', '.example.com', 'domain');
    expect(dotted.match('a.example.com').matched).toBe(true);
    expect(dotted.match('example.com').matched).toBe(false);
  });
  it('look parent domains up in fixed tables but not in pattern tables', async () => {
    const files = { '/etc/postfix/rd': 'example.com OK\n', '/etc/postfix/rd.re': '/^example\\.com$/ OK\n' };
    const hash = await openMatchList(ctx(files), 'relay_domains', 'hash:/etc/postfix/rd', 'domain');
    const r = hash.match('a.b.example.com');
    expect(r.matched).toBe(true);
    expect(r.trace.items[0]!.lookups!.map((t) => t.key)).toEqual(['a.b.example.com', 'b.example.com', 'example.com']);
    const re = await openMatchList(ctx(files), 'relay_domains', 'regexp:/etc/postfix/rd.re', 'domain');
    expect(re.match('a.example.com').matched).toBe(false);
    expect(re.match('a.example.com').trace.items[0]!.lookups!.map((t) => t.key)).toEqual(['a.example.com']);
  });
});

describe('namadr lists (mynetworks)', () => {
  it('match addresses exactly, in [brackets] and by net/mask, never across families', async () => {
    const l = await openMatchList(ctx(), 'mynetworks', '127.0.0.0/8 [::1]/128 192.0.2.7 [2001:db8::5]', 'namadr');
    expect(l.match('unknown', '127.1.2.3').matched).toBe(true);
    expect(l.match('unknown', '::1').matched).toBe(true);
    expect(l.match('unknown', '192.0.2.7').matched).toBe(true);
    expect(l.match('unknown', '2001:db8::5').matched).toBe(true);
    expect(l.match('unknown', '192.0.2.8').matched).toBe(false);
    expect(l.match('unknown', '::ffff:127.0.0.1').matched).toBe(false);
  });
  it('match host names as domains (parent style: the plain name covers subdomains, .name does not)', async () => {
    const l = await openMatchList(ctx(), 'mynetworks', 'example.com', 'namadr');
    expect(l.match('mail.example.com', '192.0.2.1').matched).toBe(true);
    const dotted = await openMatchList(ctx(), 'mynetworks', '.example.com', 'namadr');
    expect(dotted.match('mail.example.com', '192.0.2.1').matched).toBe(false);
  });
  it('report a net/mask with host bits set as an error', async () => {
    const l = await openMatchList(ctx(), 'mynetworks', '192.0.2.1/24', 'namadr');
    const r = l.match('unknown', '192.0.2.1');
    expect(r.matched).toBe(false);
    expect(r.error?.message).toBe('mynetworks: non-null host address bits in "192.0.2.1/24", perhaps you should use "192.0.2.0/24" instead');
  });
});
