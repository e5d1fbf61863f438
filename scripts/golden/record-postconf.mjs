#!/usr/bin/env node
/*
 * NAME
 *   record-postconf - record golden postconf(1) output from real Postfix
 * SYNOPSIS
 *   node scripts/golden/record-postconf.mjs [group...]
 *   npm run golden:record:postconf [-- group...]
 * DESCRIPTION
 *   Each group under tests/golden/postconf/ holds a main.cf, an optional
 *   master.cf, and `commands`: one postconf argument list per line
 *   (whitespace-separated; blank lines and # comments ignored). For every
 *   command, real postconf runs in a private mount, UTS and network
 *   namespace (unshare -m -u -n) with a copy of the group bind-mounted
 *   read-only over /etc/postfix (plus Debian's dynamicmaps.cf), the host
 *   name set to host.example.com (or to the first line of the group's
 *   `hostname` file) and only the loopback interface up. So myhostname,
 *   mydomain and mynetworks are those of the simulator's MachineFacts
 *   (default, or with that host name), and nothing of this machine leaks.
 *
 *   NORANDOMIZE=1 fixes Postfix's hash-table order, so re-recording is
 *   deterministic. One normalisation: the stdout line `process_id = N`
 *   (postconf's own pid) becomes `process_id = 1234`, the simulator's
 *   default fact.
 *
 *   Writes tests/golden/postconf/<group>/expected.json. Needs root,
 *   util-linux unshare and Postfix.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupHostname, parseCommands } from './postconf-format.mjs';
import { dieWith, LO_UP, askPostconf } from './namespace.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GOLDEN = join(ROOT, 'tests/golden/postconf');
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', NORANDOMIZE: '1' };
const MARKER = '@@record-postconf: namespace ready@@';
const HOSTNAME = 'host.example.com';
/** A group's host name: its `hostname` file, else HOSTNAME (see postconf-format.mjs). */
const hostnameOf = (/** @type {string} */ dir) =>
  groupHostname(existsSync(join(dir, 'hostname')) ? readFileSync(join(dir, 'hostname'), 'utf8') : undefined) ?? HOSTNAME;
/** Files of a group that real postconf sees as /etc/postfix. */
const CONFIG_FILES = ['main.cf', 'master.cf'];

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('record-postconf');

const NAMESPACE_SCRIPT = `
set -e
config=$1; hostname "$2"; shift 2
${LO_UP}
mount --bind "$config" /etc/postfix
mount -o remount,bind,ro /etc/postfix
printf '%s\\n' '${MARKER}' >&2
exec "$@"
`;

/** @param {string} group */
function record(group) {
  const dir = join(GOLDEN, group);
  const commands = parseCommands(readFileSync(join(dir, 'commands'), 'utf8'));
  const config = mkdtempSync(join(tmpdir(), 'record-postconf-'));
  try {
    for (const f of CONFIG_FILES) if (existsSync(join(dir, f))) cpSync(join(dir, f), join(config, f));
    for (const f of ['dynamicmaps.cf', 'dynamicmaps.cf.d'])
      if (existsSync(join('/etc/postfix', f))) cpSync(join('/etc/postfix', f), join(config, f), { recursive: true });
    const results = [];
    for (const argv of commands) {
      const r = spawnSync(
        'unshare',
        ['-m', '-u', '-n', '--propagation', 'private', 'sh', '-c', NAMESPACE_SCRIPT, 'sh', config, hostnameOf(dir), 'postconf', ...argv],
        {
          env: ENV,
          cwd: '/',
          encoding: 'utf8',
        },
      );
      if (!r.stderr.startsWith(MARKER + '\n')) die(`namespace setup failed for ${argv.join(' ')}: ${r.stderr}`);
      results.push({
        argv,
        stdout: r.stdout.replace(/^process_id = \d+$/m, 'process_id = 1234'),
        stderr: r.stderr.slice(MARKER.length + 1),
        status: r.status,
      });
    }
    const version = askPostconf(['-d', '-h', 'mail_version'], ENV).stdout.trim();
    writeFileSync(join(dir, 'expected.json'), JSON.stringify({ postfix: version, commands: results }, null, 2) + '\n');
    return results.length;
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

if (process.getuid?.() !== 0) die('must run as root (it needs unshare -m -u -n and bind mounts)');
const groups = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(GOLDEN)
      .filter((g) => statSync(join(GOLDEN, g)).isDirectory())
      .sort();
let total = 0;
for (const g of groups) {
  const n = record(g);
  total += n;
  process.stdout.write(`${g}: ${n} commands\n`);
}
process.stdout.write(`recorded ${total} commands in ${groups.length} groups\n`);
