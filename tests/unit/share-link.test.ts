// Share links: a workspace in a URL fragment and back, exactly; old links keep opening.
//
// tests/fixtures/ui/share-link-v1.txt is a link written by format 1 and committed: whatever the
// page's format becomes, that text must keep opening to the workspace below. (It was written once
// with WRITE_LINK_FIXTURE=1 npx vitest run tests/unit/share-link.test.ts; never rewrite it for a
// new format: add a new fixture beside it.)
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { LINK_VERSION, decodeLink, encodeLink, fromBase64Url, toBase64Url } from '../../src/ui/share/link.ts';
import type { LinkState } from '../../src/ui/share/link.ts';
import { addressHash, readAddress, readHash } from '../../src/ui/share/address.ts';
import { emptyWorkspace, normalizeWorkspace } from '../../src/ui/state/types.ts';
import { elementLink } from '../../src/ui/element/encode.ts';

const FIXTURE = new URL('../fixtures/ui/share-link-v1.txt', import.meta.url);

const MAIN_CF = `# shared from the office
myhostname = mx.example.com
mynetworks = 192.0.2.0/24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_alias_maps = sqlite:/etc/postfix/virtual.cf
`;

async function fixtureState(): Promise<LinkState> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.exec("CREATE TABLE virtual (src TEXT, dest TEXT); INSERT INTO virtual VALUES ('info@example.com', 'alice@example.com');");
  const bytes = db.export();
  db.close();
  return {
    name: 'office relay',
    panes: { results: 'trace' },
    workspace: {
      ...emptyWorkspace(),
      files: [
        { path: '/etc/postfix/main.cf', text: MAIN_CF },
        { path: '/etc/postfix/virtual.cf', text: "dbpath = /etc/postfix/virtual.sqlite\nquery = SELECT dest FROM virtual WHERE src = '%s'\n" },
        { path: '/etc/postfix/virtual.sqlite', bytes },
        { path: '/etc/postfix/dns', text: 'mail.stranger.example A 203.0.113.5\n5.113.0.203.in-addr.arpa PTR mail.stranger.example\n' },
      ],
      sessions: [
        {
          name: 'stranger',
          dialogue: 'EHLO mail.stranger.example\nMAIL FROM:<eve@stranger.example>\nRCPT TO:<someone@example.net>\nQUIT\n',
          clientAddr: '203.0.113.5',
          clientName: '',
          service: 'smtp',
          tls: false,
          ccertFingerprint: '',
          ccertPkeyFingerprint: '',
          ccertVerified: false,
        },
        {
          name: 'office',
          dialogue: 'EHLO pc.example.com\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.net>\nQUIT\n',
          clientAddr: '192.0.2.25',
          clientName: '',
          service: 'submission',
          tls: true,
          ccertFingerprint: '',
          ccertPkeyFingerprint: '',
          ccertVerified: false,
        },
      ],
      session: 1,
      lookup: { spec: 'sqlite:/etc/postfix/virtual.cf', key: 'info@example.com', noFold: false, consumer: 'virtual' },
      resolve: { sender: 'root', addresses: 'info@example.com\n' },
      view: 'resolve',
      open: ['/etc/postfix/main.cf', '/etc/postfix/dns'],
      active: '/etc/postfix/dns',
    },
  };
}

describe('share links', () => {
  it('round-trip a workspace exactly, SQLite bytes included, and encode deterministically', async () => {
    const state = await fixtureState();
    const text = encodeLink(state);
    expect(text.startsWith(`${LINK_VERSION}.`)).toBe(true);
    expect(text).toMatch(/^\d+\.[A-Za-z0-9_-]+$/);
    const back = decodeLink(text);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.state).toEqual({ ...state, workspace: normalizeWorkspace(state.workspace) });
    expect(encodeLink(back.state)).toBe(text);
  });

  it('a committed version-1 link still opens to the same workspace', async () => {
    if (process.env.WRITE_LINK_FIXTURE === '1') writeFileSync(FIXTURE, encodeLink(await fixtureState()) + '\n');
    const text = readFileSync(FIXTURE, 'utf8').trim();
    expect(text.startsWith('1.')).toBe(true);
    const back = decodeLink(text);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const w = back.state.workspace;
    expect(back.state.name).toBe('office relay');
    expect(back.state.panes).toEqual({ results: 'trace' });
    expect(w.files.map((f) => f.path)).toEqual(['/etc/postfix/main.cf', '/etc/postfix/virtual.cf', '/etc/postfix/virtual.sqlite', '/etc/postfix/dns']);
    expect(w.files[0]!.text).toBe(MAIN_CF);
    expect(w.sessions.map((s) => [s.name, s.clientAddr, s.service, s.tls])).toEqual([
      ['stranger', '203.0.113.5', 'smtp', false],
      ['office', '192.0.2.25', 'submission', true],
    ]);
    expect([w.session, w.view, w.active, w.lookup.consumer, w.resolve.addresses]).toEqual([1, 'resolve', '/etc/postfix/dns', 'virtual', 'info@example.com\n']);
    // The database is the database: SQLite opens it and answers.
    const SQL = await initSqlJs();
    const db = new SQL.Database(w.files[2]!.bytes);
    expect(db.exec("SELECT dest FROM virtual WHERE src = 'info@example.com'")[0]?.values).toEqual([['alice@example.com']]);
    db.close();
  });

  it('say what is wrong with a broken link instead of throwing', () => {
    const good = encodeLink({ workspace: emptyWorkspace() });
    expect(decodeLink('')).toMatchObject({ ok: false, error: expect.stringContaining('no version') });
    expect(decodeLink('9.abc')).toMatchObject({ ok: false, error: expect.stringContaining('newer postfix-sim') });
    expect(decodeLink('1.***')).toMatchObject({ ok: false, error: expect.stringContaining('not base64url') });
    expect(decodeLink(good.slice(0, good.length - 12))).toMatchObject({ ok: false });
    expect(decodeLink(`1.${toBase64Url(new TextEncoder().encode('not deflate at all'))}`)).toMatchObject({ ok: false });
  });

  it('base64url round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it("the custom element's links open in the page (the same format, made with CompressionStream)", async () => {
    const text = await elementLink({
      files: [{ path: '/etc/postfix/main.cf', text: MAIN_CF }],
      sessions: [{ name: 'from the docs', dialogue: 'EHLO x\nQUIT\n', clientAddr: '203.0.113.5', clientName: 'mail.example.org' }],
      view: 'smtpd',
    });
    const back = decodeLink(text);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.state.workspace.files).toEqual([{ path: '/etc/postfix/main.cf', text: MAIN_CF }]);
    expect(back.state.workspace.sessions[0]).toMatchObject({
      name: 'from the docs',
      clientAddr: '203.0.113.5',
      clientName: 'mail.example.org',
      service: 'smtp',
    });
    expect(back.state.workspace.open).toEqual(['/etc/postfix/main.cf']);
  });
});

describe('the address', () => {
  it('reads the view and the link from the fragment, and writes them back', () => {
    expect(readHash('#resolve')).toEqual({ view: 'resolve' });
    expect(readHash('#smtpd&w=1.abc')).toEqual({ view: 'smtpd', link: '1.abc' });
    expect(readHash('#w=1.abc')).toEqual({ link: '1.abc' });
    expect(addressHash('lookup', '1.xyz')).toBe('#lookup&w=1.xyz');
    expect(addressHash('tests')).toBe('#tests');
  });

  it('reads the parameters documentation authors write', () => {
    const a = readAddress(
      '?scenario=relay-control&view=resolve&file=main.cf&text=myhostname%20%3D%20x%0A&file=/etc/postfix/access&text=a%20OK&file=empty&session=EHLO%20x%0AQUIT&client=203.0.113.5,mail.example.org&addresses=a@b,c@d&lookup=hash:/etc/postfix/access&key=a&results=trace&embed&readonly&panes=transcript,trace&bogus=1',
      '',
    );
    expect(a).toMatchObject({
      scenario: 'relay-control',
      view: 'resolve',
      files: [
        { path: '/etc/postfix/main.cf', text: 'myhostname = x\n' },
        { path: '/etc/postfix/access', text: 'a OK' },
        { path: '/etc/postfix/empty', text: '' },
      ],
      session: 'EHLO x\nQUIT\n',
      client: { addr: '203.0.113.5', name: 'mail.example.org' },
      addresses: ['a@b', 'c@d'],
      lookup: { spec: 'hash:/etc/postfix/access', key: 'a' },
      results: 'trace',
      embed: true,
      readonly: true,
      panes: ['transcript', 'trace'],
    });
    expect(a.problems).toEqual(['unknown parameter bogus= (see the README, "URL parameters")']);
    expect(readAddress('?view=nowhere&text=x', '').problems).toEqual([
      'view=nowhere: the views are smtpd, resolve, lookup, database, tests',
      'text= without a file= before it',
    ]);
  });
});
