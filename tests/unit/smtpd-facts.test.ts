// DNS, policy and verify facts: the outside world the simulator never queries.
import { describe, expect, it } from 'vitest';
import { parseDnsFacts } from '../../src/engine/dns/facts.ts';
import { parseFacts } from '../../src/engine/smtpd/facts/outside.ts';
import { lookupPeer } from '../../src/engine/smtpd/session/peer.ts';

const ZONE = `; a comment
example.org.        300 IN MX 20 backup.example.org.
example.org.        IN MX 10 mail.example.org.
mail.example.org.   A 192.0.2.1
alias.example.org.  CNAME mail.example.org.
null.example.org.   MX 0 .
broken.example.org. SERVFAIL
txt.example.org.    TXT "two " "strings"
5.2.0.192.in-addr.arpa. PTR mail.example.org.
bad.example.org.    WKS 1
`;

describe('parseDnsFacts', () => {
  const dns = parseDnsFacts(ZONE, 'dns');
  it('sorts MX records by preference', () => {
    const a = dns.lookup('example.org', 'MX');
    expect(a.status).toBe('ok');
    expect(a.records.map((r) => r.data)).toEqual(['mail.example.org', 'backup.example.org']);
  });
  it('follows CNAME records', () => {
    expect(dns.lookup('ALIAS.example.org.', 'A').records.map((r) => r.data)).toEqual(['192.0.2.1']);
  });
  it('knows null MX, SERVFAIL and NXDOMAIN', () => {
    expect(dns.lookup('null.example.org', 'MX').status).toBe('nullmx');
    expect(dns.lookup('broken.example.org', 'A').status).toBe('retry');
    expect(dns.lookup('nothing.example.org', 'A').status).toBe('notfound');
    expect(dns.addresses('broken.example.org')).toBe('retry');
  });
  it('keeps the first string of a TXT record, as Postfix does', () => {
    expect(dns.lookup('txt.example.org', 'TXT').records[0]!.data).toBe('two ');
  });
  it('reports an unknown record type at its line', () => {
    expect(dns.diagnostics).toEqual([expect.objectContaining({ line: 10, message: expect.stringContaining('unknown record type "WKS"') })]);
  });
});

describe('lookupPeer', () => {
  const dns = parseDnsFacts(`${ZONE}6.2.0.192.in-addr.arpa. PTR mail.example.org.\n7.2.0.192.in-addr.arpa. SERVFAIL\n`);
  it('verifies the PTR name with its addresses', () => {
    expect(lookupPeer(dns, '192.0.2.5')).toMatchObject({ name: 'unknown', nameStatus: 'forged', reverseName: 'mail.example.org' });
    expect(lookupPeer(parseDnsFacts('5.2.0.192.in-addr.arpa. PTR h.example.\nh.example. A 192.0.2.5\n'), '192.0.2.5')).toMatchObject({
      name: 'h.example',
      nameStatus: 'ok',
    });
  });
  it('reports temporary and permanent lookup failures', () => {
    expect(lookupPeer(dns, '192.0.2.7')).toMatchObject({ name: 'unknown', nameStatus: 'temp', reverseNameStatus: 'temp' });
    expect(lookupPeer(dns, '192.0.2.8')).toMatchObject({ name: 'unknown', nameStatus: 'perm' });
  });
  it('knows localhost', () => {
    expect(lookupPeer(dns, '127.0.0.1')).toMatchObject({ name: 'localhost', nameStatus: 'ok' });
  });
});

describe('parseFacts', () => {
  const facts = parseFacts(`# facts
policy inet:127.0.0.1:10023 recipient=bad@example.com => REJECT go away
policy inet:127.0.0.1:10023 => DUNNO
verify joe@example.com undeliverable User unknown
verify amy@example.com deliverable
policy nonsense
`);
  it('matches policy facts on request attributes, first match wins', () => {
    const attrs = (rcpt: string) => new Map([['recipient', rcpt]]);
    expect(facts.policyAnswer('inet:127.0.0.1:10023', attrs('BAD@example.com'))?.action).toBe('REJECT go away');
    expect(facts.policyAnswer('inet:127.0.0.1:10023', attrs('ok@example.com'))?.action).toBe('DUNNO');
    expect(facts.policyAnswer('unix:private/other', attrs('x'))).toBeUndefined();
  });
  it('keeps verify results per address', () => {
    expect(facts.verify.get('joe@example.com')).toEqual({ status: 'undeliverable', text: 'User unknown', line: 4 });
  });
  it('reports a malformed line', () => {
    expect(facts.diagnostics).toEqual([expect.objectContaining({ line: 6 })]);
  });
});

describe('ipMatch (the =ADDR filter of reject_rbl_client)', async () => {
  const { ipMatch } = await import('../../src/engine/smtpd/restrictions/dnsxl.ts');
  it('matches octets, ranges and lists', () => {
    expect(ipMatch('127.0.0.[2..11]', '127.0.0.11')).toBe(true);
    expect(ipMatch('127.0.0.[2..11]', '127.0.0.12')).toBe(false);
    expect(ipMatch('127.0.[0;1].[1;3..5]', '127.0.1.4')).toBe(true);
    expect(ipMatch('127.0.0.2', '127.0.0.2')).toBe(true);
    expect(ipMatch('127.0.0', '127.0.0.2')).toBe('bad');
  });
});
