// `postfix-sim smtpd`: arguments, output forms and errors. Reply lines compared
// here come from the recorded golden sessions (real Postfix), not from the simulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmtpd } from '../../src/cli/smtpd.ts';
import { memoryHost } from '../support/memory-host.ts';
import type { SmtpdEvent } from '../../src/engine/index.ts';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'smtpd');
const recorded = (group: string, session: string) =>
  (JSON.parse(readFileSync(join(GOLDEN, group, 'expected.json'), 'utf8')) as { sessions: Record<string, { replies: string[][]; log: string[] }> }).sessions[
    session
  ]!;
const dialogue = (group: string, session: string) => readFileSync(join(GOLDEN, group, 'sessions', `${session}.smtp`), 'utf8');

describe('postfix-sim smtpd', () => {
  it('prints the server side of a recorded session', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'relay-mynetworks')], { stdin: dialogue('relay-mynetworks', 'inside-relays') });
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(
      recorded('relay-mynetworks', 'inside-relays')
        .replies.flat()
        .map((l) => l + '\n')
        .join(''),
    );
  });
  it('honours # pipelined in the dialogue file', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'pipelining'), '--log'], { stdin: dialogue('pipelining', 'pipelined-plain') });
    const rec = recorded('pipelining', 'pipelined-plain');
    expect(out.stdout).toBe([...rec.replies.flat(), ...rec.log.filter((l) => l.startsWith('postfix/smtpd: '))].map((l) => l + '\n').join(''));
  });
  it('adds the smtpd log lines with --log', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'relay-mynetworks'), '--log'], { stdin: dialogue('relay-mynetworks', 'outside-deferred') });
    const smtpdLog = recorded('relay-mynetworks', 'outside-deferred').log.filter((l) => l.startsWith('postfix/smtpd: '));
    expect(out.stdout.trimEnd().split('\n').slice(-smtpdLog.length)).toEqual(smtpdLog);
  });
  it('prints the trace with --json: typed events for commands, stages, restrictions and their verdicts', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'relay-mynetworks'), '--json'], { stdin: dialogue('relay-mynetworks', 'outside-deferred') });
    const j = JSON.parse(out.stdout) as { trace: SmtpdEvent[] };
    const rcpt = j.trace.find((n) => n.kind === 'command' && n.verb === 'RCPT')!;
    expect(rcpt).toMatchObject({
      kind: 'command',
      line: 'RCPT TO:<someone@example.net>',
      reply: [recorded('relay-mynetworks', 'outside-deferred').replies[4]![0]],
    });
    const relay = rcpt.children!.find((n) => n.kind === 'stage' && n.stage === 'relay')!;
    expect(relay).toMatchObject({ parameter: 'smtpd_relay_restrictions', replyClass: 'Recipient address', verdict: 'REJECT' });
    expect(relay.children!.map((r) => (r.kind === 'restriction' ? [r.name, r.verdict] : r.kind))).toEqual([
      ['permit_mynetworks', 'DUNNO'],
      ['permit_sasl_authenticated', 'DUNNO'],
      ['defer_unauth_destination', 'REJECT'],
    ]);
    // The mynetworks match names the main.cf line that sets it.
    expect(relay.children![0]!.children).toEqual([
      expect.objectContaining({ kind: 'list', parameter: 'mynetworks', matched: false, source: { file: '/etc/postfix/main.cf', line: 8 } }),
    ]);
  });
  it('prints the trace with --trace as indented text', async () => {
    const out = await runSmtpd(['-c', join(GOLDEN, 'relay-mynetworks'), '--trace'], { stdin: dialogue('relay-mynetworks', 'outside-deferred') });
    const reply = recorded('relay-mynetworks', 'outside-deferred').replies[4]![0]!;
    const lines = out.stdout.split('\n');
    const at = lines.indexOf(`> RCPT TO:<someone@example.net> -> ${reply.slice(0, 3)}`);
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '  smtpd_relay_restrictions (Recipient address: someone@example.net) -> REJECT',
      `      ${reply}`,
      '    permit_mynetworks -> DUNNO',
    ]);
  });
  it('takes the client from --client, with its name', async () => {
    const host = memoryHost({
      '/etc/postfix/main.cf':
        'compatibility_level = 3.6\nmyhostname = host.example.com\nalias_maps =\nsmtpd_client_restrictions = check_client_access inline:{{client.example=REJECT go away}}\n',
    });
    const out = await runSmtpd(['--client', '192.0.2.9,client.example'], {
      host,
      stdin: 'HELO x\nMAIL FROM:<a@b.example>\nRCPT TO:<postmaster>\nRCPT TO:<root@host.example.com>\n',
    });
    // RFC 5321: a bare "postmaster" is never rejected by the restrictions.
    expect(out.stdout.split('\n')[3]).toBe('250 2.1.5 Ok');
    expect(out.stdout.split('\n')[4]).toBe('554 5.7.1 <client.example[192.0.2.9]>: Client host rejected: go away');
  });
  it('reports the start-up fatal error Postfix gives and shows no banner', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': 'compatibility_level = 3.6\nsmtpd_relay_restrictions =\n' });
    const out = await runSmtpd([], { host, stdin: 'QUIT\n' });
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(
      /^postfix\/smtpd: fatal: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of/,
    );
  });
  it('refuses unknown arguments and a missing main.cf', async () => {
    expect((await runSmtpd(['--bogus'], { stdin: '' })).status).toBe(2);
    const out = await runSmtpd(['-c', '/nonexistent'], { stdin: '' });
    expect(out).toMatchObject({ status: 1, stderr: expect.stringContaining('main.cf: No such file or directory') });
  });
  it('reads DNS facts and reports a bad record line', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': 'compatibility_level = 3.6\nmyhostname = host.example.com\nmynetworks = 127.0.0.0/8\n' });
    const out = await runSmtpd(['--dns', '/facts/dns'], { host, stdin: 'QUIT\n', readText: (p) => (p === '/facts/dns' ? 'x.example. BOGUS 1\n' : undefined) });
    expect(out.stderr).toContain('line 1: unknown record type "BOGUS"');
    expect(out.stdout).toBe('220 host.example.com ESMTP Postfix\n221 2.0.0 Bye\n');
  });
});

// TLS cannot be recorded offline; these follow postconf(5) (permit_tls_clientcerts,
// permit_tls_all_clientcerts, check_ccert_access, reject_plaintext_session).
describe('postfix-sim smtpd: TLS facts', () => {
  const main = [
    'compatibility_level = 3.6',
    'myhostname = host.example.com',
    'alias_maps =',
    'mynetworks = 127.0.0.1/32',
    'relay_clientcerts = inline:{ AA:BB=partner }',
    'smtpd_tls_ask_ccert = yes',
  ];
  const dialogue = 'EHLO c.example\nMAIL FROM:<a@b.example>\nRCPT TO:<x@elsewhere.example>\nQUIT\n';
  const run = (restrictions: string, argv: string[]) =>
    runSmtpd(['--client', '192.0.2.9,c.example', ...argv], {
      host: memoryHost({ '/etc/postfix/main.cf': [...main, `smtpd_relay_restrictions = ${restrictions}`].join('\n') + '\n' }),
      stdin: dialogue,
    });
  const rcptReply = async (restrictions: string, argv: string[]) => (await run(restrictions, argv)).stdout.split('\n').at(-3);
  it('permit_tls_clientcerts relays for a listed fingerprint only', async () => {
    expect(await rcptReply('permit_tls_clientcerts, reject_unauth_destination', ['--ccert', 'AA:BB'])).toBe('250 2.1.5 Ok');
    expect(await rcptReply('permit_tls_clientcerts, reject_unauth_destination', ['--ccert', 'CC:DD'])).toBe(
      '554 5.7.1 <x@elsewhere.example>: Relay access denied',
    );
    expect(await rcptReply('permit_tls_clientcerts, reject_unauth_destination', ['--ccert', 'CC:DD,AA:BB'])).toBe('250 2.1.5 Ok');
  });
  it('permit_tls_all_clientcerts needs a verified certificate', async () => {
    expect(await rcptReply('permit_tls_all_clientcerts, reject_unauth_destination', ['--ccert', 'CC:DD', '--ccert-verified'])).toBe('250 2.1.5 Ok');
    expect(await rcptReply('permit_tls_all_clientcerts, reject_unauth_destination', ['--ccert', 'CC:DD'])).toBe(
      '554 5.7.1 <x@elsewhere.example>: Relay access denied',
    );
  });
  it('check_ccert_access looks the fingerprint up', async () => {
    const reply = await rcptReply('check_ccert_access inline:{{CC:DD=REJECT bad cert}}, reject_unauth_destination', ['--ccert', 'CC:DD']);
    expect(reply).toBe('554 5.7.1 <>: Client certificate rejected: bad cert');
  });
  it('reject_plaintext_session passes only encrypted sessions', async () => {
    expect(await rcptReply('reject_plaintext_session, reject_unauth_destination', [])).toBe('450 4.7.1 Session encryption is required');
    expect(await rcptReply('reject_plaintext_session, reject_unauth_destination', ['--tls'])).toBe('554 5.7.1 <x@elsewhere.example>: Relay access denied');
  });
});

// Address verification needs probes over the network; the answers are facts and the
// replies follow smtpd_check.c's reject_unverified_address and postconf(5)'s defaults.
describe('postfix-sim smtpd: address verification facts', () => {
  const host = memoryHost({
    '/etc/postfix/main.cf':
      'compatibility_level = 3.6\nmyhostname = host.example.com\nalias_maps =\nmynetworks = 127.0.0.1/32\nsmtpd_recipient_restrictions = reject_unverified_recipient\nunverified_recipient_reject_code = 550\n',
  });
  const facts =
    'verify bad@example.org undeliverable 5.1.1 User unknown\nverify good@example.org deliverable\nverify slow@example.org deferred connection timed out\n';
  const rcpt = async (addr: string) =>
    (
      await runSmtpd(['--client', '127.0.0.1', '--facts', '/f'], {
        host,
        stdin: `HELO x\nMAIL FROM:<a@b.example>\nRCPT TO:<${addr}>\n`,
        readText: (p) => (p === '/f' ? facts : undefined),
      })
    ).stdout.split('\n')[3];
  it('rejects what bounces, with unverified_recipient_reject_code', async () => {
    expect(await rcpt('bad@example.org')).toBe('550 5.1.1 <bad@example.org>: Recipient address rejected: undeliverable address: 5.1.1 User unknown');
  });
  it('accepts what is deliverable', async () => {
    expect(await rcpt('good@example.org')).toBe('250 2.1.5 Ok');
  });
  it('defers what is deferred or not yet probed (defer_if_permit turns into 450 at the end)', async () => {
    expect(await rcpt('slow@example.org')).toBe('450 4.1.1 <slow@example.org>: Recipient address rejected: unverified address: connection timed out');
    expect(await rcpt('new@example.org')).toBe('450 4.1.1 <new@example.org>: Recipient address rejected: unverified address: Address verification in progress');
  });
});

describe('postfix-sim smtpd: unknown parameters', () => {
  it('shows what postconf says about them (smtpd itself is silent)', async () => {
    const host = memoryHost({
      '/etc/postfix/main.cf': 'compatibility_level = 3.6\nmyhostname = host.example.com\nalias_maps =\nsmtpd_recipent_restrictions = reject\n',
    });
    const out = await runSmtpd([], { host, stdin: 'QUIT\n' });
    expect(out.stderr).toBe('postconf: warning: /etc/postfix/main.cf: unused parameter: smtpd_recipent_restrictions=reject\n');
    expect(out.stdout).toBe('220 host.example.com ESMTP Postfix\n221 2.0.0 Bye\n');
  });
  it('refuses a client address that cannot exist, in plain words', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': 'compatibility_level = 3.6\nmyhostname = host.example.com\n' });
    const out = await runSmtpd(['--client', '999.1.1.1'], { host, stdin: 'QUIT\n' });
    expect(out).toEqual({ stdout: '', stderr: 'postfix-sim smtpd: error: bad client address "999.1.1.1": not an IPv4 or IPv6 address\n', status: 1 });
    const ok = await runSmtpd(['--client', '2001:db8::1'], { host, stdin: 'QUIT\n' });
    expect(ok.status).toBe(0);
  });
});
