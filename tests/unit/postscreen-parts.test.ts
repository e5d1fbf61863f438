/*
 * postscreen's pieces on their own: reply filters (ip_match), DNSBL site
 * parsing and scoring, time values, the access list, the cache and its
 * cleanup. Messages are Postfix's (the golden groups config-* recorded the
 * fatal ones); the rules are postconf(5)'s and Postfix's source's.
 */
import { describe, expect, it } from 'vitest';
import { parseIpMatch } from '../../src/engine/util/ip-match.ts';
import { escape } from '../../src/engine/util/escape.ts';
import { parseDnsblSites, dnsblScore, reverseQuery } from '../../src/engine/postscreen/dnsbl.ts';
import { convTime } from '../../src/engine/postscreen/params.ts';
import { ScreenCache, newExpires } from '../../src/engine/postscreen/cache.ts';
import { parseAccessList } from '../../src/engine/postscreen/access.ts';
import { parseDnsFacts } from '../../src/engine/dns/facts.ts';
import { createSearchContext, openMatchList } from '../../src/engine/search/index.ts';
import { loadMainCf } from '../../src/engine/index.ts';
import { preparePostscreen } from '../../src/engine/postscreen/index.ts';
import { createTableCache } from '../../src/engine/search/index.ts';
import { memoryHost } from '../support/memory-host.ts';

describe('ip_match reply filters', () => {
  const m = (p: string): ((a: string) => boolean) => {
    const r = parseIpMatch(p);
    if ('error' in r) throw new Error(r.error);
    return (a) => r.match(a);
  };
  it('octets, ranges and ; lists', () => {
    expect(m('127.0.0.2')('127.0.0.2')).toBe(true);
    expect(m('127.0.0.2')('127.0.0.3')).toBe(false);
    const f = m('127.0.[0;1].[2;4..6]');
    expect(['127.0.0.2', '127.0.1.5', '127.0.0.6'].map(f)).toEqual([true, true, true]);
    expect(['127.0.0.3', '127.0.2.2', '127.0.0.7'].map(f)).toEqual([false, false, false]);
    expect(m('[127.0.0.2]')('127.0.0.2')).toBe(true);
    expect(m('127.0.0.2')('::1')).toBe(false);
  });
  it.each([
    ['127.0.0.[5..2]', 'numeric range error at "127.0.0.[5..>2<]"'],
    ['127.0.0.256', 'need decimal number 0..255 or "[" at "127.0.0.>256<"'],
    ['127.0.0', 'need "." at "127.0.0><"'],
    ['127.0.0.1.5', 'garbage after pattern at "127.0.0.1>.<5"'],
    ['127.0.0.[1', 'need ";" or "]" at "127.0.0.[1><"'],
    ['127.0.0.[x]', 'need decimal number 0..255 at "127.0.0.[>x<]"'],
    ['[127.0.0.1', 'missing "]" character'],
    ['', 'empty address pattern'],
  ])('%s: %s', (pattern, error) => {
    expect(parseIpMatch(pattern)).toEqual({ error });
  });
});

describe('postscreen_dnsbl_sites', () => {
  const none = (): undefined => undefined;
  it('domain, filter and weight; a domain listed twice is asked once', () => {
    const r = parseDnsblSites('a.example*2, b.example=127.0.0.[2..11] a.example=127.0.0.3*-1', none);
    if ('fatal' in r) throw new Error(r.fatal);
    expect(r.domains).toEqual(['a.example', 'b.example']);
    expect(r.sites.map((s) => [s.domain, s.filter?.pattern, s.weight])).toEqual([
      ['a.example', undefined, 2],
      ['b.example', '127.0.0.[2..11]', 1],
      ['a.example', '127.0.0.3', -1],
    ]);
  });
  it.each([
    ['bl.example*x', 'bad DNSBL weight factor "x" in "bl.example*x"', []],
    ['bl.example*', 'bad DNSBL weight factor "" in "bl.example*"', []],
    ['bl.example=127.0.0.2*2x', 'bad DNSBL weight factor "2x" in "bl.example=127.0.0.2*2x"', []],
    ['bl..example', 'bad DNSBL domain name "bl..example" in "bl..example"', ['valid_hostname: misplaced delimiter: bl..example']],
    ['-bl.example', 'bad DNSBL domain name "-bl.example" in "-bl.example"', ['valid_hostname: misplaced hyphen: -bl.example']],
    ['bl.example=1.2.3', 'bad DNSBL filter syntax: need "." at "1.2.3><"', []],
  ])('%s is fatal', (value, fatal, warnings) => {
    expect(parseDnsblSites(value, none)).toEqual({ fatal, warnings });
  });
  it('postscreen_dnsbl_reply_map renames a list in the reply; a failing map is fatal', () => {
    const r = parseDnsblSites('secret.example', (d) => (d === 'secret.example' ? 'a-list' : undefined));
    expect('safeName' in r && r.safeName.get('secret.example')).toBe('a-list');
    expect(parseDnsblSites('x.example', () => ({ fatal: 'hash:/etc/postfix/m lookup error' }))).toEqual({
      fatal: 'hash:/etc/postfix/m lookup error',
      warnings: [],
    });
  });
  it('reverses IPv4 octets and IPv6 nibbles', () => {
    expect(reverseQuery('192.0.2.1', 'bl.example')).toBe('1.2.0.192.bl.example');
    expect(reverseQuery('2001:db8::1', 'bl.example')).toBe(`1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.bl.example`);
  });

  const limits = { threshold: 3, allowlistThreshold: -1, minTtl: 60, maxTtl: 3600 };
  const sites = (value: string) => {
    const r = parseDnsblSites(value, none);
    if ('fatal' in r) throw new Error(r.fatal);
    return r;
  };
  it('adds each matching site once, names the largest weight, and logs what dnsblog logs', () => {
    const dns = parseDnsFacts('5.2.0.192.a.example 100 A 127.0.0.2\n5.2.0.192.a.example 200 A 127.0.0.3\n5.2.0.192.b.example 30 A 127.0.0.4\n');
    const { score, dnsblog } = dnsblScore(sites('a.example*1, a.example=127.0.0.3*2, b.example=127.0.0.[4..5]*2, c.example'), dns, '192.0.2.5', limits);
    expect(score.total).toBe(5);
    expect(score.name).toBe('a.example');
    expect(score.verdict).toBe('blocked');
    expect(score.sites.map((s) => [s.site, s.matched, s.status])).toEqual([
      ['a.example*1', true, 'listed'],
      ['a.example=127.0.0.3*2', true, 'listed'],
      ['b.example=127.0.0.[4..5]*2', true, 'listed'],
      ['c.example', false, 'not listed'],
    ]);
    // Blocked: the smallest TTL of the answers that count against the client (positive weights with records).
    expect(score.ttl).toBe(60);
    expect(dnsblog).toEqual([
      'addr 192.0.2.5 listed by domain a.example as 127.0.0.2',
      'addr 192.0.2.5 listed by domain a.example as 127.0.0.3',
      'addr 192.0.2.5 listed by domain b.example as 127.0.0.4',
    ]);
  });
  it('a negative weight allowlists; TTLs are raised to the minimum and cut to the maximum', () => {
    const dns = parseDnsFacts('5.2.0.192.wl.example 99999 A 127.0.0.2\n5.2.0.192.bl.example 99999 A 127.0.0.2\n');
    const { score } = dnsblScore(sites('wl.example*-5 bl.example'), dns, '192.0.2.5', limits);
    expect([score.total, score.verdict, score.ttl]).toEqual([-4, 'allowlisted', 3600]);
    const short = parseDnsFacts('5.2.0.192.wl.example 5 A 127.0.0.2\n5.2.0.192.bl.example 5 A 127.0.0.2\n');
    expect(dnsblScore(sites('wl.example*-5 bl.example'), short, '192.0.2.5', limits).score.ttl).toBe(60);
  });
  it('a failing list counts as not listed, and dnsblog warns', () => {
    const dns = parseDnsFacts('5.2.0.192.bl.example SERVFAIL\n');
    const r = dnsblScore(sites('bl.example'), dns, '192.0.2.5', limits);
    expect([r.score.total, r.score.sites[0]!.status]).toEqual([0, 'error']);
    expect(r.dnsblog).toEqual([
      'warning: dnsblog_query: lookup error for DNS query 5.2.0.192.bl.example: Host or domain name not found. Name service error for name=5.2.0.192.bl.example type=A: Host not found, try again',
    ]);
  });
});

describe('time values (conv_time)', () => {
  it.each([
    ['2s', 's', 2],
    ['3', 'd', 3 * 86400],
    ['1h', 's', 3600],
    ['2w', 's', 14 * 86400],
    ['5m', 's', 300],
    ['1x', 's', undefined],
    ['', 's', undefined],
    ['-1s', 's', undefined],
    ['s', 's', undefined],
  ])('%s (default unit %s)', (value, unit, seconds) => {
    expect(convTime(value, unit)).toBe(seconds);
  });
  it("a bare number takes the default value's unit, and bad values are postscreen's fatal errors", async () => {
    const prepare = async (extra: string) => {
      const main = loadMainCf(`compatibility_level = 3.6\n${extra}\n`);
      const host = memoryHost({});
      return preparePostscreen({ host, params: main, cache: createTableCache(host, main) });
    };
    expect((await prepare('postscreen_greet_ttl = 2')).ttl.pregreet).toBe(2 * 86400);
    expect((await prepare('postscreen_dnsbl_max_ttl = 2')).dnsblLimits.maxTtl).toBe(7200);
    expect((await prepare('postscreen_greet_wait = 0')).fatal).toBe('invalid postscreen_greet_wait: 0 (min 1)');
    expect((await prepare('postscreen_command_count_limit = ten')).fatal).toBe('bad numerical configuration: postscreen_command_count_limit = ten');
    expect((await prepare('postscreen_pipelining_enable = maybe')).fatal).toBe('bad boolean configuration: postscreen_pipelining_enable = maybe');
    expect((await prepare('postscreen_denylist_action = block')).fatal).toBe('bad postscreen_denylist_action value: block');
    expect((await prepare('postscreen_greet_action = continue')).action.pregreet).toBe('ignore');
    expect((await prepare('postscreen_tls_security_level = sometimes')).fatal).toBe('Invalid TLS level "sometimes"');
  });
});

describe('postscreen_access_list', () => {
  const list = async (value: string, files: Record<string, string>, mynetworks = '192.0.2.0/24') => {
    const main = loadMainCf(`mynetworks = ${mynetworks}\n`);
    const ctx = createSearchContext(memoryHost(files), main);
    return parseAccessList(ctx, value, await openMatchList(ctx, 'mynetworks', mynetworks, 'addr'));
  };
  it('first decision wins; dunno in a table goes on, dunno in the list stops', async () => {
    const acl = await list('permit_mynetworks, cidr:/etc/postfix/a.cidr, reject', {
      '/etc/postfix/a.cidr': '198.51.100.1 dunno\n198.51.100.2 Reject\n198.51.100.3 permit_mynetworks, permit\n',
    });
    expect(acl.evaluate('192.0.2.7').result).toBe('permit');
    expect(acl.evaluate('198.51.100.1').result).toBe('reject');
    expect(acl.evaluate('198.51.100.2')).toMatchObject({ result: 'reject', item: 'cidr:/etc/postfix/a.cidr Reject' });
    expect(acl.evaluate('198.51.100.3').result).toBe('permit');
    expect((await list('dunno, reject', {})).evaluate('198.51.100.9').result).toBe('dunno');
    expect((await list('', {})).evaluate('198.51.100.9').result).toBe('dunno');
  });
  it('unknown commands, tables in table values and missing tables end the search with a warning', async () => {
    const files = { '/etc/postfix/a.cidr': '198.51.100.1 OK\n198.51.100.2 cidr:/etc/postfix/a.cidr\n' };
    const acl = await list('cidr:/etc/postfix/a.cidr reject', files);
    expect(acl.evaluate('198.51.100.1')).toMatchObject({
      result: 'error',
      log: ['cidr:/etc/postfix/a.cidr: unknown command: OK -- ignoring the remainder of this access list'],
    });
    expect(acl.evaluate('198.51.100.2')).toMatchObject({
      result: 'reject',
      log: ['table cidr:/etc/postfix/a.cidr: lookup result "cidr:/etc/postfix/a.cidr" is not allowed -- ignoring remainder of access list'],
    });
    expect((await list('permitted', {})).evaluate('198.51.100.1').log).toEqual([
      'postscreen_access_list: unknown command: permitted -- ignoring the remainder of this access list',
    ]);
    const missing = await list('hash:/etc/postfix/none reject', {});
    expect(missing.startup).toEqual(['error: open database /etc/postfix/none.db: No such file or directory']);
    expect(missing.evaluate('198.51.100.1')).toMatchObject({
      result: 'error',
      log: [
        'hash:/etc/postfix/none is unavailable. open database /etc/postfix/none.db: No such file or directory',
        'postscreen_access_list: hash:/etc/postfix/none: table lookup error -- ignoring the remainder of this access list',
      ],
    });
  });
});

describe('the postscreen cache', () => {
  const enabled = { pregreet: true, dnsbl: false, pipelining: false, 'non-smtp command': false, 'bare newline': false };
  it('an entry is seen from its write on; tests still new and off are written as disabled', () => {
    const cache = new ScreenCache({ enabled, cacheEnabled: true, cacheRetention: 7 * 86400, cacheCleanup: 12 * 3600 });
    const written = cache.update('192.0.2.1', { ...newExpires(), pregreet: 100 }, 10);
    expect(written).toEqual({ pregreet: 100, dnsbl: 'disabled', pipelining: 'disabled', 'non-smtp command': 'disabled', 'bare newline': 'disabled' });
    expect(cache.lookup('192.0.2.1', 5)).toBeUndefined();
    expect(cache.lookup('192.0.2.1', 10)).toEqual(written);
  });
  it('the cleanup drops an entry one of whose enabled tests expired longer than the retention time ago', () => {
    const cache = new ScreenCache({ enabled, cacheEnabled: true, cacheRetention: 1, cacheCleanup: 1 });
    cache.update('192.0.2.1', { ...newExpires(), pregreet: 2 }, 1);
    expect(cache.lookup('192.0.2.1', 3)).toBeDefined();
    expect(cache.lookup('192.0.2.1', 4.5)).toBeUndefined();
    const off = new ScreenCache({ enabled, cacheEnabled: true, cacheRetention: 1, cacheCleanup: 0 });
    off.update('192.0.2.1', { ...newExpires(), pregreet: 2 }, 1);
    expect(off.lookup('192.0.2.1', 1000)).toBeDefined();
  });
  it('without postscreen_cache_map nothing is remembered', () => {
    const cache = new ScreenCache({ enabled, cacheEnabled: false, cacheRetention: 1, cacheCleanup: 0 });
    cache.update('192.0.2.1', { ...newExpires(), pregreet: 2 }, 1);
    expect(cache.lookup('192.0.2.1', 1)).toBeUndefined();
  });
});

describe('escape (what postscreen logs of client text)', () => {
  it('keeps printable text, names control characters, octal for the rest', () => {
    expect(escape('EHLO a\r\n\t\\ \x01\xe9')).toBe('EHLO a\\r\\n\\t\\\\ \\001\\351');
  });
});
