// The page's reading of postscreen's typed trace: colours by what a step
// decided (verdictTone, postscreenTone), what decided each connection
// (postscreenDecisive), the lines that took part, the plain words.
import { describe, expect, it } from 'vitest';
import { openScenario } from '../../src/engine/index.ts';
import type { ConnectionResult, PostscreenEvent } from '../../src/engine/index.ts';
import { explainPostscreen } from '../../src/ui/panes/trace/explain.ts';
import { smtpdLines } from '../../src/ui/panes/trace/took-part.ts';
import { postscreenDecisive, postscreenTone, verdictTone } from '../../src/ui/panes/trace/verdict.ts';
import { memoryHost } from '../support/memory-host.ts';

const MAIN = `compatibility_level = 3.6
myhostname = host.example.com
alias_maps =
mynetworks = 127.0.0.1/32
postscreen_greet_wait = 2s
postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/ps.cidr
postscreen_denylist_action = drop
postscreen_dnsbl_sites = zen.example.net*3, wl.example*-2
postscreen_dnsbl_threshold = 3
postscreen_dnsbl_action = enforce
postscreen_pipelining_enable = yes
postscreen_pipelining_action = drop
postscreen_cache_map = btree:$data_directory/postscreen_cache
`;
const DNS = '4.113.0.203.zen.example.net. A 127.0.0.4\n5.113.0.203.zen.example.net. A 127.0.0.4\n5.113.0.203.wl.example. A 127.0.0.9\n';

async function play(dialogue: string): Promise<ConnectionResult[]> {
  const host = memoryHost({
    '/etc/postfix/main.cf': MAIN,
    '/etc/postfix/master.cf': 'smtp inet n - y - 1 postscreen\nsmtpd pass - - y - - smtpd\n',
    '/etc/postfix/ps.cidr': '198.51.100.0/24 reject\n',
    '/etc/postfix/dns': DNS,
  });
  return (await (await openScenario({ host })).playConnections(dialogue))!.connections;
}
const kinds = (set: Set<PostscreenEvent>): string[] => [...set].map((e) => e.kind).sort();

describe('postscreen in the page', () => {
  it('a denylisted client: reject colours, and the access list down to the table line decided', async () => {
    const [c] = await play('# connection client=198.51.100.9\nQUIT\n');
    const trace = c!.postscreenTrace!;
    expect(verdictTone(c!.postscreen!)).toBe('reject');
    expect(kinds(postscreenDecisive(trace))).toEqual(['access-item', 'access-list', 'connection', 'denylist', 'lookup']);
    const list = trace[0]!.children!.find((e) => e.kind === 'access-list')!;
    expect(postscreenTone(list)).toBe('reject');
    expect(postscreenTone(list.children![0]!)).toBe('neutral'); // permit_mynetworks: no match
    expect(explainPostscreen(list.children![0]!, () => undefined)).toContain('not in mynetworks (127.0.0.1/32)');
  });

  it('a DNSBL block: the score and the sites that counted decided; an allow list counts for the client', async () => {
    const [blocked, allowed] = await play('# connection client=203.0.113.4\nQUIT\n# connection client=203.0.113.5\nQUIT\n');
    const decisive = postscreenDecisive(blocked!.postscreenTrace!);
    expect(kinds(decisive)).toEqual(['connection', 'dnsbl', 'dnsbl-site']);
    expect([...decisive].filter((e) => e.kind === 'dnsbl-site').map((e) => e.kind === 'dnsbl-site' && e.score.domain)).toEqual(['zen.example.net']);
    const sites = allowed!.postscreenTrace![0]!.children!.find((e) => e.kind === 'dnsbl')!.children!;
    expect(sites.map(postscreenTone)).toEqual(['reject', 'permit']);
    // The second client scored 1 and passed; the pipelining test keeps it in the dummy engine, which it leaves with QUIT.
    expect(allowed!.postscreen?.dnsbl?.total).toBe(1);
    expect(allowed!.postscreen).toMatchObject({ outcome: 'disconnected', decidedBy: 'tests' });
    expect(verdictTone(allowed!.postscreen!)).toBe('defer');
  });

  it('passing in the dummy engine is "come back" (amber); the next visit passes on the cache (green)', async () => {
    const [first, second] = await play(
      '# connection client=192.0.2.50\nEHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<u@host.example.com>\nQUIT\n# connection client=192.0.2.50 at=30\nQUIT\n',
    );
    expect(first!.postscreen).toMatchObject({ outcome: 'disconnected', decidedBy: 'tests', pass: 'NEW' });
    expect(verdictTone(first!.postscreen!)).toBe('defer');
    expect(explainPostscreen(first!.postscreenTrace![0]!, () => undefined)).toContain('must connect again');
    expect(verdictTone(second!.postscreen!)).toBe('permit');
    expect(kinds(postscreenDecisive(second!.postscreenTrace!))).toEqual(['cache-lookup', 'connection', 'handoff']);
  });

  it('a pipelining drop: the test, the command it was seen at and the engine decided', async () => {
    const [c] = await play('# connection client=192.0.2.51\n# pipelined\nEHLO x\nQUIT\n');
    expect(kinds(postscreenDecisive(c!.postscreenTrace!))).toEqual(['command', 'connection', 'dummy', 'test']);
  });

  it('the lines that took part include postscreen’s: main.cf settings, the table rule, the DNS facts', async () => {
    const connections = await play('# connection client=198.51.100.9\nQUIT\n# connection client=203.0.113.4\nQUIT\n');
    const lines = smtpdLines({ id: 1, ok: true, elapsed: 0, diagnostics: [], connections: connections.map((c) => ({ ...c, outcomes: [] })) });
    expect(lines.get('/etc/postfix/ps.cidr')).toEqual([1]);
    expect(lines.get('/etc/postfix/dns')).toEqual([1]);
    expect(lines.get('/etc/postfix/main.cf')).toEqual(expect.arrayContaining([4, 6, 7, 8]));
  });
});
