// Random configurations and dialogues through the scenario API: whatever a
// user pastes, the engine answers with data (replies, diagnostics, a fatal
// error in Postfix's words), never an exception or a JavaScript message.
// Values, tables, dialogues and addresses mix ordinary input with the odd
// kind (quotes, backslashes, NUL bytes, braces, deep and looping restriction
// classes, non-ASCII and malformed UTF-8).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openScenario } from '../../src/engine/index.ts';
import type { Diagnostic } from '../../src/engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const TABLES = [
  'hash:/etc/postfix/access',
  'regexp:/etc/postfix/re',
  'pcre:/etc/postfix/pcre',
  'cidr:/etc/postfix/cidr',
  'texthash:/etc/postfix/access',
  'inline:{a=b}',
  'inline:{ {x=REJECT no} }',
  'static:OK',
  'static:{REJECT a b}',
  'unionmap:{hash:/etc/postfix/access, static:DUNNO}',
  'pipemap:{inline:{a=b}, inline:{b=c}}',
  'proxy:hash:/etc/postfix/access',
  'hash:/etc/postfix/missing',
  'nosuchtype:/x',
  'sqlite:/etc/postfix/sqlite.cf',
];
const RESTRICTIONS = [
  'permit',
  'reject',
  'defer_if_permit',
  'warn_if_reject reject',
  'permit_mynetworks, reject_unauth_destination',
  'permit_sasl_authenticated, reject',
  'check_client_access',
  'reject_rbl_client',
  'reject_rbl_client zen.example=127.0.0.[2..11]',
  'reject_rhsbl_sender dbl.example',
  'reject_unknown_sender_domain',
  'reject_unverified_recipient',
  'check_recipient_access hash:/etc/postfix/access',
  'check_sender_access pcre:/etc/postfix/pcre',
  'check_policy_service inet:127.0.0.1:9',
  'check_policy_service { inet:127.0.0.1:9, default_action=DUNNO }',
  'reject_sender_login_mismatch',
  'sleep 1',
  'sleep x',
  'nosuch_restriction',
  'cls1',
  'cls1, cls2',
  'cls2',
  ...TABLES,
];
const value = fc.oneof(
  fc.constantFrom(
    '',
    'yes',
    'no',
    '0',
    '1',
    '10',
    '-1',
    '99999999999999999999',
    '10s',
    '1x',
    '{{ X }}',
    '{ unclosed',
    '$myhostname',
    '${x',
    '$(',
    '$',
    '${mydomain?{yes}:{no}}',
    'example.com',
    '127.0.0.0/8',
    '[::1]/128',
    '!127.0.0.1',
    'all',
    'ipv4',
    'may',
    'encrypt',
    'dane',
    'tempfail',
    'quarantine',
    'bogus_action',
    'inet:127.0.0.1:9999',
    'unix:/run/milter.sock',
    '{ inet:127.0.0.1:1, default_action = accept }',
    'DISABLE',
    'nonsense-milter',
    ...RESTRICTIONS,
  ),
  fc.string({ maxLength: 12 }),
);
const parameter = fc.constantFrom(
  'myhostname',
  'mydomain',
  'myorigin',
  'mydestination',
  'mynetworks',
  'relay_domains',
  'compatibility_level',
  'smtpd_delay_reject',
  'smtpd_helo_required',
  'smtpd_client_restrictions',
  'smtpd_helo_restrictions',
  'smtpd_sender_restrictions',
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
  'smtpd_data_restrictions',
  'smtpd_end_of_data_restrictions',
  'smtpd_etrn_restrictions',
  'smtpd_restriction_classes',
  'cls1',
  'cls2',
  'virtual_alias_maps',
  'virtual_alias_domains',
  'virtual_mailbox_domains',
  'virtual_mailbox_maps',
  'virtual_alias_expansion_limit',
  'virtual_alias_recursion_limit',
  'transport_maps',
  'canonical_maps',
  'sender_canonical_maps',
  'masquerade_domains',
  'alias_maps',
  'local_recipient_maps',
  'relocated_maps',
  'relayhost',
  'recipient_delimiter',
  'message_size_limit',
  'line_length_limit',
  'header_size_limit',
  'hopcount_limit',
  'smtpd_recipient_limit',
  'smtpd_recipient_overshoot_limit',
  'smtpd_junk_command_limit',
  'smtpd_hard_error_limit',
  'smtpd_noop_commands',
  'smtpd_forbidden_commands',
  'smtpd_command_filter',
  'smtpd_milters',
  'smtpd_milter_maps',
  'non_smtpd_milters',
  'milter_default_action',
  'smtpd_sasl_auth_enable',
  'smtpd_tls_auth_only',
  'smtpd_tls_security_level',
  'smtpd_tls_cert_file',
  'smtpd_sasl_exceptions_networks',
  'smtpd_sender_login_maps',
  'smtpd_discard_ehlo_keywords',
  'smtputf8_enable',
  'strict_smtputf8',
  'inet_protocols',
  'soft_bounce',
  'strict_rfc821_envelopes',
  'smtpd_authorized_xclient_hosts',
  'smtpd_reject_footer',
);
/** A working configuration the random lines change (a later line wins), so that most sessions get past smtpd's start-up. */
const BASE = 'compatibility_level = 3.6\nmyhostname = host.example.com\nmydomain = example.com\nmynetworks = 127.0.0.0/8\n';
const mainCf = fc.array(fc.tuple(parameter, value), { maxLength: 14 }).map((lines) => BASE + lines.map(([n, v]) => `${n} = ${v}`).join('\n') + '\n');
const tableLine = fc.oneof(
  fc.constantFrom(
    'example.com REJECT',
    'a OK',
    'b cls1',
    'c reject_unauth_destination, cls2',
    'd hash:/etc/postfix/access',
    '"quoted key" DUNNO',
    '/^x/ OK',
    '/(a/ DUNNO',
    '/^(.*)$/ PREPEND X-Test: $1',
    '/^(.*)$/ 550 5.7.1 $2',
    '10.0.0.0/8 REJECT',
    '1.2.3.4/33 OK',
    'if /a/',
    'endif',
    '  cont',
    'x',
    ':include:/etc/postfix/inc',
    'user: user, :include:/etc/postfix/inc',
    'inc: :include:/etc/postfix/inc',
    'loop: loop2',
    'loop2: loop',
    'dbpath = /etc/postfix/db',
    'query = SELECT x FROM y WHERE k=%s',
  ),
  fc.string({ maxLength: 20 }),
);
const tableText = fc.array(tableLine, { maxLength: 6 }).map((l) => l.join('\n'));
const address = fc.oneof(
  fc.constantFrom(
    'a@example.org',
    'root',
    '"a b"@example.com',
    '"a\\"b"@example.com',
    'a\\b@example.com',
    'a\u0000b@example.com',
    '<<>>',
    '<>',
    '@route:a@b.example',
    'jöe@exämple.org',
    'a@[127.0.0.1]',
    'user+ext@host.example.com',
    'inc',
    'loop',
    '"',
    '\\',
    'a@b@c',
    'x'.repeat(300) + '@example.com',
  ),
  fc.string({ maxLength: 15 }),
);
const command = fc.oneof(
  fc.constantFrom(
    'EHLO client.example',
    'HELO [1.2.3.4]',
    'HELO a\u0000b',
    'MAIL FROM:<a@example.org>',
    'MAIL FROM:<>',
    'MAIL FROM:<a@example.org> SIZE=99999999999999999999 RET=FULL ENVID=x+2B AUTH=<> SMTPUTF8 BODY=8BITMIME',
    'MAIL FROM:<"a\\\\b"@example.org> XVERP=+=',
    'RCPT TO:<b@example.com>',
    'RCPT TO:<b@example.com> NOTIFY=NEVER,SUCCESS ORCPT=rfc822;x+zz',
    'RCPT TO:<b@example.com> ORCPT=utf-8;\\x{110000}',
    'RCPT TO:<postmaster>',
    'RCPT TO:<"a b"@example.com>',
    'RCPT TO:<<<>>>',
    'RCPT TO:<a\u0000b@example.com>',
    'RCPT TO:<\\>',
    'RCPT TO:"unterminated',
    'RCPT TO:<jöe@exämple.org>',
    'RCPT TO:<\uFFFD@example.org>',
    'DATA',
    'Subject: x',
    'Received: from x',
    '.',
    '..',
    'x'.repeat(3000),
    'RSET',
    'VRFY root',
    'VRFY "a b"@c SMTPUTF8',
    'ETRN example.com',
    'ETRN @#',
    'XCLIENT ADDR=192.0.2.1 NAME=x.example',
    'XCLIENT ADDR=999.1.1.1',
    'XCLIENT ADDR=IPV6:::ffff:1.2.3.4 LOGIN=joe PORT=99999',
    'XCLIENT NAME=[TEMPUNAVAIL] HELO=+41+42',
    'STARTTLS',
    'AUTH PLAIN',
    'BDAT 10 LAST',
    'NOOP',
    'QUIT',
  ),
  fc.string({ maxLength: 20 }),
);
/** A whole mail transaction with random addresses, parameters and message lines. */
const transaction = fc
  .tuple(
    fc.option(fc.constantFrom('XCLIENT ADDR=203.0.113.5 NAME=mail.example.org', 'XCLIENT ADDR=203.0.113.5 NAME=[UNAVAILABLE] LOGIN=joe'), { nil: undefined }),
    fc.constantFrom('EHLO client.example', 'HELO client.example'),
    address,
    fc.array(address, { minLength: 1, maxLength: 3 }),
    fc.array(fc.oneof(command, fc.constantFrom('', 'Subject: hi', 'Received: x', '.dot')), { maxLength: 6 }),
  )
  .map(([xclient, helo, from, rcpts, body]) =>
    [...(xclient ? [xclient] : []), helo, `MAIL FROM:<${from}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'DATA', ...body.filter((l) => l !== '.'), '.', 'QUIT']
      .join('\n')
      .concat('\n'),
  );
const dialogue = fc.oneof(
  fc.array(command, { maxLength: 12 }).map((c) => c.join('\n') + '\n'),
  transaction,
);
const facts = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'policy inet:127.0.0.1:9 => REJECT no',
        'policy inet:127.0.0.1:9 => DUNNO',
        'policy inet:127.0.0.1:9 sender=a@example.org => cls1',
        'milter inet:127.0.0.1:9999 connect => reject',
        'milter inet:127.0.0.1:9999 mail => 421 4.7.0 bye',
        'milter inet:127.0.0.1:9999 rcpt => discard',
        'milter inet:127.0.0.1:9999 eom => quarantine x',
        'milter inet:127.0.0.1:9999 eom => 599 bad %s reply',
        'milter unix:/run/milter.sock helo => tempfail',
        'milter inet:127.0.0.1:9999 header => 5xx',
        'verify b@example.com undeliverable gone',
      ),
      fc.string({ maxLength: 20 }),
    ),
    { maxLength: 5 },
  )
  .map((l) => l.join('\n'));
const dns = fc
  .array(
    fc.constantFrom(
      '*.example.com. A 127.0.0.2',
      '*.zen.example A 127.0.0.2',
      'example.org MX 10 mx.example.org.',
      'mx.example.org A 192.0.2.1',
      'x.example CNAME x.example',
      '2.0.0.127.zen.example TXT "listed"',
      'broken.example SERVFAIL',
      '*. A 1.2.3.4',
      'bad line',
    ),
    { maxLength: 5 },
  )
  .map((l) => l.join('\n'));

/** A JavaScript error's words in a message meant for a person. */
const JS_ERROR = /TypeError|RangeError|ReferenceError|SyntaxError|undefined is not|Cannot read prop|Maximum call stack|at .*\.ts:\d/;
const human = (d: Diagnostic | undefined): void => {
  if (d) expect(d.message).not.toMatch(JS_ERROR);
};

describe('scenario API under random input', () => {
  it('answers with data, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        mainCf,
        tableText,
        dialogue,
        fc.array(address, { maxLength: 3 }),
        address,
        facts,
        dns,
        async (main, table, text, addresses, sender, factsText, dnsText) => {
          const host = memoryHost({
            '/etc/postfix/main.cf': main,
            '/etc/postfix/access': table,
            '/etc/postfix/re': table,
            '/etc/postfix/pcre': table,
            '/etc/postfix/cidr': table,
            '/etc/postfix/inc': table,
            '/etc/postfix/sqlite.cf': table,
            '/etc/postfix/aliases': table,
            '/etc/postfix/facts': factsText,
            '/etc/postfix/dns': dnsText,
          });
          const scenario = await openScenario({ host, factsPath: '/etc/postfix/facts' });
          human(scenario.fatal);
          for (const d of scenario.diagnostics) human(d);
          if (scenario.fatal) return;
          const played = await scenario.play(text);
          expect(played).toBeDefined();
          if (played && 'error' in played) human(played.error);
          else {
            expect(played!.session.exchanges.length).toBeGreaterThan(0);
            // Postfix never writes a raw NUL (or any control character) into its log.
            for (const l of played!.session.log) expect(l.text).not.toMatch(/[\x00-\x08\x0a-\x1f]/);
          }
          const resolved = await scenario.resolve(sender, addresses);
          expect(resolved?.addresses.length).toBe(addresses.length);
          for (const a of resolved?.addresses ?? []) {
            human(a.error);
            for (const l of a.result.logged) expect(l.diagnostic.message).not.toContain('\0');
          }
          const looked = await scenario.lookup('hash:/etc/postfix/access', sender);
          expect(['found', 'notfound', 'error']).toContain(looked.result.status);
        },
      ),
      // FUZZ_RUNS=100000 for a long search (60,000 runs found nothing on the development machine).
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  }, 300_000);
});
