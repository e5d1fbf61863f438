/*
 * The simulator's postmap against answers recorded from real Postfix.
 *
 * Every group under tests/golden/lookups/ is a Postfix configuration
 * directory standing for /etc/postfix; its `queries` file lists postmap
 * command lines and its expected.json holds what real postmap printed
 * (scripts/golden/record-lookups.mjs). Here each command runs through
 * runPostmap with a Host rooted at the group directory, and stdout, stderr
 * and exit status must be identical. One test per build and per query.
 * See tests/golden/lookups/README.md.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import { describe, expect, it } from 'vitest';
import { runPostalias, runPostmap } from '../../src/cli/postmap.ts';
import { createNodeHost } from '../../src/cli/node-host.ts';
import type { BuildFlags, Host } from '../../src/engine/index.ts';
import { decodeBytes, encodeBytes } from '../../src/engine/index.ts';
import { CONFIG_DIRECTORY, RECORD_ENVIRONMENT, defaultDatabaseType, planGroup } from '../../scripts/golden/lookups-format.mjs';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'lookups');

interface Recorded {
  /** The program, when not postmap. */
  command?: 'postalias';
  argv: string[];
  stdin?: string | null;
  stdout: string;
  stderr: string;
  status: number;
}
interface Expected {
  postfix: string;
  builds: Recorded[];
  queries: Recorded[];
}

let sqlJs: Promise<SqlJsStatic> | undefined;
const loadSqlJs = (): Promise<SqlJsStatic> => (sqlJs ??= initSqlJs());

/** Files of the group that are not part of the configuration directory real Postfix saw. */
const NOT_CONFIG = new Set(['queries', 'expected.json']);

/**
 * groupHost - the group directory as /etc/postfix: an empty main.cf when the
 * group has none (as the recorder adds), and `NAME` served as the SQLite
 * database that `NAME.sql` builds (what sqlite3 made for the recording).
 */
async function groupHost(dir: string, builds: ReadonlyMap<string, BuildFlags>): Promise<Host> {
  const base = createNodeHost({
    configDirectory: dir,
    // What real postmap was started with; LANG=C is import_environment's (node-host adds it too).
    environment: { ...RECORD_ENVIRONMENT, LANG: 'C' },
  });
  const databases = new Map<string, Uint8Array>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.sql')) continue;
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    try {
      db.exec(readFileSync(join(dir, file), 'utf8'));
      databases.set(`${CONFIG_DIRECTORY}/${file.slice(0, -'.sql'.length)}`, db.export());
    } finally {
      db.close();
    }
  }
  const prefix = CONFIG_DIRECTORY + '/';
  return {
    ...base,
    readFile(path: string): Uint8Array | undefined {
      if (path.startsWith(prefix)) {
        const rel = path.slice(prefix.length);
        if (NOT_CONFIG.has(rel)) return undefined;
        const db = databases.get(path);
        if (db) return db.slice();
        if (rel === 'main.cf' && !existsSync(join(dir, 'main.cf'))) return new Uint8Array();
      }
      return base.readFile(path);
    },
    loadSqlJs,
    // How the group's `build` lines built each table (postmap -f, -r, -w, -N, -n, -F).
    buildFlags: (path: string) => builds.get(path),
  };
}

/** buildFlagsOf - the options of a `postmap [options] MAP...` build line, as the table it built keeps them. */
function buildFlagsOf(argv: readonly string[]): BuildFlags {
  const flags: BuildFlags = {};
  for (const a of argv) {
    if (!a.startsWith('-')) break;
    for (const c of a.slice(1)) {
      if (c === 'f') flags.noFold = true;
      else if (c === 'r') flags.duplicates = 'replace';
      else if (c === 'w') flags.duplicates = 'ignore';
      else if (c === 'N') flags.nul = true;
      else if (c === 'n') flags.nul = false;
      else if (c === 'F') flags.rhsIsFile = true;
    }
  }
  return flags;
}

/** asRecorded - the simulator's output (bytes as the engine keeps them) as the recorder stored postmap's: UTF-8 text. */
const asRecorded = (text: string): string => Buffer.from(encodeBytes(text)).toString('utf8');

/** shellWord - an argument as a reader would type it, for test names. */
const shellWord = (a: string): string => (a === '' || /[\s"'\\$]/.test(a) ? JSON.stringify(a) : a);
const commandLine = (argv: readonly string[], stdin?: string | null, command = 'postmap'): string =>
  [command, ...argv.map(shellWord)].join(' ') + (stdin ? ` < ${stdin}` : '');

const groups = existsSync(GOLDEN)
  ? readdirSync(GOLDEN)
      .filter((g) => statSync(join(GOLDEN, g)).isDirectory() && existsSync(join(GOLDEN, g, 'queries')))
      .sort()
  : [];

describe('golden lookups', () => {
  it('has groups', () => {
    expect(groups.length).toBeGreaterThan(0);
  });
});

for (const group of groups) {
  const dir = join(GOLDEN, group);
  const expectedPath = join(dir, 'expected.json');
  const mainCf = existsSync(join(dir, 'main.cf')) ? readFileSync(join(dir, 'main.cf'), 'utf8') : '';
  let plan: ReturnType<typeof planGroup>;
  try {
    plan = planGroup(
      readFileSync(join(dir, 'queries'), 'utf8'),
      (f) => existsSync(join(dir, f)) || existsSync(join(dir, `${f}.sql`)),
      `${group}/queries`,
      defaultDatabaseType(mainCf),
    );
  } catch (e) {
    const message = (e as Error).message;
    describe(group, () => {
      it('has a well-formed queries file', () => {
        throw new Error(message);
      });
    });
    continue;
  }
  const expected: Expected | undefined = existsSync(expectedPath) ? (JSON.parse(readFileSync(expectedPath, 'utf8')) as Expected) : undefined;

  describe(group, () => {
    // The recording must be of exactly these commands: a changed `queries`
    // file needs `npm run golden:record <group>` on a machine with Postfix.
    it('is recorded for the current queries file', () => {
      expect(expected, `${group}: no expected.json; run npm run golden:record ${group}`).toBeDefined();
      expect(
        expected!.builds.map((b) => [b.command ?? 'postmap', b.argv]),
        'builds',
      ).toEqual(plan.builds.map((b) => [b.program, b.argv]));
      expect(
        expected!.queries.map((q) => [q.command ?? 'postmap', q.argv, q.stdin ?? null]),
        'queries',
      ).toEqual(plan.queries.map((q) => [q.program, q.argv, q.stdinFile]));
    });
    if (!expected) return;

    let host: Promise<Host> | undefined;
    const builds = new Map(
      plan.builds.flatMap((b) =>
        b.maps.map((m) => [m.slice(m.indexOf(':') + 1), { ...buildFlagsOf(b.argv), ...(b.program === 'postalias' && { postalias: true }) }] as const),
      ),
    );
    const getHost = () => (host ??= groupHost(dir, builds));

    expected.builds.forEach((rec, i) => {
      it(`build ${i + 1}: ${commandLine(rec.argv, null, rec.command)}`, async () => {
        const got = await (rec.command === 'postalias' ? runPostalias : runPostmap)(rec.argv, { host: await getHost() });
        expect({ ...got, stdout: asRecorded(got.stdout), stderr: asRecorded(got.stderr) }).toEqual({
          stdout: rec.stdout,
          stderr: rec.stderr,
          status: rec.status,
        });
      });
    });
    expected.queries.forEach((rec, i) => {
      const line = plan.queries[i]?.line;
      it(`q${i + 1}${line ? ` (line ${line})` : ''}: ${commandLine(rec.argv, rec.stdin, rec.command)}`, async () => {
        // Keys are bytes; the recorder stored real postmap's output as UTF-8 text, and so is the simulator's compared.
        const stdin = rec.stdin ? decodeBytes(readFileSync(join(dir, rec.stdin))) : undefined;
        const got = await (rec.command === 'postalias' ? runPostalias : runPostmap)(rec.argv, { host: await getHost(), ...(stdin !== undefined && { stdin }) });
        expect({ ...got, stdout: asRecorded(got.stdout), stderr: asRecorded(got.stderr) }).toEqual({
          stdout: rec.stdout,
          stderr: rec.stderr,
          status: rec.status,
        });
      });
    });
  });
}
