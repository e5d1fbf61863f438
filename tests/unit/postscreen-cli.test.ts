// `postfix-sim smtpd` with postscreen in front of smtpd, and with several
// connections: output forms and errors. Reply and log lines compared here
// come from the recorded golden dialogues (real Postfix), not from the simulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmtpd } from '../../src/cli/smtpd.ts';
import { memoryHost } from '../support/memory-host.ts';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'postscreen');
interface Rec {
  replies: string[][];
  log: string[];
  dnsblog: string[];
}
const recorded = (group: string, dialogue: string): Rec[] =>
  (JSON.parse(readFileSync(join(GOLDEN, group, 'expected.json'), 'utf8')) as { dialogues: Record<string, { connections: Rec[] }> }).dialogues[dialogue]!
    .connections;
const dialogue = (group: string, name: string): string => readFileSync(join(GOLDEN, group, 'dialogues', `${name}.smtp`), 'utf8');
const lines = (list: string[]): string => list.map((l) => l + '\n').join('');
// The CLI numbers client ports from 20000 per dialogue; the recorder numbered them per group.
const noPorts = (text: string): string => text.replace(/\]:2\d{4}\b/g, ']:PORT');

const MAIN = 'compatibility_level = 3.6\nmyhostname = host.example.com\nalias_maps =\nmynetworks = 127.0.0.1/32\npostscreen_greet_wait = 1s\n';
const MASTER = 'smtp inet n - y - 1 postscreen\nsmtpd pass - - y - - smtpd\ndnsblog unix - - y - 0 dnsblog\n';

describe('postfix-sim smtpd behind postscreen', () => {
  it('prints each connection as "# connection N", the replies, then with --log the log lines', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'pregreet-ignore'), '--log'], { stdin: dialogue('pregreet-ignore', 'pass-new-then-old') });
    expect(out.status).toBe(0);
    const rec = recorded('pregreet-ignore', 'pass-new-then-old');
    expect(noPorts(out.stdout)).toBe(noPorts(rec.map((c, i) => `# connection ${i + 1}\n` + lines(c.replies.flat()) + lines(c.log)).join('')));
  });
  it('shows dnsblog lines with the postscreen lines, and the dummy engine replies', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'dnsbl-enforce'), '--log'], { stdin: dialogue('dnsbl-enforce', 'secret-listed') });
    const [rec] = recorded('dnsbl-enforce', 'secret-listed');
    const printed = noPorts(out.stdout).split('\n').slice(1, -1);
    expect(printed.slice(0, rec!.replies.flat().length)).toEqual(rec!.replies.flat());
    expect(printed.filter((l) => l.startsWith('postfix/dnsblog: '))).toEqual(rec!.dnsblog);
    expect(printed.filter((l) => l.startsWith('postfix/postscreen: ') || l.startsWith('postfix/smtpd: '))).toEqual(rec!.log.map(noPorts));
  });
  it('--json gives {"connections": [...]} with postscreen\'s verdict: test, per-site scores, cache before and after', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'dnsbl-score'), '--json'], { stdin: dialogue('dnsbl-score', 'client-10') });
    const j = JSON.parse(out.stdout) as {
      connections: {
        service: string;
        exchanges: { server: string[] }[];
        postscreen: {
          outcome: string;
          decidedBy: string;
          dnsbl: { total: number; sites: { site: string; matched: boolean; weight: number }[] };
          cacheBefore?: { expires: Record<string, unknown> };
          cacheAfter?: { expires: Record<string, unknown> };
          tests: { test: string; state: string }[];
        };
      }[];
    };
    expect(j.connections.map((c) => c.service)).toEqual(['smtp', 'smtp']);
    const [first, second] = j.connections;
    expect(first!.exchanges.map((e) => e.server)).toEqual(recorded('dnsbl-score', 'client-10')[0]!.replies);
    expect(first!.postscreen.outcome).toBe('handed-off');
    expect(first!.postscreen.dnsbl.total).toBe(2);
    expect(first!.postscreen.dnsbl.sites.filter((s) => s.matched).map((s) => [s.site, s.weight])).toEqual([['bl.example.net*2', 2]]);
    expect(first!.postscreen.cacheBefore).toBeUndefined();
    expect(first!.postscreen.cacheAfter!.expires.dnsbl).toBe('new');
    // The second visit: the pregreet test is cached, the DNSBL test (action ignore) is done again.
    expect(second!.postscreen.cacheBefore!.expires.dnsbl).toBe('new');
    expect(second!.postscreen.tests.map((t) => [t.test, t.state])).toEqual([
      ['pregreet', 'cached'],
      ['dnsbl', 'failed'],
      ['pipelining', 'off'],
      ['non-smtp command', 'off'],
      ['bare newline', 'off'],
    ]);
  });
  it('a configuration postscreen dies of: no greeting, the fatal error on stderr, status 1', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'config-dnsbl-bad-weight')], { stdin: dialogue('config-dnsbl-bad-weight', 'connect') });
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('# connection 1\n');
    expect(out.stderr).toContain('postfix/postscreen: fatal: bad DNSBL weight factor "x" in "bl.example.net*x"');
  });
  it('--trace shows the access list, the tests and the cache', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'access-list'), '--trace'], { stdin: '# client: 127.0.1.3\nQUIT\n' });
    expect(out.stdout).toContain('hash:/etc/postfix/postscreen_access 127.0.1.3 -> reject');
    expect(out.stdout).toContain('postscreen_cache_map lookup 127.0.1.3 -> not found');
  });
  it('a dialogue without "# connection" lines is one connection, printed without a header', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'greet-banner')], { stdin: '# client: 127.0.0.5\nQUIT\n' });
    expect(out.stdout).toBe('220-Hold on a moment, please\n220 host.example.com ESMTP Postfix\n221 2.0.0 Bye\n');
  });
  it('shows settings it does not simulate as notices', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': MAIN + 'postscreen_upstream_proxy_protocol = haproxy\n', '/etc/postfix/master.cf': MASTER });
    const out = await runSmtpd([], { host, stdin: 'QUIT\n' });
    expect(out.stderr).toContain('postfix-sim smtpd: notice: postscreen_upstream_proxy_protocol: the haproxy protocol is not simulated');
  });
  it('reports bad dialogue lines with their line number', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': MAIN, '/etc/postfix/master.cf': MASTER });
    const out = await runSmtpd([], { host, stdin: '# connection at=later\nQUIT\n' });
    expect(out.stderr).toContain('postfix-sim smtpd: warning: stdin, line 1: at= needs a number of seconds, got "later"');
  });
  it('without postscreen, several connections are smtpd sessions, each in its block', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': MAIN + 'smtpd_banner = $myhostname ESMTP $mail_name\n' });
    const out = await runSmtpd(['--log'], { host, stdin: '# connection client=192.0.2.1\nQUIT\n# connection client=192.0.2.2\nQUIT\n' });
    expect(out.stdout).toBe(
      [
        '# connection 1',
        '220 host.example.com ESMTP Postfix',
        '221 2.0.0 Bye',
        'postfix/smtpd: connect from unknown[192.0.2.1]',
        'postfix/smtpd: disconnect from unknown[192.0.2.1] quit=1 commands=1',
        '# connection 2',
        '220 host.example.com ESMTP Postfix',
        '221 2.0.0 Bye',
        'postfix/smtpd: connect from unknown[192.0.2.2]',
        'postfix/smtpd: disconnect from unknown[192.0.2.2] quit=1 commands=1',
        '',
      ].join('\n'),
    );
  });
});
