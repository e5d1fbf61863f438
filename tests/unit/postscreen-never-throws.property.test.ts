// Property: no configuration value and no dialogue, however malformed, makes
// the postscreen simulation throw or hang: bad settings are postscreen's fatal
// errors, bad dialogue lines are diagnostics, and every connection ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadMainCf, parseConnections, parseMasterCf, prepareConnections, runConnections } from '../../src/engine/index.ts';
import { parseDnsFacts } from '../../src/engine/smtpd/index.ts';
import { memoryHost } from '../support/memory-host.ts';

const chars = (set: string, max: number) => fc.array(fc.constantFrom(...set.split('')), { maxLength: max }).map((a) => a.join(''));
const value = chars('abl.xmpe0129[];*=-,{}: \t', 30);
const PARAMS = [
  'postscreen_dnsbl_sites',
  'postscreen_access_list',
  'postscreen_greet_action',
  'postscreen_dnsbl_threshold',
  'postscreen_dnsbl_allowlist_threshold',
  'postscreen_greet_wait',
  'postscreen_greet_ttl',
  'postscreen_pipelining_enable',
  'postscreen_bare_newline_action',
  'postscreen_client_connection_count_limit',
  'postscreen_command_count_limit',
  'postscreen_allowlist_interfaces',
  'postscreen_greet_banner',
];
const settings = fc.array(fc.tuple(fc.constantFrom(...PARAMS), value), { maxLength: 4 });
const good = fc.constantFrom(
  'postscreen_dnsbl_sites = bl.example*2, wl.example=127.0.0.[2..5]*-3',
  'postscreen_pipelining_enable = yes',
  'postscreen_non_smtp_command_enable = yes\npostscreen_non_smtp_command_action = enforce',
  'postscreen_access_list = permit_mynetworks, cidr:/etc/postfix/a.cidr',
  '',
);
const line = fc.oneof(
  chars('EHLO MAIL FROM:<a@b> RCPT TO QUIT DATA GET / Subject: x\\r\\n\t.', 40),
  fc.constantFrom(
    '# connection',
    '# connection client=127.0.0.9 at=2',
    '# connection at=x',
    '# pregreet: EHLO x\\r\\n',
    '# pipelined',
    '# bare-newline',
    'QUIT',
  ),
);
const dialogue = fc.array(line, { maxLength: 12 }).map((l) => l.join('\n') + '\n');

describe('postscreen never throws', () => {
  it('random settings and dialogues', async () => {
    await fc.assert(
      fc.asyncProperty(good, settings, dialogue, async (base, extra, text) => {
        const mainText = ['compatibility_level = 3.6', 'mynetworks = 127.0.0.1/32', base, ...extra.map(([k, v]) => `${k} = ${v}`)].join('\n') + '\n';
        const master = parseMasterCf('smtp inet n - y - 1 postscreen\nsmtpd pass - - y - - smtpd\n');
        const host = memoryHost({ '/etc/postfix/a.cidr': '127.0.0.9 reject\n' });
        const dns = parseDnsFacts('9.0.0.127.bl.example A 127.0.0.2\n');
        const prepared = await prepareConnections({ host, main: loadMainCf(mainText), master, dns });
        const parsed = parseConnections(text);
        const { connections } = runConnections(prepared, parsed);
        expect(connections.length).toBe(parsed.connections.length);
        for (const c of connections) {
          expect(Array.isArray(c.exchanges)).toBe(true);
          if (!c.fatal) expect(c.postscreen?.outcome).toMatch(/^(handed-off|disconnected|dropped|hung up)$/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
