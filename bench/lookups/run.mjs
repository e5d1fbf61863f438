#!/usr/bin/env node
// bench/lookups: the same batch of keys through real `postmap -q -` and
// `postfix-sim postmap -q -`, on large generated tables, in one run.
// Prints wall times (median of RUNS), the speed ratio, and whether both
// printed the same answers. Usage: npm run bench:lookups [-- type...]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { askPostconf } from '../../scripts/golden/namespace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'bin', 'postfix-sim.js');
const RUNS = Number(process.env.RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'postfix-sim-bench-'));
writeFileSync(join(dir, 'main.cf'), '');

// A small deterministic generator, so every run measures the same tables.
let seed = 42;
const rand = (/** @type {number} */ n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
const ip4 = (/** @type {number} */ a, /** @type {number} */ b, /** @type {number} */ c, /** @type {number} */ d) => `${a}.${b}.${c}.${d}`;

/** @typedef {{ map: string; entries: number; keys: string[] }} BenchCase */

/** @type {Record<string, () => BenchCase>} */
const cases = {
  hash() {
    const lines = [];
    for (let i = 0; i < 100_000; i++) lines.push(`user${i}@domain${i % 997}.example\tOK ${i}`);
    writeFileSync(join(dir, 'big.hash'), lines.join('\n') + '\n');
    execFileSync('postmap', ['-c', dir, `hash:${dir}/big.hash`]);
    const keys = [];
    for (let i = 0; i < 200_000; i++) {
      const n = rand(200_000);
      keys.push(`user${n}@domain${n % 997}.example`);
    }
    return { map: `hash:${dir}/big.hash`, entries: 100_000, keys };
  },
  regexp: () => patternCase('regexp'),
  pcre: () => patternCase('pcre'),
  cidr() {
    const lines = [];
    for (let i = 0; i < 100_000; i++) {
      const r = rand(10);
      if (r < 6) lines.push(`${ip4(1 + rand(223), rand(256), rand(256), 0)}/24\tREJECT net${i}`);
      else if (r < 8) lines.push(`${ip4(1 + rand(223), rand(256), rand(256), rand(256))}\tOK host${i}`);
      else if (r < 9) lines.push(`${ip4(1 + rand(223), rand(256), 0, 0)}/16\tDUNNO n16-${i}`);
      else lines.push(`2001:db8:${rand(65536).toString(16)}::/48\tREJECT v6-${i}`);
    }
    writeFileSync(join(dir, 'big.cidr'), lines.join('\n') + '\n');
    const keys = [];
    for (let i = 0; i < 20_000; i++)
      keys.push(i % 10 === 9 ? `2001:db8:${rand(65536).toString(16)}::${rand(65536).toString(16)}` : ip4(1 + rand(223), rand(256), rand(256), rand(256)));
    return { map: `cidr:${dir}/big.cidr`, entries: 100_000, keys };
  },
  sqlite() {
    const sql = ['create table users(address text primary key, target text);', 'begin;'];
    for (let i = 0; i < 100_000; i++) sql.push(`insert into users values('user${i}@example.com','mailbox${i}/');`);
    sql.push('commit;');
    rmSync(join(dir, 'users.db'), { force: true });
    execFileSync('sqlite3', [join(dir, 'users.db')], { input: sql.join('\n') });
    writeFileSync(join(dir, 'users.cf'), `dbpath = ${dir}/users.db\nquery = SELECT target FROM users WHERE address='%s'\n`);
    const keys = [];
    for (let i = 0; i < 50_000; i++) keys.push(`user${rand(200_000)}@example.com`);
    return { map: `sqlite:${dir}/users.cf`, entries: 100_000, keys };
  },
};

/**
 * @param {string} type
 * @returns {BenchCase}
 */
function patternCase(type) {
  const lines = [];
  for (let i = 0; i < 5_000; i++) {
    const r = i % 4;
    if (r === 0) lines.push(`/^user${i}@example\\.com$/\tOK ${i}`);
    else if (r === 1) lines.push(`/^(.*)@sub${i}\\.example\\.net$/\tRELAY $1`);
    else if (r === 2) lines.push(`/^spam${i}[0-9]+@/\tREJECT spam ${i}`);
    else lines.push(`/\\.host${i}\\.example\\.org$/\tDUNNO`);
  }
  writeFileSync(join(dir, `big.${type}`), lines.join('\n') + '\n');
  const keys = [];
  for (let i = 0; i < 2_000; i++) {
    const n = rand(10_000);
    const r = rand(4);
    keys.push(r === 0 ? `user${n}@example.com` : r === 1 ? `joe@sub${n}.example.net` : r === 2 ? `spam${n}77@x.org` : `a.host${n}.example.org`);
  }
  return { map: `${type}:${dir}/big.${type}`, entries: 5_000, keys };
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {string} input
 * @returns {{ seconds: number; out: string }}
 */
function time(cmd, args, input) {
  /** @type {number[]} */
  const times = [];
  /** @type {string | undefined} */
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if ((r.status ?? 0) > 1 || r.stderr.includes('fatal')) throw new Error(`${cmd} failed: ${r.stderr}`);
    out = r.stdout;
  }
  if (out === undefined) throw new Error('RUNS must be at least 1');
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], out };
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(cases);
console.log(`postmap ${askPostconf(['-d', '-h', 'mail_version']).stdout.trim()} vs postfix-sim (node ${process.version}), median of ${RUNS} runs`);
console.log('type     entries   keys    postmap s  postfix-sim s  speed-up  same answers');
for (const type of wanted) {
  const { map, entries, keys } = cases[type]();
  const input = keys.join('\n') + '\n';
  const real = time('postmap', ['-c', dir, '-q', '-', map], input);
  const sim = time(process.execPath, [cli, 'postmap', '-c', dir, '-q', '-', map], input);
  const ratio = real.seconds / sim.seconds;
  console.log(
    `${type.padEnd(8)} ${String(entries).padStart(7)} ${String(keys.length).padStart(7)}   ${real.seconds.toFixed(3).padStart(8)}   ${sim.seconds.toFixed(3).padStart(12)}   ${ratio.toFixed(2).padStart(6)}x   ${real.out === sim.out ? 'yes' : 'NO'} (${real.out.split('\n').length - 1} found)`,
  );
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(root, 'bench'), { recursive: true });
