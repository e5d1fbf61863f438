// Random configurations and dialogues through the scenario API: whatever a
// user pastes, the engine answers with data (replies, diagnostics, a fatal
// error in Postfix's words), never an exception or a JavaScript message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openScenario } from '../../src/engine/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const TABLES = ['hash:/etc/postfix/access', 'regexp:/etc/postfix/re', 'pcre:/etc/postfix/pcre', 'cidr:/etc/postfix/cidr', 'inline:{a=b}', 'static:OK'];
const value = fc.oneof(
  fc.constantFrom(
    '',
    'yes',
    'no',
    '0',
    '10',
    '-1',
    '10s',
    '1x',
    '{{ X }}',
    '$myhostname',
    '${x',
    '$(',
    '$',
    'example.com',
    '127.0.0.0/8',
    '[::1]/128',
    'permit',
    'reject',
    'permit_mynetworks, reject_unauth_destination',
    'check_client_access',
    'reject_rbl_client',
    'reject_rbl_client zen.example=127.0.0.[2..11]',
    'check_recipient_access hash:/etc/postfix/access',
    'nosuch_restriction',
    'cls1',
    'cls1, cls2',
    ...TABLES,
  ),
  fc.string({ maxLength: 12 }),
);
const parameter = fc.constantFrom(
  'myhostname',
  'mydomain',
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
  'smtpd_restriction_classes',
  'cls1',
  'cls2',
  'virtual_alias_maps',
  'virtual_alias_domains',
  'virtual_mailbox_domains',
  'virtual_mailbox_maps',
  'transport_maps',
  'canonical_maps',
  'alias_maps',
  'local_recipient_maps',
  'relayhost',
  'message_size_limit',
  'smtpd_recipient_limit',
  'soft_bounce',
  'strict_rfc821_envelopes',
  'smtpd_authorized_xclient_hosts',
);
const mainCf = fc.array(fc.tuple(parameter, value), { maxLength: 12 }).map((lines) => lines.map(([n, v]) => `${n} = ${v}`).join('\n') + '\n');
const tableText = fc.array(
  fc.constantFrom('example.com REJECT', '/^x/ OK', '/(a/ DUNNO', '10.0.0.0/8 REJECT', '1.2.3.4/33 OK', 'if /a/', 'endif', '  cont', 'x'),
  {
    maxLength: 5,
  },
);
const command = fc.oneof(
  fc.constantFrom(
    'EHLO client.example',
    'HELO [1.2.3.4]',
    'MAIL FROM:<a@example.org>',
    'MAIL FROM:<>',
    'RCPT TO:<b@example.com>',
    'RCPT TO:<postmaster>',
    'RCPT TO:<"a b"@example.com>',
    'RCPT TO:<<<>>>',
    'DATA',
    'Subject: x',
    '.',
    'RSET',
    'VRFY root',
    'ETRN example.com',
    'XCLIENT ADDR=192.0.2.1 NAME=x.example',
    'XCLIENT ADDR=999.1.1.1',
    'NOOP',
    'QUIT',
  ),
  fc.string({ maxLength: 20 }),
);
const dialogue = fc.array(command, { maxLength: 10 }).map((c) => c.join('\n') + '\n');

describe('scenario API under random input', () => {
  it('answers with data, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(mainCf, tableText, dialogue, fc.array(fc.string({ maxLength: 15 }), { maxLength: 3 }), async (main, table, text, addresses) => {
        const host = memoryHost({
          '/etc/postfix/main.cf': main,
          '/etc/postfix/access': table.join('\n'),
          '/etc/postfix/re': table.join('\n'),
          '/etc/postfix/pcre': table.join('\n'),
          '/etc/postfix/cidr': table.join('\n'),
        });
        const scenario = await openScenario({ host });
        if (scenario.fatal) {
          expect(scenario.fatal.message).not.toMatch(/TypeError|RangeError|undefined is not|at .*\.ts:/);
          return;
        }
        const played = await scenario.play(text);
        expect(played && 'session' in played && played.session.exchanges.length).toBeGreaterThan(0);
        const resolved = await scenario.resolve('root', addresses);
        expect(resolved?.addresses.length).toBe(addresses.length);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
