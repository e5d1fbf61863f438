// What the golden recordings cannot show: TLS sessions (the recorder has no
// TLS client), the facts syntax of Milters, DNS wildcard rules in detail,
// the queue file estimate against a queue file real Postfix wrote, and the
// simulator's own limits said as such.
import { describe, expect, it } from 'vitest';
import { openScenario } from '../../src/engine/index.ts';
import type { PlayResult, SmtpdEvent } from '../../src/engine/index.ts';
import { parseDnsFacts } from '../../src/engine/dns/facts.ts';
import { parseFacts } from '../../src/engine/smtpd/facts/outside.ts';
import { queueFileSize } from '../../src/engine/smtpd/session/cleanup.ts';
import { lastResort } from '../../src/cli/report.ts';
import { memoryHost } from '../support/memory-host.ts';

const BASE = `compatibility_level = 3.6
myhostname = host.example.com
mydomain = example.com
smtpd_banner = $myhostname ESMTP $mail_name
mynetworks = 127.0.0.1/32
smtpd_authorized_xclient_hosts = 127.0.0.0/8
`;

async function play(main: string, dialogue: string, extra: Record<string, string> = {}, tls = false): Promise<PlayResult> {
  const host = memoryHost({ '/etc/postfix/main.cf': BASE + main, ...extra });
  const scenario = await openScenario({ host, ...('/etc/postfix/facts' in extra && { factsPath: '/etc/postfix/facts' }) });
  expect(scenario.fatal).toBeUndefined();
  const played = await scenario.play(dialogue, tls ? { tls: {} } : {});
  if (!played || 'error' in played) throw new Error(played ? played.error.message : 'no session');
  return played;
}

const replies = (p: PlayResult): string[] => p.session.exchanges.map((e) => e.server.at(-1) ?? '');
const smtpdLog = (p: PlayResult): string[] => p.session.log.filter((l) => l.program === 'postfix/smtpd').map((l) => l.text);

function events(trace: readonly SmtpdEvent[]): SmtpdEvent[] {
  return trace.flatMap((e) => [e, ...events(e.children ?? [])]);
}

describe('SASL and the TLS fact', () => {
  const SASL = 'smtpd_sasl_auth_enable = yes\nsmtpd_tls_auth_only = yes\nsmtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination\n';
  const RELAY =
    'XCLIENT ADDR=203.0.113.5 NAME=mail.example.org LOGIN=alice\nEHLO mail.example.org\nMAIL FROM:<alice@example.org>\nRCPT TO:<x@remote.example>\nQUIT\n';
  it('a login does not relay in plaintext under smtpd_tls_auth_only, and does once the session is encrypted', async () => {
    const plain = await play(SASL, RELAY);
    expect(replies(plain)[4]).toBe('554 5.7.1 <x@remote.example>: Relay access denied');
    expect(plain.session.exchanges[2]!.server.some((l) => l.includes('AUTH '))).toBe(false);
    const encrypted = await play(SASL, RELAY, {}, true);
    expect(replies(encrypted)[4]).toBe('250 2.1.5 Ok');
    expect(encrypted.session.exchanges[2]!.server.some((l) => l.startsWith('250-AUTH '))).toBe(true);
  });
  it('smtpd_tls_security_level = encrypt requires STARTTLS first, and an encrypted session is not offered it again', async () => {
    const p = await play(
      'smtpd_tls_security_level = encrypt\nsmtpd_tls_cert_file = /etc/postfix/cert.pem\n',
      'EHLO x\nMAIL FROM:<a@example.org>\nSTARTTLS\nQUIT\n',
    );
    expect(replies(p).slice(2, 4)).toEqual(['530 5.7.0 Must issue a STARTTLS command first', '502 5.5.1 Error: command not implemented']);
    const tls = await play(
      'smtpd_tls_security_level = encrypt\nsmtpd_tls_cert_file = /etc/postfix/cert.pem\n',
      'EHLO x\nSTARTTLS\nMAIL FROM:<a@example.org>\nQUIT\n',
      {},
      true,
    );
    expect(replies(tls).slice(2, 4)).toEqual(['554 5.5.1 Error: TLS already active', '250 2.1.0 Ok']);
  });
  it('a level smtpd does not know stops it, as Postfix does', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': BASE + 'smtpd_tls_security_level = dane\n' });
    const played = await (await openScenario({ host })).play('EHLO x\n');
    expect(played && 'session' in played && played.session.fatal).toBe('Invalid TLS level "dane"');
  });
});

describe('milter facts', () => {
  it('are checked, with the line of each problem', () => {
    const f = parseFacts(
      [
        'milter inet:127.0.0.1:1 connect => reject',
        'milter inet:127.0.0.1:1 nosuchstage => reject',
        'milter inet:127.0.0.1:1 mail => quarantine',
        'milter inet:127.0.0.1:1 eom => 250 ok',
        'milter inet:127.0.0.1:1 rcpt nopair => reject',
      ].join('\n'),
    );
    expect(f.milter.map((m) => [m.stage, m.verdict])).toEqual([['connect', 'reject']]);
    expect(f.diagnostics.map((d) => d.line)).toEqual([2, 3, 4, 5]);
    expect(f.milterRuns('inet:127.0.0.1:1')).toBe(true);
    expect(f.milterRuns('inet:127.0.0.1:2')).toBe(false);
  });
  it('decide what smtpd answers, and the trace names the fact', async () => {
    const facts = 'milter inet:127.0.0.1:1 rcpt recipient=bad@host.example.com => 550 5.7.1 no thanks\n';
    const p = await play(
      'smtpd_milters = inet:127.0.0.1:1\nlocal_recipient_maps =\n',
      'HELO x\nMAIL FROM:<a@example.org>\nRCPT TO:<bad@host.example.com>\nQUIT\n',
      {
        '/etc/postfix/facts': facts,
      },
    );
    expect(replies(p)[3]).toBe('550 5.7.1 no thanks');
    expect(smtpdLog(p)).toContain(
      'NOQUEUE: milter-reject: RCPT from localhost[127.0.0.1]: 550 5.7.1 no thanks; from=<a@example.org> to=<bad@host.example.com> proto=SMTP helo=<x>',
    );
    const fact = events(p.session.trace).find((e) => e.kind === 'fact' && e.fact === 'milter' && e.stage === 'rcpt');
    expect(fact).toMatchObject({ verdict: '550 5.7.1 no thanks', source: { line: 1 } });
  });
  it('when no fact names a Milter, milter_default_action decides, with a notice', async () => {
    const p = await play(
      'smtpd_milters = { inet:127.0.0.1:2, default_action = accept }, inet:127.0.0.1:3\nmilter_default_action = reject\n',
      'HELO x\nMAIL FROM:<a@example.org>\nQUIT\n',
    );
    expect(replies(p)).toEqual([
      '554 host.example.com ESMTP not accepting connections',
      '250 host.example.com',
      '550 5.5.0 Service unavailable',
      '221 2.0.0 Bye',
    ]);
    expect(events(p.session.trace).filter((e) => e.kind === 'notice').length).toBe(2);
  });
});

describe('DNS wildcards', () => {
  const dns = parseDnsFacts(['*.w.example A 192.0.2.1', 'x.w.example TXT "exists"', '*.e.example MX 10 mx.example', 'a.b.e.example A 192.0.2.2'].join('\n'));
  it('answer for names that do not exist, at any depth below', () => {
    expect(dns.lookup('y.w.example', 'A').records.map((r) => [r.name, r.data])).toEqual([['y.w.example', '192.0.2.1']]);
    expect(dns.lookup('z.y.w.example', 'A').status).toBe('ok');
  });
  it('do not answer for names that exist, or for the parent', () => {
    expect(dns.lookup('x.w.example', 'A')).toMatchObject({ status: 'notfound', notFound: 'nodata' });
    expect(dns.lookup('w.example', 'A')).toMatchObject({ status: 'notfound', notFound: 'nodata' });
    // b.e.example exists (a name below it has records): the wildcard does not cover it, nor names below it.
    expect(dns.lookup('b.e.example', 'MX')).toMatchObject({ status: 'notfound', notFound: 'nodata' });
    expect(dns.lookup('c.b.e.example', 'MX')).toMatchObject({ status: 'notfound', notFound: 'nxdomain' });
  });
  it('have NODATA of their own for other types', () => {
    expect(dns.lookup('q.w.example', 'MX')).toMatchObject({ status: 'notfound', notFound: 'nodata' });
  });
});

describe('limits', () => {
  it('the queue file estimate is within a few bytes of a queue file real Postfix 3.7.11 wrote (1057 bytes, its time stamp had 4 microsecond digits)', () => {
    const size = queueFileSize(
      {
        sender: 'a@example.org',
        recipients: ['root@host.example.com'],
        name: 'mail.example.org',
        reverseName: 'mail.example.org',
        addr: '203.0.113.5',
        port: '20000',
        helo: 'mail.example.org',
        protocol: 'SMTP',
        myhostname: 'host.example.com',
      },
      ['Subject: small', '', 'ok'],
      2048,
    );
    expect(Math.abs(size - 1057)).toBeLessThanOrEqual(4);
  });
  it('a chain of a thousand restriction classes is followed to its end; one too deep for the simulator says so', async () => {
    const chain = (n: number): string => {
      const names = Array.from({ length: n }, (_, i) => `c${i + 1}`);
      return `smtpd_restriction_classes = ${names.join(' ')}\n${names.map((c, i) => `${c} = ${i + 1 < n ? names[i + 1] : 'reject'}`).join('\n')}\nsmtpd_sender_restrictions = c1\n`;
    };
    const dialogue = 'HELO x\nMAIL FROM:<a@example.org>\nRCPT TO:<root@host.example.com>\nQUIT\n';
    expect(replies(await play(chain(1000), dialogue))[3]).toBe('554 5.7.1 <a@example.org>: Sender address rejected: Access denied');
    const deep = await play(chain(50000), dialogue);
    expect(deep.session.crashed).toMatch(/^the simulator ran out of stack/);
    expect(deep.session.log.some((l) => l.program === 'postfix/master')).toBe(false);
  });
});

describe('internal errors', () => {
  it('become one line naming the input, never a stack trace', async () => {
    const host = {
      ...memoryHost({}),
      readFile: (): Uint8Array => {
        throw new TypeError('boom');
      },
    };
    const scenario = await openScenario({ host });
    expect(scenario.fatal?.message).toMatch(/^internal error while reading \/etc\/postfix\/main\.cf and the files it names: TypeError: boom/);
    expect(scenario.fatal?.message).not.toMatch(/\n|\bat .*:\d+/);
    const line = lastResort(['smtpd', '-c', 'conf'], new RangeError('Maximum call stack size exceeded'));
    expect(line).toBe(
      'postfix-sim: internal error while running "postfix-sim smtpd -c conf", dialogue on stdin: RangeError: Maximum call stack size exceeded (a bug in the simulator, not in your input)\n',
    );
  });
});
