// The page's connections form: a dialogue's `# connection` blocks read as
// settings and written back in place (the text stays the truth), checked
// against the engine's own reader of the same format (parseConnections).
import { describe, expect, it } from 'vitest';
import { parseConnections } from '../../src/engine/index.ts';
import { addConnection, connectionText, readConnections, removeConnection, setConnectionField, withConnection } from '../../src/ui/state/connections-form.ts';
import { writeSender } from '../../src/ui/state/dialogue-form.ts';

const D = `# two visits of one client
# connection client=203.0.113.7 at=0
# pregreet: EHLO x\\r\\n
EHLO a.example
QUIT
# connection client=203.0.113.7,mail.example.org server=192.0.2.1 at=60
# pipelined
# bare-newline
EHLO b.example
MAIL FROM:<s@example.org>
QUIT
`;

/** What the engine reads: client, name, server, at, pregreet, pipelined, bare newline, lines. */
const engine = (text: string) =>
  parseConnections(text).connections.map((c) => [c.client, c.name, c.server, c.at, c.pregreet, c.pipelined, c.bareNewline, c.lines]);

describe('readConnections', () => {
  it('reads each connection as written, with the line of its header', () => {
    const r = readConnections(D);
    expect(r.multi).toBe(true);
    expect(r.connections).toEqual([
      { line: 2, client: '203.0.113.7', server: '', at: '0', pregreet: 'EHLO x\\r\\n', pipelined: false, bareNewline: false },
      { line: 6, client: '203.0.113.7,mail.example.org', server: '192.0.2.1', at: '60', pregreet: '', pipelined: true, bareNewline: true },
    ]);
  });
  it('a dialogue without `# connection` lines is one connection, `# client:` its client', () => {
    expect(readConnections('# client: 192.0.2.9\n# pipelined\nQUIT\n')).toEqual({
      multi: false,
      connections: [{ client: '192.0.2.9', server: '', at: '', pregreet: '', pipelined: true, bareNewline: false }],
    });
  });
});

describe('writing connections back', () => {
  it('sets header words in place, in the order client, server, at; the engine reads the same', () => {
    let t = setConnectionField(D, 0, 'at', '5');
    t = setConnectionField(t, 0, 'server', '198.51.100.1');
    expect(t.split('\n')[1]).toBe('# connection client=203.0.113.7 server=198.51.100.1 at=5');
    t = setConnectionField(t, 1, 'at', '');
    expect(t.split('\n')[5]).toBe('# connection client=203.0.113.7,mail.example.org server=192.0.2.1');
    expect(engine(t).map((c) => [c[2], c[3]])).toEqual([
      ['198.51.100.1', 5],
      ['192.0.2.1', undefined],
    ]);
    // Nothing else moved.
    expect(t.split('\n').filter((l) => !l.startsWith('# connection'))).toEqual(D.split('\n').filter((l) => !l.startsWith('# connection')));
  });
  it('the client goes into the header; a `# client:` directive that would override it goes', () => {
    const t = setConnectionField('# connection\n# client: 192.0.2.1\nQUIT\n', 0, 'client', '192.0.2.2');
    expect(t).toBe('# connection client=192.0.2.2\nQUIT\n');
  });
  it('pregreet, pipelined and bare-newline are directive lines, added after the others and removed', () => {
    let t = setConnectionField(D, 0, 'pregreet', 'HELO\\n');
    t = setConnectionField(t, 0, 'pipelined', true);
    expect(connectionText(t, 0)).toBe('# connection client=203.0.113.7 at=0\n# pregreet: HELO\\n\n# pipelined\nEHLO a.example\nQUIT\n');
    t = setConnectionField(t, 1, 'bareNewline', false);
    t = setConnectionField(t, 0, 'pregreet', '');
    expect(engine(t).map((c) => [c[4], c[5], c[6]])).toEqual([
      [undefined, true, false],
      [undefined, true, false],
    ]);
  });
  it('a single connection gets a `# connection` line when a setting needs one', () => {
    expect(setConnectionField('EHLO x\nQUIT\n', 0, 'at', '30')).toBe('# connection at=30\nEHLO x\nQUIT\n');
  });
  it('adds a copy of a connection (its client and lines, not its time), and removes one', () => {
    const t = addConnection(D, 1, '600');
    expect(readConnections(t).connections.map((c) => [c.client, c.server, c.at])).toEqual([
      ['203.0.113.7', '', '0'],
      ['203.0.113.7,mail.example.org', '192.0.2.1', '60'],
      ['203.0.113.7,mail.example.org', '192.0.2.1', '600'],
    ]);
    expect(engine(t)[2]![7]).toEqual(['EHLO b.example', 'MAIL FROM:<s@example.org>', 'QUIT']);
    expect(removeConnection(t, 2)).toBe(D);
    expect(removeConnection('# connection\nQUIT\n', 0)).toBe('# connection\nQUIT\n');
  });
  it('adding to a single dialogue makes it two connections', () => {
    expect(addConnection('EHLO x\nQUIT\n', 0)).toBe('# connection\nEHLO x\nQUIT\n# connection\nEHLO x\nQUIT\n');
  });
  it('the SMTP form edits one connection through withConnection', () => {
    const t = withConnection(D, 1, (block) => writeSender(block, 'new@example.org'));
    expect(t).toBe(D.replace('MAIL FROM:<s@example.org>', 'MAIL FROM:<new@example.org>'));
    expect(
      withConnection(D, 0, (block) => writeSender(block, 'x@example.org'))
        .split('\n')
        .slice(2, 6),
    ).toEqual(['# pregreet: EHLO x\\r\\n', 'EHLO a.example', 'MAIL FROM:<x@example.org>', 'QUIT']);
  });
});
