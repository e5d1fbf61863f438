// The smtpd trace is typed data: each event names what it is about (stage,
// restriction, class, lookup, action, DNS query) and, where a file line
// decided, that file and line. These tests check the simulator's own data
// model; replies are compared with real Postfix by the golden tests.
import { describe, expect, it } from 'vitest';
import { createResolver, createTableCache, loadMainCf, parseDnsFacts, prepareSmtpd, runClient, RESTRICTION_NAMES } from '../../src/engine/index.ts';
import type { SmtpdEvent, SmtpdEventOf } from '../../src/engine/index.ts';
import { RESTRICTION_FAMILIES, RESTRICTIONS } from '../../src/engine/smtpd/restrictions/index.ts';
import { memoryHost } from '../support/memory-host.ts';

async function session(files: Record<string, string>, dialogue: string, dns = '') {
  const host = memoryHost(files);
  const params = loadMainCf(files['/etc/postfix/main.cf']);
  const cache = createTableCache(host, params);
  const resolver = await createResolver(params, { host, cache });
  const cfg = await prepareSmtpd({ host, params, cache, resolver, dns: parseDnsFacts(dns, '/etc/postfix/dns') });
  return runClient(cfg, dialogue, { addr: '192.0.2.9', name: 'client.example' });
}

/** The events of `kind` anywhere under `events`, depth first. */
function all<K extends SmtpdEvent['kind']>(events: readonly SmtpdEvent[], kind: K): SmtpdEventOf<K>[] {
  return events.flatMap((e) => [...(e.kind === kind ? [e as SmtpdEventOf<K>] : []), ...all(e.children ?? [], kind)]);
}

const MAIN = [
  'compatibility_level = 3.6',
  'myhostname = host.example.com',
  'alias_maps =',
  'local_recipient_maps =',
  'smtpd_restriction_classes = strict',
  'strict = warn_if_reject, check_sender_access inline:{{a@bad.example=REJECT no}}',
  'smtpd_sender_restrictions = strict',
  'smtpd_recipient_restrictions = texthash:/etc/postfix/access, reject',
  '',
].join('\n');
const ACCESS = '# recipients\nok@host.example.com OK\nrcpt@host.example.com PREPEND X-Test: yes\n';

describe('the typed smtpd trace', () => {
  it('names the stage, its main.cf line, the class, the restrictions and their verdicts', async () => {
    const r = await session(
      { '/etc/postfix/main.cf': MAIN, '/etc/postfix/access': ACCESS },
      'HELO client.example\nMAIL FROM:<a@bad.example>\nRCPT TO:<rcpt@host.example.com>\nQUIT\n',
    );
    const rcpt = r.trace.find((e) => e.kind === 'command' && e.verb === 'RCPT') as SmtpdEventOf<'command'>;
    expect(rcpt.line).toBe('RCPT TO:<rcpt@host.example.com>');
    expect(rcpt.reply).toEqual(r.exchanges.find((x) => x.client === rcpt.line)!.server);
    const stages = all([rcpt], 'stage');
    expect(stages.map((s) => [s.stage, s.parameter, s.source?.line])).toEqual([
      ['sender', 'smtpd_sender_restrictions', 7],
      ['relay', 'smtpd_relay_restrictions', undefined],
      ['recipient', 'smtpd_recipient_restrictions', 8],
    ]);
    // The sender stage: class `strict` (main.cf line 6), warn_if_reject, then the access table rejects only with a warning.
    const [cls] = all(stages[0]!.children!, 'class');
    expect(cls).toMatchObject({ name: 'strict', restrictions: ['warn_if_reject', 'check_sender_access', 'inline:{{a@bad.example=REJECT no}}'] });
    expect(cls!.source).toEqual({ file: '/etc/postfix/main.cf', line: 6 });
    const inClass = all(cls!.children!, 'restriction');
    expect(inClass.map((e) => [e.name, e.arg, e.warnIfReject, e.verdict])).toEqual([
      ['warn_if_reject', undefined, undefined, undefined],
      ['check_sender_access', 'inline:{{a@bad.example=REJECT no}}', true, 'DUNNO'],
    ]);
    expect(all(inClass[1]!.children!, 'action')).toEqual([
      { kind: 'action', action: 'REJECT', text: 'no', effect: 'reject', table: 'inline:{{a@bad.example=REJECT no}}' },
    ]);
    // The recipient stage: a bare table is check_recipient_access; the rule that answered is line 3 of the table.
    const [bare] = all(stages[2]!.children!, 'restriction');
    expect(bare).toMatchObject({ name: 'check_recipient_access', arg: 'texthash:/etc/postfix/access', bare: true, verdict: 'DUNNO' });
    const found = all(bare!.children!, 'lookup').find((l) => l.status === 'found')!;
    expect(found).toMatchObject({ key: 'rcpt@host.example.com', value: 'PREPEND X-Test: yes', source: { file: '/etc/postfix/access', line: 3 } });
    expect(all(bare!.children!, 'action')).toEqual([
      { kind: 'action', action: 'PREPEND', text: 'X-Test: yes', effect: 'prepend', table: 'texthash:/etc/postfix/access' },
    ]);
    // `reject` follows and rejects: its verdict carries the reply the client got.
    const reject = all(stages[2]!.children!, 'restriction')[1]!;
    expect(reject).toMatchObject({ name: 'reject', verdict: 'REJECT', reply: rcpt.reply[0] });
    expect(stages[2]).toMatchObject({ verdict: 'REJECT', reply: rcpt.reply[0] });
  });

  it('names the DNS facts line that answered a query', async () => {
    const main = 'compatibility_level = 3.6\nmyhostname = host.example.com\nalias_maps =\nsmtpd_client_restrictions = reject_rbl_client rbl.example\n';
    const r = await session(
      { '/etc/postfix/main.cf': main },
      'HELO c.example\nMAIL FROM:<a@b.example>\nRCPT TO:<x@host.example.com>\n',
      '; a list\n9.2.0.192.rbl.example A 127.0.0.2\n',
    );
    const rbl = all(r.trace, 'restriction').find((e) => e.name === 'reject_rbl_client')!;
    expect(rbl).toMatchObject({ arg: 'rbl.example', verdict: 'REJECT' });
    expect(all(rbl.children!, 'dns')[0]).toEqual({
      kind: 'dns',
      name: '9.2.0.192.rbl.example',
      type: 'A',
      status: 'ok',
      answer: ['127.0.0.2'],
      source: { file: '/etc/postfix/dns', line: 2 },
    });
  });

  it('is empty when the session runs without a trace', async () => {
    const host = memoryHost({ '/etc/postfix/main.cf': MAIN, '/etc/postfix/access': ACCESS });
    const params = loadMainCf(MAIN);
    const cache = createTableCache(host, params);
    const cfg = await prepareSmtpd({ host, params, cache, resolver: await createResolver(params, { host, cache }) });
    expect(runClient(cfg, 'HELO x\nQUIT\n', { addr: '192.0.2.9' }, { trace: false }).trace).toEqual([]);
  });
});

describe('smtpd that dies', () => {
  it('dies before its banner when a class names itself in the client restrictions and smtpd_delay_reject = no', async () => {
    const main = [
      'compatibility_level = 3.6',
      'myhostname = host.example.com',
      'smtpd_delay_reject = no',
      'smtpd_restriction_classes = loop',
      'loop = loop',
      'smtpd_client_restrictions = loop',
      '',
    ].join('\n');
    const r = await session({ '/etc/postfix/main.cf': main }, 'HELO client.example\nQUIT\n');
    // The client sees the connection close without a banner; master logs the signal, as for a crash during a command.
    expect(r.exchanges).toEqual([{ server: [] }]);
    expect(r.crashed).toMatch(/^restriction class loop reaches itself: loop -> loop/);
    expect(r.log.at(-1)).toEqual({ program: 'postfix/master', text: 'warning: process /usr/lib/postfix/sbin/smtpd pid 0 killed by signal 11' });
    expect(r.trace.map((e) => [e.kind, e.kind === 'session' ? e.event : undefined])).toEqual([
      ['session', 'connect'],
      ['session', 'crash'],
    ]);
  });
});

describe('the restriction table', () => {
  it('lists each restriction in one family only', () => {
    const perFamily = RESTRICTION_FAMILIES.reduce((n, family) => n + Object.keys(family).length, 0);
    expect(RESTRICTIONS.size).toBe(perFamily);
    expect(new Set(RESTRICTION_NAMES).size).toBe(RESTRICTION_NAMES.length);
  });
  it('knows the restrictions of postconf(5) that the simulator models', () => {
    // The names smtpd_check.c tests in generic_checks() (Postfix 3.7), besides classes.
    const postfix = `
      warn_if_reject permit defer reject reject_unauth_pipelining check_policy_service defer_if_permit
      defer_if_reject sleep reject_plaintext_session reject_unknown_client_hostname reject_unknown_client
      reject_unknown_reverse_client_hostname permit_inet_interfaces permit_mynetworks check_client_access
      check_reverse_client_hostname_access reject_maps_rbl reject_rbl_client reject_rbl permit_dnswl_client
      reject_rhsbl_client permit_rhswl_client reject_rhsbl_reverse_client check_ccert_access check_sasl_access
      check_client_ns_access check_client_mx_access check_client_a_access check_reverse_client_hostname_ns_access
      check_reverse_client_hostname_mx_access check_reverse_client_hostname_a_access check_helo_access reject_invalid_helo_hostname
      reject_invalid_hostname reject_unknown_helo_hostname reject_unknown_hostname permit_naked_ip_address
      reject_non_fqdn_helo_hostname reject_non_fqdn_hostname reject_rhsbl_helo check_helo_ns_access
      check_helo_mx_access check_helo_a_access check_sender_access reject_unknown_address
      reject_unknown_sender_domain reject_unverified_sender reject_non_fqdn_sender
      reject_authenticated_sender_login_mismatch reject_known_sender_login_mismatch
      reject_unauthenticated_sender_login_mismatch reject_sender_login_mismatch reject_rhsbl_sender
      check_sender_ns_access check_sender_mx_access check_sender_a_access reject_unlisted_sender
      check_recipient_access permit_mx_backup permit_auth_destination reject_unauth_destination
      defer_unauth_destination check_relay_domains permit_sasl_authenticated permit_tls_all_clientcerts
      permit_tls_clientcerts reject_unknown_recipient_domain reject_non_fqdn_recipient reject_rhsbl_recipient
      check_recipient_ns_access check_recipient_mx_access check_recipient_a_access check_recipient_maps
      reject_unlisted_recipient reject_multi_recipient_bounce reject_unverified_recipient check_etrn_access
    `
      .trim()
      .split(/\s+/);
    expect([...RESTRICTION_NAMES].sort()).toEqual([...postfix].sort());
  });
  it('takes the arguments each restriction needs from the list', () => {
    const args = Object.fromEntries([...RESTRICTIONS].filter(([, e]) => e.arg).map(([name, e]) => [name, e.arg]));
    expect(args).toMatchObject({ check_client_access: 'table', check_policy_service: 'server', sleep: 'number', reject_rbl_client: 'domain' });
    expect(args['permit_mynetworks']).toBeUndefined();
  });
});
