// Bringing /etc/postfix in from archives made by GNU tar, pax tar and zip, and taking it out
// again in a form the system's tar reads.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCommands, exportTarGz, exportZip, looksLikePostconfN, place } from '../../src/ui/state/archive.ts';
import { readTar, writeTar } from '../../src/ui/state/tar.ts';

const fixture = (name: string) => ({ name, bytes: new Uint8Array(readFileSync(new URL(`../fixtures/ui/${name}`, import.meta.url))) });
const LONG = '/etc/postfix/very-long-directory-name-for-testing-gnu-tar-long-names/and-another-long-directory-level/file-with-a-long-name-too.txt';

describe('import', () => {
  for (const name of ['etc-postfix-gnu.tgz', 'etc-postfix-pax.tar.gz', 'postfix.zip']) {
    it(`${name}: every file at its server path, the built .db left out, SQLite kept as bytes`, () => {
      const { files, notes } = place([fixture(name)]);
      const paths = files.map((f) => f.path).sort();
      expect(paths).toEqual([LONG, '/etc/postfix/main.cf', '/etc/postfix/sql/x.cf', '/etc/postfix/transport', '/etc/postfix/x.sqlite'].sort());
      expect(files.find((f) => f.path === '/etc/postfix/transport')?.text).toBe('example.com smtp:[10.0.0.1]\n');
      expect(files.find((f) => f.path === '/etc/postfix/x.sqlite')?.bytes?.subarray(0, 6)).toEqual(new TextEncoder().encode('SQLite'));
      expect(notes).toEqual(['/etc/postfix/transport.db: left out, a table postmap or postalias built; the simulator reads its source']);
    });
  }
  it('loose files go to /etc/postfix; a folder keeps its subdirectories below main.cf', () => {
    const enc = new TextEncoder();
    const { files } = place([
      { name: 'myconf/main.cf', bytes: enc.encode('a = b\n') },
      { name: 'myconf/maps/virtual', bytes: enc.encode('x y\n') },
      { name: 'access', bytes: enc.encode('x OK\n') },
    ]);
    expect(files.map((f) => f.path)).toEqual(['/etc/postfix/main.cf', '/etc/postfix/maps/virtual', '/etc/postfix/access']);
  });
  it('postconf -n output becomes main.cf when there is none', () => {
    const text = 'alias_maps = hash:/etc/aliases\ncompatibility_level = 3.6\nmydestination = $myhostname, localhost\n';
    expect(looksLikePostconfN(text)).toBe(true);
    expect(looksLikePostconfN('# comment\nalias_maps = x\n')).toBe(false);
    expect(looksLikePostconfN('b = 1\na = 2\n')).toBe(false);
    const { files, notes } = place([{ name: 'postconf.txt', bytes: new TextEncoder().encode(text) }]);
    expect(files.map((f) => f.path)).toEqual(['/etc/postfix/main.cf']);
    expect(notes[0]).toContain('postconf -n output');
  });
});

describe('export', () => {
  const files = [
    { path: '/etc/postfix/main.cf', text: 'transport_maps = hash:/etc/postfix/transport\n' },
    { path: '/etc/postfix/transport', text: 'example.com :[10.0.0.1]\n' },
    { path: LONG, text: 'long\n' },
    { path: '/etc/aliases', text: 'postmaster: root\n' },
    { path: '/etc/postfix/x.sqlite', bytes: new Uint8Array([83, 81, 76, 0, 1, 2]) },
  ];
  it('a .tar.gz the system tar lists and extracts byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pfsim-export-'));
    writeFileSync(join(dir, 'x.tgz'), exportTarGz(files, 0));
    const listed = execFileSync('tar', ['-tzf', join(dir, 'x.tgz')], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(listed).toContain('etc/postfix/main.cf');
    expect(listed).toContain(LONG.slice(1));
    execFileSync('tar', ['-C', dir, '-xzf', join(dir, 'x.tgz')]);
    for (const f of files) expect(new Uint8Array(readFileSync(join(dir, f.path)))).toEqual(f.bytes ?? new TextEncoder().encode(f.text!));
  });
  it('round trip: export, import, same files', () => {
    const back = place([{ name: 'x.tgz', bytes: exportTarGz(files) }]).files;
    expect(back.map((f) => [f.path, f.text ?? f.bytes?.length]).sort()).toEqual(files.map((f) => [f.path, f.text ?? f.bytes?.length]).sort());
    expect(
      place([{ name: 'x.zip', bytes: exportZip(files) }])
        .files.map((f) => f.path)
        .sort(),
    ).toEqual(files.map((f) => f.path).sort());
  });
  it('tar: names over 100 bytes survive with a ustar prefix or a GNU long-name record', () => {
    const name = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    expect(readTar(writeTar([{ name, bytes: new Uint8Array([1]) }])).map((e) => e.name)).toEqual([name]);
    expect(readTar(writeTar([{ name: LONG.slice(1), bytes: new Uint8Array([1]) }])).map((e) => e.name)).toEqual([LONG.slice(1)]);
  });
  it('lists the postmap and postalias commands the indexed tables need', () =>
    expect(
      buildCommands([
        { type: 'hash', path: '/etc/postfix/transport', parameter: 'transport_maps' },
        { type: 'hash', path: '/etc/aliases', parameter: 'alias_maps' },
        { type: 'regexp', path: '/etc/postfix/x', parameter: 'header_checks' },
      ]),
    ).toEqual(['postalias hash:/etc/aliases', 'postmap hash:/etc/postfix/transport']));
});
