// Option scanning of the simulator's postconf and postmap (getopt(3) as Postfix calls it):
// grouped letters, attached and separate arguments, `--`, and getopt's complaints before the usage.
import { describe, expect, it } from 'vitest';
import { runPostconf } from '../../src/cli/postconf.ts';
import { runPostmap } from '../../src/cli/postmap.ts';
import type { Host } from '../../src/engine/index.ts';

const files: Record<string, string> = {
  '/etc/postfix/main.cf': 'myhostname = mx.example.com\n',
  '/etc/postfix/access': 'example.com REJECT\n-q OK\n',
};
const host: Host = { readFile: (path) => (path in files ? new TextEncoder().encode(files[path]) : undefined) } as Host;

describe('postconf options', () => {
  it('complains about an unknown letter, then prints the usage', async () => {
    const r = await runPostconf(['-nz'], { host });
    expect([r.stdout, r.stderr, r.status]).toEqual([
      '',
      "postconf: invalid option -- 'z'\npostconf: fatal: usage: postconf [-c config_dir] [-dfhHnx] [-M|-P] [name...]\n",
      1,
    ]);
  });
  it('complains about -c without a directory', async () => {
    const r = await runPostconf(['-c'], { host });
    expect(r.stderr).toBe("postconf: option requires an argument -- 'c'\npostconf: fatal: usage: postconf [-c config_dir] [-dfhHnx] [-M|-P] [name...]\n");
  });
  it('stops at the first option it does not simulate', async () => {
    const r = await runPostconf(['-ne', 'x=y'], { host });
    expect([r.stderr, r.status]).toEqual(['postconf: fatal: -e is not simulated\n', 1]);
  });
  it('takes grouped letters and names after --', async () => {
    const r = await runPostconf(['-hx', '--', 'myhostname'], { host });
    expect([r.stdout, r.status]).toEqual(['mx.example.com\n', 0]);
  });
});

describe('postmap options', () => {
  it('complains about an unknown letter, then prints the usage', async () => {
    const r = await runPostmap(['-z', 'access'], { host });
    expect(r.stderr).toMatch(/^postmap: invalid option -- 'z'\npostmap: fatal: usage: postmap /);
    expect(r.status).toBe(1);
  });
  it('complains about -q without a key', async () => {
    const r = await runPostmap(['-fq'], { host });
    expect(r.stderr).toMatch(/^postmap: option requires an argument -- 'q'\npostmap: fatal: usage: postmap /);
  });
  it('takes an attached argument, and a key that looks like an option as the next word', async () => {
    expect((await runPostmap(['-qexample.com', 'inline:{example.com=REJECT}'], { host })).stdout).toBe('REJECT\n');
    expect((await runPostmap(['-q', '-q', 'inline:{-q=OK}'], { host })).stdout).toBe('OK\n');
  });
  it('refuses -s with -q', async () => {
    const r = await runPostmap(['-s', '-q', 'x', 'inline:{x=y}'], { host });
    expect([r.stderr, r.status]).toEqual(['postmap: fatal: specify only one of -s -q or -d\n', 1]);
  });
});
