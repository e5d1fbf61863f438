#!/usr/bin/env node
/*
 * NAME
 *   record-lookups - record golden lookup answers from real Postfix
 * SYNOPSIS
 *   node scripts/golden/record-lookups.mjs [group...]
 *   npm run golden:record [-- group...]
 * DESCRIPTION
 *   For each group under tests/golden/lookups/ (a Postfix configuration
 *   directory, see the README there): copy it to a temporary directory, add
 *   main.cf when missing and Debian's dynamicmaps.cf(.d), build SQLite
 *   databases from NAME.sql with sqlite3(1), build indexed maps with real
 *   postmap(1) (postalias(1) for maps postalias lines name), then run every
 *   command of `queries` with real postmap or postalias. Each command runs in its own private mount and network namespace
 *   (unshare -m -n) with the group's copy bind-mounted over /etc/postfix
 *   (read-only for queries) and empty directories over the queue and data
 *   directories, so configurations use the ordinary /etc/postfix paths and
 *   the machine's own configuration is never touched or read.
 *
 *   Writes tests/golden/lookups/<group>/expected.json. Needs root, util-linux
 *   unshare, Postfix with postfix-pcre/-sqlite/-lmdb/-cdb, and sqlite3.
 *   Deterministic: the same groups and Postfix give byte-identical output.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILT_SUFFIX, CONFIG_DIRECTORY, RECORD_ENVIRONMENT, defaultDatabaseType, planGroup, sourceFile } from './lookups-format.mjs';
import { afterMarker, dieWith, LO_UP, pool, runCollected, wantedGroups, which as whichOn, withWorkDir, askPostconf } from './namespace.mjs';

/** @import { GoldenQuery } from './lookups-format.mjs' */

/**
 * One recorded run of postmap or postalias, as expected.json keeps it (`command` only when not postmap).
 * @typedef {{ command?: string; argv: string[]; stdout: string; stderr: string; status: number | null }} RecordedRun
 */
/** @typedef {RecordedRun & { stdin: string | null }} RecordedQuery */
/**
 * A group whose builds are done; `run` gives the jobs of its queries, `write` stores their results.
 * @typedef {object} PreparedGroup
 * @property {string} name
 * @property {RecordedRun[]} builds
 * @property {GoldenQuery[]} queries
 * @property {() => (() => Promise<RecordedQuery>)[]} run
 * @property {(results: RecordedQuery[]) => void} write
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GOLDEN = join(ROOT, 'tests/golden/lookups');
const CONCURRENCY = 8; // a fatal postmap sleeps ~1 s without using the CPU
/** The only environment postmap sees (environ: tables answer from it). */
const ENV = RECORD_ENVIRONMENT;
const PATH = ENV.PATH;
/** Directories Postfix might write to or read daemon state from; replaced by empty ones. */
/** Written by the namespace script just before it execs postmap. */
const MARKER = '@@record-lookups: namespace ready@@';
const SHADOWED = ['/var/spool/postfix', '/var/lib/postfix'];

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('record-lookups');

const which = (/** @type {string} */ program) => whichOn(program, PATH);

/* --- Preconditions: fail loudly rather than record something else. --- */
function checkEnvironment() {
  if (process.getuid?.() !== 0) die('must run as root (it needs unshare -m -n and bind mounts)');
  for (const p of ['postmap', 'postalias', 'postconf', 'unshare', 'mount', 'sqlite3'])
    if (!which(p)) die(`${p} not found: install postfix postfix-pcre postfix-sqlite postfix-lmdb postfix-cdb sqlite3`);
  const version = askPostconf(['-d', '-h', 'mail_version'], ENV);
  if (version.status !== 0 || !/^\d+\.\d+/.test(version.stdout)) die(`postconf -d mail_version failed: ${version.stderr}`);
  const types = askPostconf(['-m'], ENV).stdout.split('\n');
  for (const t of ['hash', 'btree', 'lmdb', 'cdb', 'pcre', 'sqlite', 'regexp', 'cidr'])
    if (!types.includes(t)) die(`postconf -m does not list ${t}: install postfix-pcre postfix-sqlite postfix-lmdb postfix-cdb`);
  if (!existsSync('/etc/postfix/dynamicmaps.cf')) die('/etc/postfix/dynamicmaps.cf missing: Postfix is not installed properly');
  const probe = spawnSync('unshare', ['-m', '-n', 'true'], { env: ENV, encoding: 'utf8' });
  if (probe.status !== 0) die(`unshare -m -n does not work here: ${probe.stderr.trim()}`);
  return version.stdout.trim();
}

/*
 * The shell run inside the namespace: bring up lo (Postfix wants one active
 * interface; `ip` when present, else an ioctl via perl, which Debian always
 * has), mount, then exec the command. Arguments: CONFIG MODE(ro|rw) EMPTY CMD...
 */
const NAMESPACE_SCRIPT = `
set -e
${LO_UP}
config=$1; mode=$2; empty=$3; shift 3
mount --bind "$config" ${CONFIG_DIRECTORY}
if [ "$mode" = ro ]; then mount -o remount,bind,ro ${CONFIG_DIRECTORY}; fi
${SHADOWED.map((d) => `if [ -d ${d} ]; then mount --bind "$empty" ${d}; fi`).join('\n')}
printf '%s\n' '${MARKER}' >&2
exec "$@"
`;

/**
 * runIsolated - one command inside a fresh private namespace; resolves { stdout, stderr, status }.
 * @param {string} config
 * @param {'ro' | 'rw'} mode
 * @param {string} empty
 * @param {string[]} argv
 * @param {string | null} stdinPath
 * @returns {Promise<{ stdout: string; stderr: string; status: number | null }>}
 */
export async function runIsolated(config, mode, empty, argv, stdinPath) {
  const stdin = stdinPath ? openSync(stdinPath, 'r') : 'ignore';
  const running = runCollected('unshare', ['-m', '-n', '--propagation', 'private', 'sh', '-c', NAMESPACE_SCRIPT, 'sh', config, mode, empty, ...argv], {
    env: ENV,
    stdin,
  });
  if (typeof stdin === 'number') closeSync(stdin);
  const r = await running;
  if (r.signal) throw new Error(`${argv.join(' ')}: killed by ${r.signal}`);
  return { stdout: r.stdout, stderr: afterMarker(r.stderr, MARKER, ` for ${argv.join(' ')}`), status: r.code };
}

/**
 * prepareGroup - the temporary copy of a group, with main.cf, dynamicmaps and SQLite databases.
 * @param {string} name
 * @param {string} work
 * @returns {string}
 */
function prepareGroup(name, work) {
  const source = join(GOLDEN, name);
  const config = join(work, name);
  cpSync(source, config, { recursive: true, filter: (p) => !p.endsWith('/expected.json') });
  rmSync(join(config, 'expected.json'), { force: true });
  rmSync(join(config, 'queries'), { force: true });
  if (!existsSync(join(config, 'main.cf'))) writeFileSync(join(config, 'main.cf'), '');
  cpSync('/etc/postfix/dynamicmaps.cf', join(config, 'dynamicmaps.cf'));
  if (existsSync('/etc/postfix/dynamicmaps.cf.d')) cpSync('/etc/postfix/dynamicmaps.cf.d', join(config, 'dynamicmaps.cf.d'), { recursive: true });
  for (const file of readdirSync(source)) {
    if (!file.endsWith('.sql')) continue;
    const db = file.slice(0, -'.sql'.length);
    if (existsSync(join(source, db))) throw new Error(`${name}: both ${file} and ${db} exist`);
    const r = spawnSync('sqlite3', ['-bail', join(config, db)], { input: readFileSync(join(source, file)), env: ENV, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${name}: sqlite3 failed on ${file}: ${r.stderr}`);
  }
  // Back-date everything: Postfix treats very young files specially (main.cf re-read, "table changed").
  const old = new Date('2000-01-01T00:00:00Z');
  const touch = spawnSync('find', [config, '-exec', 'touch', '-h', '-d', old.toISOString(), '{}', '+'], { env: ENV, encoding: 'utf8' });
  if (touch.status !== 0) throw new Error(`${name}: touch failed: ${touch.stderr}`);
  return config;
}

/**
 * recordGroup - builds and queries of one group, in the order of expected.json.
 * @param {string} name
 * @param {string} work
 * @param {string} empty
 * @param {string} version
 * @returns {Promise<PreparedGroup>}
 */
async function recordGroup(name, work, empty, version) {
  const dir = join(GOLDEN, name);
  const queriesText = readFileSync(join(dir, 'queries'), 'utf8');
  const mainCf = existsSync(join(dir, 'main.cf')) ? readFileSync(join(dir, 'main.cf'), 'utf8') : '';
  const defaultType = defaultDatabaseType(mainCf);
  const plan = planGroup(queriesText, (f) => existsSync(join(dir, f)) || existsSync(join(dir, `${f}.sql`)), `${name}/queries`, defaultType);
  // hash: and btree: of one source both write NAME.db: refuse rather than record one of them.
  const outputs = new Map();
  for (const b of plan.builds)
    for (const m of b.maps) {
      const type = m.includes(':') ? m.slice(0, m.indexOf(':')) : defaultType;
      const src = sourceFile(m);
      if (src === null || !(type in BUILT_SUFFIX)) continue;
      const out = src + BUILT_SUFFIX[type];
      const typed = `${type}:${CONFIG_DIRECTORY}/${src}`;
      if (outputs.has(out) && outputs.get(out) !== typed) throw new Error(`${outputs.get(out)} and ${typed} both write ${out}; use separate source files`);
      outputs.set(out, typed);
    }
  for (const q of plan.queries) if (q.stdinFile && !existsSync(join(dir, q.stdinFile))) throw new Error(`${name}/queries:${q.line}: no file ${q.stdinFile}`);

  const config = prepareGroup(name, work);
  /** @type {RecordedRun[]} */
  const builds = [];
  for (const b of plan.builds) {
    const r = await runIsolated(config, 'rw', empty, [b.program, ...b.argv], null);
    builds.push({ ...(b.program !== 'postmap' && { command: b.program }), argv: b.argv, stdout: r.stdout, stderr: r.stderr, status: r.status });
  }
  return {
    name,
    builds,
    queries: plan.queries,
    run: () =>
      plan.queries.map((q) => async () => {
        const r = await runIsolated(config, 'ro', empty, [q.program, ...q.argv], q.stdinFile ? join(config, q.stdinFile) : null);
        return {
          ...(q.program !== 'postmap' && { command: q.program }),
          argv: q.argv,
          stdin: q.stdinFile,
          stdout: r.stdout,
          stderr: r.stderr,
          status: r.status,
        };
      }),
    write: (results) => {
      const json = { postfix: version, builds, queries: results };
      writeFileSync(join(dir, 'expected.json'), JSON.stringify(json, null, 2) + '\n');
    },
  };
}

async function main() {
  const started = Date.now();
  const version = checkEnvironment();
  const groups = wantedGroups(GOLDEN, process.argv.slice(2), 'queries', 'record-lookups', die);
  /** @type {string[]} */
  const failures = [];
  await withWorkDir({ recorder: 'record-lookups', prefix: 'golden-lookups-' }, async (work) => {
    const empty = join(work, '.empty');
    mkdirSync(empty);
    // Builds: sequential within a group, groups in parallel.
    const prepared = (
      await pool(
        groups.map((g) => async () => {
          try {
            return await recordGroup(g, work, empty, version);
          } catch (e) {
            failures.push(`${g}: ${/** @type {Error} */ (e).message}`);
            return null;
          }
        }),
        CONCURRENCY,
      )
    ).filter((p) => p !== null);
    // Queries: all groups' queries in one pool.
    const jobs = prepared.flatMap((p) => p.run());
    const results = await pool(jobs, CONCURRENCY);
    let i = 0;
    let total = 0;
    for (const p of prepared) {
      const mine = results.slice(i, i + p.queries.length);
      i += p.queries.length;
      total += mine.length;
      p.write(mine);
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`record-lookups: Postfix ${version}: ${prepared.length} groups, ${total} queries, ${secs} s\n`);
  });
  if (failures.length) die(`failed:\n  ${failures.join('\n  ')}`);
}

// Run only as a program, not when imported.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main().catch((e) => die(e.stack ?? String(e)));
