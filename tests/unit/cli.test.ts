// The built command and the library entry, as a user runs them (npm test builds dist-lib first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [join(root, 'bin', 'postfix-sim.js'), ...args], { input, encoding: 'utf8', cwd: root });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'postfix-sim-cli-'));
  writeFileSync(join(dir, 'access'), 'Example.com REJECT no thanks\nfoo OK\nfoo DUP\n');
});

describe('postfix-sim postmap', () => {
  it('maps /etc/postfix/ to -c DIR and folds the key', () => {
    const r = run(['postmap', '-c', dir, '-q', 'EXAMPLE.COM', 'hash:/etc/postfix/access']);
    expect([r.stdout, r.stderr, r.status]).toEqual(['REJECT no thanks\n', '', 0]);
  });
  it('exits 1 on not found, printing nothing', () => {
    const r = run(['postmap', '-c', dir, '-q', 'nope', 'hash:/etc/postfix/access']);
    expect([r.stdout, r.stderr, r.status]).toEqual(['', '', 1]);
  });
  it('answers keys from stdin as key<TAB>value lines', () => {
    const r = run(['postmap', '-c', dir, '-q', '-', 'hash:/etc/postfix/access'], 'foo\nnope\nexample.com\n');
    expect([r.stdout, r.status]).toEqual(['foo\tOK\nexample.com\tREJECT no thanks\n', 0]);
  });
  it('prints build-time warnings without -q', () => {
    const r = run(['postmap', '-c', dir, 'hash:/etc/postfix/access']);
    expect([r.stderr, r.status]).toEqual(['postmap: warning: /etc/postfix/access.db: duplicate entry: "foo"\n', 0]);
  });
  it('reports fatal errors as postmap does', () => {
    const r = run(['postmap', '-c', dir, '-q', 'x', 'hash:/etc/postfix/missing']);
    expect([r.stderr, r.status]).toEqual(['postmap: fatal: open database /etc/postfix/missing.db: No such file or directory\n', 1]);
    const u = run(['postmap', '-x']);
    expect(u.stderr).toContain('postmap: fatal: usage: postmap');
  });
  it('rejects an unknown command', () => {
    expect(run(['frobnicate']).status).toBe(2);
  });
});

describe('the library entry', () => {
  it('is importable as postfix-sim (its types are checked by tests/support/library-consumer.ts)', () => {
    const code = `import { openTable } from 'postfix-sim';
      const t = await openTable('inline:{a=1}', { host: { readFile: () => undefined } });
      console.log(JSON.stringify(t.lookup('A')));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: root });
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'found', value: '1' });
  });
});
