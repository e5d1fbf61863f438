/*
 * The simulator's postconf against output recorded from real Postfix.
 *
 * Every group under tests/golden/postconf/ is a configuration directory
 * standing for /etc/postfix (main.cf, optional master.cf); `commands` lists
 * postconf argument lists and expected.json holds what real postconf
 * printed (scripts/golden/record-postconf.mjs). Each command runs through
 * runPostconf with a Host rooted at the group directory.
 *
 * stdout and exit status must be identical. stderr must hold the same lines,
 * and a fatal error must come last; the order of the other lines is not compared,
 * because real postconf emits its undefined/unused-parameter warnings in
 * hash-table order, which Postfix randomises per run (the recorder pins it
 * with NORANDOMIZE=1 only to make re-recording deterministic).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPostconf } from '../../src/cli/postconf.ts';
import { createNodeHost } from '../../src/cli/node-host.ts';
import { groupHostname, parseCommands } from '../../scripts/golden/postconf-format.mjs';
import { DEFAULT_FACTS } from '../../src/engine/index.ts';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'postconf');

interface Recorded {
  argv: string[];
  stdout: string;
  stderr: string;
  status: number;
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

const groups = readdirSync(GOLDEN)
  .filter((g) => statSync(join(GOLDEN, g)).isDirectory())
  .sort();

describe.each(groups)('postconf golden %s', (group) => {
  const dir = join(GOLDEN, group);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { commands: Recorded[] };
  it('records every command of the commands file', () => {
    expect(expected.commands.map((c) => c.argv)).toEqual(parseCommands(readFileSync(join(dir, 'commands'), 'utf8')));
  });
  // The machine's host name the group was recorded with (its `hostname` file).
  const hostname = groupHostname(existsSync(join(dir, 'hostname')) ? readFileSync(join(dir, 'hostname'), 'utf8') : undefined);
  const facts = hostname === undefined ? DEFAULT_FACTS : { ...DEFAULT_FACTS, hostname };
  it.each(expected.commands.map((c) => [c.argv.join(' '), c] as const))('postconf %s', async (_, rec) => {
    const out = await runPostconf(rec.argv, { host: createNodeHost({ configDirectory: dir }), facts });
    expect(out.stdout).toBe(rec.stdout);
    expect(out.status).toBe(rec.status);
    const last = lines(rec.stderr).at(-1);
    if (last?.startsWith('postconf: fatal: ')) expect(lines(out.stderr).at(-1)).toBe(last);
    expect(lines(out.stderr).sort()).toEqual(lines(rec.stderr).sort());
  });
});
