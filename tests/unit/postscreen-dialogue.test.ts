/*
 * The `# connection` dialogue format: the simulator's parser
 * (src/engine/connections/dialogue.ts) against the recorder's
 * (scripts/golden/postscreen-format.mjs) on every golden dialogue, and
 * the rules of the format on small examples.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnections } from '../../src/engine/connections/dialogue.ts';
import { parseConnections as recorderParse } from '../../scripts/golden/postscreen-format.mjs';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'postscreen');
const files = existsSync(GOLDEN)
  ? readdirSync(GOLDEN).flatMap((g) =>
      existsSync(join(GOLDEN, g, 'dialogues')) ? readdirSync(join(GOLDEN, g, 'dialogues')).map((f) => join(GOLDEN, g, 'dialogues', f)) : [],
    )
  : [];

describe('the simulator reads golden dialogues as the recorder plays them', () => {
  it.each(files)('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    const ours = parseConnections(text, file);
    expect(ours.diagnostics).toEqual([]);
    expect(ours.connections).toEqual(recorderParse(text, file));
  });
  it('there are golden dialogues', () => expect(files.length).toBeGreaterThan(50));
});

describe('parseConnections', () => {
  it('a dialogue without "# connection" lines is one connection, as today', () => {
    const d = parseConnections('# client: 192.0.2.1\n# pipelined\nEHLO x\nQUIT\n');
    expect(d.multi).toBe(false);
    expect(d.connections).toEqual([
      { client: '192.0.2.1', server: '127.0.0.1', pipelined: true, bareNewline: false, comments: [], lines: ['EHLO x', 'QUIT'], line: 1 },
    ]);
  });
  it('reads client, name, server and at', () => {
    const d = parseConnections('# a comment\n# connection client=192.0.2.1,mail.example.org server=192.0.2.25\nQUIT\n# connection at=3.5\nQUIT\n');
    expect(d.multi).toBe(true);
    expect(d.connections.map((c) => [c.client, c.name, c.server, c.at, c.line])).toEqual([
      ['192.0.2.1', 'mail.example.org', '192.0.2.25', undefined, 2],
      ['127.0.0.1', undefined, '127.0.0.1', 3.5, 4],
    ]);
  });
  it('unescapes the pregreet text and joins several pregreet lines', () => {
    const d = parseConnections('# connection\n# pregreet: EHLO a\\r\\n\n# pregreet: \\t\\\\x\nQUIT\n');
    expect(d.connections[0]!.pregreet).toBe('EHLO a\r\n\t\\x');
  });
  it('bad input gives located diagnostics, never an exception', () => {
    const d = parseConnections('junk\n# connection at=soon port=9\n# pregreet: \\q\n# connection at=1\n# connection at=0.5\n', 'd.smtp');
    expect(d.diagnostics.map((x) => x.message)).toEqual([
      'd.smtp, line 1: text before the first "# connection" line is ignored',
      'd.smtp, line 2: at= needs a number of seconds, got "soon"',
      'd.smtp, line 2: expected client=ADDR[,NAME], server=ADDR or at=SECONDS, got "port=9"',
      'd.smtp, line 3: pregreet: bad escape "\\q" (use \\r, \\n, \\t or \\\\)',
      "d.smtp, line 5: at=0.5 is earlier than a previous connection's at=: ignored",
    ]);
    expect(d.connections.map((c) => c.at)).toEqual([undefined, 1, undefined]);
  });
  it('"# bare-newline" and lines after the leading comments', () => {
    const d = parseConnections('# connection\n# bare-newline\nEHLO x\n# sent as a command\n');
    expect(d.connections[0]).toMatchObject({ bareNewline: true, lines: ['EHLO x', '# sent as a command'] });
  });
});
