// Expectation files: the parser (statements, located diagnostics, never a throw) and judge().
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatch, judge, parseExpectations, parseReply, parseScenarioReadme, replyMatches } from '../../src/engine/index.ts';
import type { AddressExpectation, LookupExpectation, SessionExpectation } from '../../src/engine/index.ts';

const FILE = `# comment
session relay-denied client=203.0.113.5,mail.example.org service=submission pipelined
    => 220 host.example.com ESMTP Postfix
    EHLO mail.example.org                => 250
    MAIL FROM:<a@example.org>            => 250 2.1.0 Ok
    # a comment inside
    RCPT TO:<x@example.net>              => 554 5.7.1 *Relay access denied
    DATA                                 => 354
    Subject: x => y
        continued header

    . => 250 2.0.0 Ok: queued as *
    QUIT

address sales@example.com from=<> final=alice@example.com,<bob@example.com>
    # both are local users
    class=local transport=local:host.example.com status=deliverable (delivers to mailbox)
lookup -f inline:{ a=b, {c = d e} } c => d e
lookup hash:/etc/postfix/access 192.0.2.1 => not found
`;

describe('parseExpectations', () => {
  const parsed = parseExpectations(FILE, 'x.expect');
  it('reads sessions with options, greeting, replies and a message', () => {
    expect(parsed.diagnostics).toEqual([]);
    const s = parsed.items[0] as SessionExpectation;
    expect(s).toMatchObject({ kind: 'session', line: 2, name: 'relay-denied', service: 'submission', pipelined: true });
    expect(s.client).toEqual({ addr: '203.0.113.5', name: 'mail.example.org' });
    expect(s.greeting).toEqual({ line: 3, expect: { code: '220', text: 'host.example.com ESMTP Postfix', source: '220 host.example.com ESMTP Postfix' } });
    expect(s.lines.map((l) => [l.line, l.text, l.message ?? false, l.expect?.source])).toEqual([
      [4, 'EHLO mail.example.org', false, '250'],
      [5, 'MAIL FROM:<a@example.org>', false, '250 2.1.0 Ok'],
      [7, 'RCPT TO:<x@example.net>', false, '554 5.7.1 *Relay access denied'],
      [8, 'DATA', false, '354'],
      [9, 'Subject: x => y', true, undefined],
      [10, '    continued header', true, undefined],
      [11, '', true, undefined],
      [12, '.', false, '250 2.0.0 Ok: queued as *'],
      [13, 'QUIT', false, undefined],
    ]);
  });
  it('reads addresses with continuation lines, keys and text', () => {
    const a = parsed.items[1] as AddressExpectation;
    expect(a).toEqual({
      kind: 'address',
      line: 15,
      address: 'sales@example.com',
      sender: '',
      final: ['alice@example.com', 'bob@example.com'],
      checks: { class: 'local', transport: 'local', nexthop: 'host.example.com', status: 'deliverable', text: 'delivers to mailbox' },
    });
  });
  it('reads lookups: -f, a map with braces and spaces, a key, a value or not found', () => {
    expect(parsed.items[2] as LookupExpectation).toEqual({ kind: 'lookup', line: 18, map: 'inline:{ a=b, {c = d e} }', key: 'c', noFold: true, value: 'd e' });
    expect(parsed.items[3] as LookupExpectation).toEqual({ kind: 'lookup', line: 19, map: 'hash:/etc/postfix/access', key: '192.0.2.1', noFold: false });
  });

  it('reports bad lines with file and line, and keeps the good ones', () => {
    const bad = parseExpectations(
      [
        'frobnicate x',
        'session',
        'session s1 colour=blue',
        'session s2',
        '    EHLO x => 2500',
        '    # client: 192.0.2.1',
        '    BDAT 10 LAST',
        '    MAIL FROM:<> =>',
        'address a@b.example wibble',
        'address a@b.example class=remote',
        'address a@b.example',
        'lookup hash:/etc/postfix/x',
        'lookup nomap key => v',
        'lookup hash:/etc/postfix/x  => v',
        'session s3',
        '    EHLO x => 250',
        'session s3',
        '    QUIT => 221',
      ].join('\n'),
      'bad.expect',
    );
    expect(bad.diagnostics.map((d) => `${d.file}:${d.line}: ${d.severity}: ${d.message}`)).toEqual([
      'bad.expect:1: error: unknown statement "frobnicate": expected session, address or lookup',
      'bad.expect:2: error: a session needs a name: session NAME [client=ADDR] ...',
      'bad.expect:3: error: unknown session option "colour=blue": expected client=, service=, tls, ccert=, ccert-verified or pipelined',
      'bad.expect:5: error: expected a reply code (250, 5xx ...), not "2500"',
      'bad.expect:6: warning: "# client: 192.0.2.1" is a comment here: write it on the session line (client=ADDR, pipelined)',
      'bad.expect:7: error: BDAT is not supported: use DATA',
      'bad.expect:8: error: nothing after "=>": expected a reply code',
      'bad.expect:4: warning: session "s2" expects nothing: add "=> CODE" to a command',
      'bad.expect:9: error: expected key=value or (text), not "wibble"',
      'bad.expect:10: error: unknown address class "remote": expected local, virtual_alias, virtual_mailbox, relay, default',
      'bad.expect:11: error: nothing expected of a@b.example: add final=, class=, transport=, status= ...',
      'bad.expect:12: error: expected: lookup TYPE:NAME KEY => VALUE (or => not found)',
      'bad.expect:13: error: expected a table TYPE:NAME, not "nomap"',
      'bad.expect:14: error: no key to look up in hash:/etc/postfix/x',
      'bad.expect:17: error: session "s3" is defined twice in this file',
    ]);
    expect(bad.items.map((i) => i.kind)).toEqual(['session', 'session', 'session']);
    expect(parseExpectations('  indented first\nlookup x:y k => v', 'f').diagnostics).toEqual([
      { severity: 'error', message: 'indented line outside a statement (session, address or lookup)', file: 'f', line: 1 },
    ]);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom('session s', '    DATA', '    .', '    => 220', 'address a', 'lookup x:y k => v', '  ', '#'), fc.string()), {
          maxLength: 30,
        }),
        (lines) => {
          const r = parseExpectations(lines.join('\n'), 'f');
          expect(r.diagnostics.every((d) => d.file === 'f' && typeof d.line === 'number')).toBe(true);
        },
      ),
    );
  });
});

describe('replies', () => {
  const ehlo = ['250-host.example.com', '250-PIPELINING', '250 CHUNKING'];
  const reject = ['554 5.7.1 <x@example.net>: Relay access denied'];
  const cases: [string, readonly string[], boolean][] = [
    ['250', ehlo, true],
    ['2xx', ehlo, true],
    ['250 PIPELINING', ehlo, true],
    ['250 STARTTLS', ehlo, false],
    ['554', reject, true],
    ['5xx 5.7.1', reject, true],
    ['554 5.7.2', reject, false],
    ['454', reject, false],
    ['554 5.7.1 <x@example.net>: Relay access denied', reject, true],
    ['554 5.7.1 Relay access denied', reject, false],
    ['554 5.7.1 *Relay access denied', reject, true],
    ['554 <x@example.net>: Relay access denied', reject, true],
    ['554 5.7.1 <x@example.net>: Relay access denied', [], false],
  ];
  for (const [pattern, reply, want] of cases)
    it(`${pattern} ${want ? 'matches' : 'does not match'} ${reply.join(' / ') || 'no reply'}`, () => {
      const p = parseReply(pattern);
      expect(typeof p).toBe('object');
      expect(replyMatches(p as Exclude<typeof p, string>, reply)).toBe(want);
    });
  it('refuses a DSN of another class than the code', () => expect(parseReply('554 4.7.1')).toMatch(/does not go with/));
  it('globs only with *', () => {
    expect(globMatch('a.c', 'abc')).toBe(false);
    expect(globMatch('a*c', 'abbbc')).toBe(true);
    expect(globMatch('(x)', '(x)')).toBe(true);
  });
});

describe('judge', () => {
  const file = parseExpectations(FILE, 'x.expect');
  const session = file.items[0]!;
  it('maps replies to commands, the message to one reply after 354', () => {
    const replies = [
      ['220 host.example.com ESMTP Postfix'],
      ['250-host.example.com', '250 CHUNKING'],
      ['250 2.1.0 Ok'],
      ['554 5.7.1 <x@example.net>: Relay access denied'],
      ['354 End data with <CR><LF>.<CR><LF>'],
      ['250 2.0.0 Ok: queued as Q1'],
      ['221 2.0.0 Bye'],
    ];
    const results = judge('x.expect', session, { kind: 'session', replies });
    expect(results.map((r) => [r.line, r.pass])).toEqual([
      [3, true],
      [4, true],
      [5, true],
      [7, true],
      [8, true],
      [12, true],
    ]);
  });
  it('fails what differs and says what came instead; a missing reply says why', () => {
    const replies = [['220 host.example.com ESMTP Postfix'], ['250 host.example.com'], ['250 2.1.0 Ok'], ['454 4.7.1 <x@example.net>: Relay access denied']];
    const results = judge('x.expect', session, { kind: 'session', replies, error: 'smtpd died' });
    expect(results.filter((r) => !r.pass).map((r) => [r.line, r.expected, r.got])).toEqual([
      [7, '554 5.7.1 *Relay access denied', '454 4.7.1 <x@example.net>: Relay access denied'],
      [8, '354', 'no reply (smtpd died)'],
      [12, '250 2.0.0 Ok: queued as *', 'no reply (smtpd died)'],
    ]);
  });
  it('after a DATA that is not answered 354 the message lines are commands', () => {
    // Expected to fail (503): the next lines are parsed as commands.
    const s = parseExpectations('session s\n    DATA => 503\n    QUIT => 221\n    . => 250\n', 'f').items[0]!;
    const results = judge('f', s, { kind: 'session', replies: [['220 x'], ['503 5.5.1 Error: need RCPT command'], ['221 2.0.0 Bye']] });
    expect(results.map((r) => [r.line, r.pass, r.got])).toEqual([
      [2, true, '503 5.5.1 Error: need RCPT command'],
      [3, true, '221 2.0.0 Bye'],
      [4, false, 'no reply (the connection was closed)'],
    ]);
    // Not given: a DATA is followed by its message, which gets one reply after 354.
    const m = parseExpectations('session s\n    DATA\n    QUIT => 221\n    . => 250\n', 'f').items[0]!;
    const sent = judge('f', m, { kind: 'session', replies: [['220 x'], ['354 go ahead'], ['250 2.0.0 Ok: queued as Q1']] });
    expect(sent.map((r) => [r.line, r.pass])).toEqual([[4, true]]);
  });
  it('checks final recipients as a set, `to=` picks one, other keys hold for every one', () => {
    const a = file.items[1]!;
    const final = [
      { to: 'bob@example.com', class: 'local', transport: 'local', nexthop: 'host.example.com', status: 'deliverable', text: 'delivers to mailbox' },
      { to: 'alice@example.com', class: 'local', transport: 'local', nexthop: 'host.example.com', status: 'deliverable', text: 'delivers to mailbox' },
    ];
    expect(judge('x', a, { kind: 'address', final })[0]!.pass).toBe(true);
    const moved = [final[0]!, { ...final[1]!, nexthop: 'elsewhere.example' }];
    const r = judge('x', a, { kind: 'address', final: moved })[0]!;
    expect(r.pass).toBe(false);
    expect(r.got).toContain('to=<alice@example.com> class=local transport=local nexthop=elsewhere.example');
    expect(judge('x', a, { kind: 'address', final: [final[0]!] })[0]!.got).toBe('final=bob@example.com');
    const one = parseExpectations('address s@x.example to=bob@example.com relay=local', 'f').items[0]!;
    expect(judge('f', one, { kind: 'address', final: [{ to: 'bob@example.com', relay: 'local' }] })[0]!.pass).toBe(true);
    expect(judge('f', one, { kind: 'address', final: [{ to: 'bob@example.com' }] })[0]!.got).toContain('relay=(not observed)');
    expect(judge('f', one, { kind: 'address', final: [], error: 'cleanup: refused' })[0]).toMatchObject({ pass: false, got: 'cleanup: refused' });
  });
  it('checks lookups: value, not found, error', () => {
    const [found, notFound] = [file.items[2]!, file.items[3]!];
    expect(judge('x', found, { kind: 'lookup', status: 'found', value: 'd e' })[0]!.pass).toBe(true);
    expect(judge('x', found, { kind: 'lookup', status: 'found', value: 'd' })[0]!.pass).toBe(false);
    expect(judge('x', notFound, { kind: 'lookup', status: 'notfound' })[0]!.pass).toBe(true);
    expect(judge('x', notFound, { kind: 'lookup', status: 'error', error: 'open database x.db' })[0]).toMatchObject({
      pass: false,
      got: 'error: open database x.db',
    });
  });
});

describe('parseScenarioReadme', () => {
  it('reads the title, the summary, the sections and the hints', () => {
    const info = parseScenarioReadme(
      '# Block a client\n\nThe partner\nwas hacked.\n\nMore.\n\n## Task\n\nDo it.\n\n## Hints\n\n- first\n  continued\n- second\n',
    );
    expect(info).toEqual({
      title: 'Block a client',
      summary: 'The partner was hacked.',
      sections: [
        { heading: 'Task', text: 'Do it.' },
        { heading: 'Hints', text: '- first\n  continued\n- second' },
      ],
      hints: ['first continued', 'second'],
    });
    expect(parseScenarioReadme('no title')).toBeUndefined();
  });
});
