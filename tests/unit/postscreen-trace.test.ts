/*
 * postscreen's typed trace (PostscreenEvent): what each connection's events
 * say, where they point (file and line), and the words the CLI and the page
 * show for them (postscreenEventText). The configurations are small and
 * made here; what postscreen answers is checked against real Postfix by the
 * golden tests, this file checks the trace that explains it.
 */
import { describe, expect, it } from 'vitest';
import { cacheEntryText, openScenario, postscreenEventText } from '../../src/engine/index.ts';
import type { ConnectionResult, PostscreenEvent, PostscreenEventOf } from '../../src/engine/index.ts';
import { renderPostscreenTrace } from '../../src/cli/render-trace.ts';
import { memoryHost } from '../support/memory-host.ts';

const MAIN = [
  'compatibility_level = 3.6', // 1
  'myhostname = host.example.com', // 2
  'alias_maps =', // 3
  'mynetworks = 127.0.0.1/32', // 4
  'postscreen_greet_wait = 2s', // 5
  'postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/ps.cidr', // 6
  'postscreen_denylist_action = enforce', // 7
  'postscreen_dnsbl_sites = zen.example.net=127.0.0.[2..11]*3, bl.example.org*2, wl.example=127.0.[0..255].[1..3]*-4', // 8
  'postscreen_dnsbl_threshold = 3', // 9
  'postscreen_dnsbl_action = drop', // 10
  'postscreen_greet_action = enforce', // 11
  'postscreen_pipelining_enable = yes', // 12
  'postscreen_pipelining_action = drop', // 13
  'postscreen_cache_map = btree:$data_directory/postscreen_cache', // 14
  '',
].join('\n');
const MASTER = 'smtp inet n - y - 1 postscreen\nsmtpd pass - - y - - smtpd\ndnsblog unix - - y - 0 dnsblog\n';
const CIDR = '# spam network\n198.51.100.0/24  reject\n203.0.113.99/32  permit\n';
const DNS = [
  '4.113.0.203.zen.example.net. A 127.0.0.4', // 1
  '5.113.0.203.bl.example.org. A 127.0.0.2', // 2
  '7.113.0.203.zen.example.net. A 127.255.255.254', // 3
  '7.113.0.203.wl.example. A 127.0.9.2', // 4
  '',
].join('\n');

async function play(dialogue: string, extra: Record<string, string> = {}): Promise<ConnectionResult[]> {
  const host = memoryHost({
    '/etc/postfix/main.cf': MAIN,
    '/etc/postfix/master.cf': MASTER,
    '/etc/postfix/ps.cidr': CIDR,
    '/etc/postfix/dns': DNS,
    ...extra,
  });
  const scenario = await openScenario({ host });
  expect(scenario.fatal).toBeUndefined();
  const played = await scenario.playConnections(dialogue);
  return played!.connections;
}

/** Every event of a trace, depth first. */
const all = (events: readonly PostscreenEvent[] = []): PostscreenEvent[] => events.flatMap((e) => [e, ...all(e.children)]);
const find = <K extends PostscreenEvent['kind']>(c: ConnectionResult, kind: K): PostscreenEventOf<K>[] =>
  all(c.postscreenTrace).filter((e): e is PostscreenEventOf<K> => e.kind === kind);
const root = (c: ConnectionResult): PostscreenEventOf<'connection'> => {
  const r = c.postscreenTrace?.find((e) => e.kind === 'connection');
  expect(r).toBeDefined();
  return r as PostscreenEventOf<'connection'>;
};

const MAIN_CF = '/etc/postfix/main.cf';

describe('postscreen trace: the access list', () => {
  it('names the item that decided, with the table line it came from, and the list and denylist settings', async () => {
    const [c] = await play('# connection client=198.51.100.9\nEHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<u@host.example.com>\nQUIT\n');
    const [list] = find(c!, 'access-list');
    expect(list).toMatchObject({ result: 'reject', item: 'cidr:/etc/postfix/ps.cidr reject', source: { file: MAIN_CF, line: 6 } });
    const items = list!.children ?? [];
    expect(items.map((e) => e.kind)).toEqual(['access-item', 'lookup']);
    expect(items[0]).toMatchObject({ item: 'permit_mynetworks', result: 'no match', mynetworks: ['127.0.0.1/32'], source: { file: MAIN_CF, line: 4 } });
    expect(items[1]).toMatchObject({
      table: 'cidr:/etc/postfix/ps.cidr',
      key: '198.51.100.9',
      status: 'found',
      value: 'reject',
      source: { file: '/etc/postfix/ps.cidr', line: 2 },
    });
    expect(items[1]!.children?.[0]).toMatchObject({ kind: 'access-item', item: 'reject', result: 'reject', source: { file: '/etc/postfix/ps.cidr', line: 2 } });
    const [deny] = find(c!, 'denylist');
    expect(deny).toEqual({ kind: 'denylist', action: 'enforce', reply: '550 5.3.2 Service currently unavailable', source: { file: MAIN_CF, line: 7 } });
    expect(c!.postscreen?.access).toEqual({ result: 'reject', item: 'cidr:/etc/postfix/ps.cidr reject', source: { file: '/etc/postfix/ps.cidr', line: 2 } });
    expect(root(c!)).toMatchObject({ outcome: 'disconnected', decidedBy: 'access list' });
    // enforce: the dummy engine's RCPT reply is the denylist's.
    const rcpt = find(c!, 'command').find((e) => e.verb === 'RCPT');
    expect(rcpt?.reply).toEqual(['550 5.3.2 Service currently unavailable']);
  });

  it('a permit hands the client over at once, with the master.cf line of the pass service', async () => {
    const [c] = await play('# connection client=203.0.113.99\nQUIT\n');
    expect(find(c!, 'access-list')[0]).toMatchObject({ result: 'permit' });
    expect(find(c!, 'handoff')).toEqual([{ kind: 'handoff', service: 'smtpd', source: { file: '/etc/postfix/master.cf', line: 2 } }]);
    expect(find(c!, 'dnsbl')).toEqual([]);
    expect(find(c!, 'cache-lookup')).toEqual([]);
  });
});

describe('postscreen trace: DNSBL score', () => {
  it('each site: query, replies, filter, weight, whether it counts, the DNS facts line; then the total against the threshold', async () => {
    const [c] = await play('# connection client=203.0.113.4\nQUIT\n');
    const [d] = find(c!, 'dnsbl');
    expect(d).toMatchObject({ total: 3, threshold: 3, verdict: 'blocked', action: 'drop', name: 'zen.example.net', source: { file: MAIN_CF, line: 8 } });
    expect(d!.reply).toBe('521 5.7.1 Service unavailable; client [203.0.113.4] blocked using zen.example.net');
    const sites = find(c!, 'dnsbl-site').map((e) => e.score);
    expect(sites.map((s) => [s.domain, s.filter, s.weight, s.replies, s.matched])).toEqual([
      ['zen.example.net', '127.0.0.[2..11]', 3, ['127.0.0.4'], true],
      ['bl.example.org', undefined, 2, [], false],
      ['wl.example', '127.0.[0..255].[1..3]', -4, [], false],
    ]);
    expect(find(c!, 'dnsbl-site')[0]!.source).toEqual({ file: '/etc/postfix/dns', line: 1 });
    expect(sites[0]!.query).toBe('4.113.0.203.zen.example.net');
    expect(root(c!)).toMatchObject({ outcome: 'disconnected', decidedBy: 'dnsbl' });
    // The verdict carries the same breakdown, with the same sources.
    expect(c!.postscreen?.dnsbl?.sites.map((s) => s.source?.line)).toEqual([1, undefined, undefined]);
  });

  it('a reply outside the filter counts nothing, a negative weight subtracts', async () => {
    const [c] = await play('# connection client=203.0.113.7\nQUIT\n');
    const [d] = find(c!, 'dnsbl');
    // zen answers 127.255.255.254 (outside 127.0.0.[2..11]); wl.example answers 127.0.9.2: -4.
    expect(d).toMatchObject({ total: -4, verdict: 'passed' });
    expect(d!.action).toBeUndefined();
    const zen = find(c!, 'dnsbl-site')[0]!;
    expect(zen.score).toMatchObject({ status: 'listed', replies: ['127.255.255.254'], matched: false });
    expect(postscreenEventText(zen)).toEqual({
      title: 'zen.example.net=127.0.0.[2..11]*3: A 7.113.0.203.zen.example.net',
      result: '127.255.255.254',
      detail: 'no reply in 127.0.0.[2..11]: does not count',
    });
  });
});

describe('postscreen trace: tests, the dummy engine, the cache', () => {
  it('a pregreet failure says what the client sent, the action and its reply', async () => {
    const [c] = await play('# connection client=192.0.2.10\n# pregreet: EHLO early\\r\\n\nQUIT\n');
    const fail = find(c!, 'test').find((e) => e.test === 'pregreet');
    expect(fail).toMatchObject({ result: 'fail', action: 'enforce', reply: '550 5.5.1 Protocol error', source: { file: MAIN_CF, line: 11 } });
    expect(fail?.result === 'fail' && fail.text).toMatch(/^PREGREET 12 after 0 from \[192\.0\.2\.10\]:\d+: EHLO early\\r\\n$/);
    const [engine] = find(c!, 'dummy');
    // A client that failed a test stays in the dummy engine: it marks every deep test to do, as Postfix's psc_smtpd_tests() does.
    expect(engine).toMatchObject({ greeting: false, deepTodo: ['pipelining', 'non-smtp command', 'bare newline'] });
  });

  it('the dummy engine: each command with its reply; the tests a command passed or failed are under it', async () => {
    const [c] = await play('# connection client=192.0.2.11\nEHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<u@host.example.com>\nQUIT\n');
    const [engine] = find(c!, 'dummy');
    const commands = (engine!.children ?? []) as PostscreenEventOf<'command'>[];
    expect(commands.map((e) => [e.line, e.verb, e.reply[0]?.slice(0, 3)])).toEqual([
      ['EHLO x', 'EHLO', '250'],
      ['MAIL FROM:<a@b.example>', 'MAIL', '250'],
      ['RCPT TO:<u@host.example.com>', 'RCPT', '450'],
      ['QUIT', 'QUIT', '221'],
    ]);
    expect(commands[2]!.children).toEqual([{ kind: 'test', test: 'pipelining', result: 'pass', how: 'rcpt', ttl: 2592000 }]);
    // The silent greeting passed first, then the cache entry was written.
    const pregreet = find(c!, 'test').find((e) => e.test === 'pregreet');
    expect(pregreet).toEqual({ kind: 'test', test: 'pregreet', result: 'pass', how: 'silent', wait: 2, ttl: 86400 });
    const [update] = find(c!, 'cache-update');
    expect(update?.entry.expires).toMatchObject({ pregreet: 86402, pipelining: 2592002, 'non-smtp command': 'disabled' });
    expect(update?.source).toEqual({ file: MAIN_CF, line: 14 });
    expect(root(c!)).toMatchObject({ outcome: 'disconnected', pass: 'NEW', decidedBy: 'tests' });
  });

  it('a pipelining failure with drop ends the session at the command it was seen at', async () => {
    const [c] = await play('# connection client=192.0.2.12\n# pipelined\nEHLO x\nMAIL FROM:<a@b.example>\nQUIT\n');
    const ehlo = find(c!, 'command')[0]!;
    expect(ehlo.line).toBe('EHLO x');
    expect(ehlo.reply).toEqual(['521 5.5.1 Protocol error']);
    expect(ehlo.children?.[0]).toMatchObject({ kind: 'test', test: 'pipelining', result: 'fail', action: 'drop', reply: '521 5.5.1 Protocol error' });
    expect(root(c!)).toMatchObject({ outcome: 'disconnected', decidedBy: 'pipelining' });
  });

  it('a second visit finds the entry the first wrote: PASS OLD, the entry before and after', async () => {
    const two =
      '# connection client=192.0.2.13\nEHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<u@host.example.com>\nQUIT\n# connection client=192.0.2.13 at=60\nQUIT\n';
    const [first, second] = await play(two);
    const written = find(first!, 'cache-update')[0]!.entry;
    const [lookup] = find(second!, 'cache-lookup');
    expect(lookup).toMatchObject({ client: '192.0.2.13', enabled: true, todo: [], entry: written });
    expect(second!.postscreen).toMatchObject({ pass: 'OLD', decidedBy: 'cache', outcome: 'handed-off', cacheBefore: written, cacheAfter: written });
    expect(postscreenEventText(lookup!)).toEqual({
      title: 'postscreen_cache_map lookup 192.0.2.13',
      result: cacheEntryText(written),
      detail: 'to do: nothing',
    });
    expect(cacheEntryText(written)).toBe('pregreet=86402s; dnsbl=62s; pipelining=2592002s; non-smtp command=disabled; bare newline=disabled');
  });
});

describe('postscreen trace: what is not simulated, and a postscreen that does not start', () => {
  it('a setting the simulator does not model is a notice before the first connection', async () => {
    const host = { '/etc/postfix/main.cf': MAIN + 'postscreen_upstream_proxy_protocol = haproxy\n' };
    const [first, second] = await play('# connection client=192.0.2.20\nQUIT\n# connection client=192.0.2.21\nQUIT\n', host);
    expect(first!.postscreenTrace?.[0]).toEqual({
      kind: 'notice',
      text: 'postscreen_upstream_proxy_protocol: the haproxy protocol is not simulated: clients connect directly',
    });
    expect(second!.postscreenTrace?.filter((e) => e.kind === 'notice')).toEqual([]);
  });

  it('a fatal configuration error is one no-start event', async () => {
    const [c] = await play('QUIT\n', { '/etc/postfix/main.cf': MAIN + 'postscreen_dnsbl_sites = bl.example.net*x\n' });
    expect(c!.postscreenTrace).toEqual([{ kind: 'no-start', reason: 'bad DNSBL weight factor "x" in "bl.example.net*x"' }]);
    expect(renderPostscreenTrace(c!.postscreenTrace!)).toBe('postscreen does not start -> fatal\n    bad DNSBL weight factor "x" in "bl.example.net*x"\n');
  });
});

describe('postscreenEventText', () => {
  it('words every event of a varied dialogue, without an undefined or an empty title', async () => {
    const dialogue = [
      '# connection client=198.51.100.9',
      'EHLO x',
      'QUIT',
      '# connection client=203.0.113.4',
      'QUIT',
      '# connection client=192.0.2.30',
      '# pregreet: HELO\\r\\n',
      'QUIT',
      '# connection client=192.0.2.31',
      '# pipelined',
      'EHLO x',
      'QUIT',
      '# connection client=192.0.2.32',
      'EHLO x',
      'MAIL FROM:<a@b.example>',
      'RCPT TO:<u@host.example.com>',
      '# connection client=192.0.2.32 at=100',
      'QUIT',
      '',
    ].join('\n');
    const events = (await play(dialogue)).flatMap((c) => all(c.postscreenTrace));
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of [
      'connection',
      'access-list',
      'access-item',
      'lookup',
      'denylist',
      'cache-lookup',
      'cache-update',
      'dnsbl',
      'dnsbl-site',
      'test',
      'dummy',
      'command',
      'hangup',
      'handoff',
    ])
      expect(kinds, k).toContain(k);
    for (const e of events) {
      const t = postscreenEventText(e);
      expect(t.title, e.kind).not.toBe('');
      expect(JSON.stringify(t), e.kind).not.toContain('undefined');
    }
  });

  it('a failed test names its action and reply; a DNSBL block its action', () => {
    expect(
      postscreenEventText({
        kind: 'test',
        test: 'bare newline',
        result: 'fail',
        action: 'ignore',
        text: 'BARE NEWLINE from [192.0.2.1]:1 after EHLO x',
        ttl: 86400,
      }),
    ).toEqual({
      title: 'bare newline test',
      result: 'fail (ignore)',
      detail: 'BARE NEWLINE from [192.0.2.1]:1 after EHLO x\nignore: the failure is logged and the client goes on as if it had passed; forgiven for 86400s',
    });
    expect(
      postscreenEventText({ kind: 'dnsbl', total: 5, threshold: 3, allowlistThreshold: 0, ttl: 60, verdict: 'blocked', action: 'enforce', reply: '550 x' })
        .result,
    ).toBe('blocked (enforce)');
    expect(
      postscreenEventText({
        kind: 'limit',
        parameter: 'postscreen_command_count_limit',
        count: 21,
        limit: 20,
        reply: '421 h Service unavailable - try again later',
      }),
    ).toEqual({
      title: 'postscreen_command_count_limit = 20',
      result: 'over the limit',
      detail: '21 commands: 421 h Service unavailable - try again later',
    });
  });
});
