// Not silent: what the simulator does not model reaches the scenario, the CLI and (through the
// worker's simulate.ts) the page, for the programs each run involves; and each daemon behind
// smtpd runs with its own master.cf entry (config/daemons.ts), as the service-override goldens show.
import { describe, expect, it } from 'vitest';
import { openScenario } from '../../src/engine/index.ts';
import { runResolve } from '../../src/cli/resolve.ts';
import { runSmtpd } from '../../src/cli/smtpd.ts';
import { runResolveRequest, runSmtpdRequest } from '../../src/ui/worker/simulate.ts';
import { memoryHost } from '../support/memory-host.ts';

const MAIN = [
  'compatibility_level = 3.6',
  'myhostname = host.example.com',
  'mydomain = example.com',
  'inet_interfaces = loopback-only',
  'mynetworks = 127.0.0.0/8',
  'alias_maps =',
  'header_size_limit = 4096',
  'smtpd_proxy_filter = 127.0.0.1:10025',
  'header_checks = regexp:/etc/postfix/header_checks',
].join('\n');
const MASTER = [
  'smtp      inet  n       -       y       -       -       smtpd',
  '  -o smtpd_history_flush_threshold=10',
  '  -o relay_domains=smtpd-only.example',
  'rewrite   unix  -       -       y       -       -       trivial-rewrite',
  'cleanup   unix  n       -       y       -       0       cleanup',
  'local     unix  -       n       n       -       -       local',
  'virtual   unix  -       n       n       -       -       virtual',
  'smtp      unix  -       -       y       -       -       smtp',
  'relay     unix  -       -       y       -       -       smtp',
  'error     unix  -       -       y       -       -       error',
  'retry     unix  -       -       y       -       -       error',
  'discard   unix  -       -       y       -       -       discard',
  '',
].join('\n');
const files = { '/etc/postfix/main.cf': MAIN, '/etc/postfix/master.cf': MASTER, '/etc/postfix/header_checks': '/^X-Spam:/ DISCARD\n' };
const DIALOGUE = 'EHLO client.example\nMAIL FROM:<a@example.org>\nRCPT TO:<b@smtpd-only.example>\nQUIT\n';

describe('scenario notices', () => {
  it('names each parameter once, with the first program that reads it and where it is set', async () => {
    const s = await openScenario({ host: memoryHost(files) });
    const play = s.notices.play.map((d) => `${d.program}: ${d.message} (${d.file}:${d.line})`);
    expect(play).toEqual([
      'smtpd: header_size_limit is set: not simulated (/etc/postfix/main.cf:7)',
      'smtpd: smtpd_history_flush_threshold is set: not simulated (/etc/postfix/master.cf:1)',
      'smtpd: smtpd_proxy_filter is set: not simulated (/etc/postfix/main.cf:8)',
      'cleanup: header_checks is set: not simulated (/etc/postfix/main.cf:9)',
    ]);
    // sendmail's mail meets trivial-rewrite, cleanup, local and virtual: no smtpd parameter.
    expect(s.notices.resolve.map((d) => `${d.program}: ${d.message}`)).toEqual([
      'trivial-rewrite: header_size_limit is set: not simulated',
      'cleanup: header_checks is set: not simulated',
    ]);
  });
  it('names each server table once, with the setting that names it; sendmail -bv only those outside smtpd', async () => {
    const main = [
      'compatibility_level = 3.6',
      'smtpd_restriction_classes = fromtcp',
      'fromtcp = check_sender_access tcp:127.0.0.1:9',
      'smtpd_client_restrictions = check_client_access proxy:tcp:127.0.0.1:9, check_client_access nis:mail.access',
      'transport_maps = unionmap:{hash:/etc/postfix/transport, socketmap:inet:127.0.0.1:9:transport}',
      'virtual_alias_maps = memcache:/etc/postfix/mc.cf',
      '',
    ].join('\n');
    const master = 'smtp inet n - y - - smtpd\n  -o smtpd_sender_restrictions=check_sender_access,tcp:127.0.0.1:10\n';
    const s = await openScenario({ host: memoryHost({ '/etc/postfix/main.cf': main, '/etc/postfix/master.cf': master }) });
    const servers = (ds: readonly { message: string; file?: string; line?: number }[]) =>
      ds.filter((d) => / tables are not simulated: /.test(d.message)).map((d) => `${d.message.split(': ')[0]} (${d.file}:${d.line})`);
    expect(servers(s.notices.play)).toEqual([
      'fromtcp names tcp:127.0.0.1:9 (/etc/postfix/main.cf:3)',
      'smtpd_client_restrictions names nis:mail.access (/etc/postfix/main.cf:4)',
      'transport_maps names socketmap:inet:127.0.0.1:9:transport (/etc/postfix/main.cf:5)',
      'virtual_alias_maps names memcache:/etc/postfix/mc.cf (/etc/postfix/main.cf:6)',
      'smtpd_sender_restrictions names tcp:127.0.0.1:10 (/etc/postfix/master.cf:1)',
    ]);
    expect(servers(s.notices.resolve)).toEqual([
      'transport_maps names socketmap:inet:127.0.0.1:9:transport (/etc/postfix/main.cf:5)',
      'virtual_alias_maps names memcache:/etc/postfix/mc.cf (/etc/postfix/main.cf:6)',
    ]);
    expect(s.notices.play.find((d) => d.message.startsWith('fromtcp'))?.message).toBe(
      'fromtcp names tcp:127.0.0.1:9: tcp tables are not simulated: nothing listens on 127.0.0.1:9 (Postfix tries ten times, a second apart)',
    );
  });
  it('runs trivial-rewrite with its own entry: smtpd -o relay_domains does not make a domain relayable', async () => {
    const s = await openScenario({ host: memoryHost(files) });
    const played = await s.play(DIALOGUE, { addr: '192.0.2.1' });
    expect(played && 'session' in played && played.session.exchanges.map((e) => e.server.join('|'))[3]).toBe(
      '454 4.7.1 <b@smtpd-only.example>: Relay access denied',
    );
  });
  it('postfix-sim smtpd and resolve print them as notices on stderr', async () => {
    const smtpd = await runSmtpd([], { stdin: DIALOGUE, host: memoryHost(files) });
    expect(smtpd.stderr).toContain('postfix-sim smtpd: notice: smtpd: smtpd_proxy_filter is set: not simulated\n');
    expect(smtpd.stderr).toContain('postfix-sim smtpd: notice: cleanup: header_checks is set: not simulated\n');
    const resolve = await runResolve(['root'], { host: memoryHost(files) });
    expect(resolve.stderr).toBe(
      'postfix-sim resolve: notice: trivial-rewrite: header_size_limit is set: not simulated\npostfix-sim resolve: notice: cleanup: header_checks is set: not simulated\n',
    );
  });
  it('the page gets them as notices of the session and of the resolution', async () => {
    const smtpd = await runSmtpdRequest(memoryHost(files), {
      dialogue: DIALOGUE,
      service: 'smtp',
      clientAddr: '127.0.0.1',
      clientName: '',
      dnsPath: '',
      factsPath: '',
      tls: false,
      ccertFingerprint: '',
      ccertPkeyFingerprint: '',
      ccertVerified: false,
    } as Parameters<typeof runSmtpdRequest>[1]);
    expect(smtpd.notices).toContainEqual({ parameter: 'smtpd_proxy_filter', message: 'not simulated (smtpd)', file: '/etc/postfix/main.cf', line: 8 });
    const resolve = await runResolveRequest(memoryHost(files), { sender: 'root', addresses: ['root'] } as Parameters<typeof runResolveRequest>[1]);
    expect(resolve.notices?.map((n) => n.parameter)).toEqual(['header_size_limit', 'header_checks']);
  });
  it('says nothing for a configuration the simulator models', async () => {
    const s = await openScenario({ host: memoryHost({ '/etc/postfix/main.cf': 'relay_domains = example.net\n' }) });
    expect(s.notices).toEqual({ play: [], resolve: [] });
  });
});
