/*
 * NAME
 *   namespace - what every recorder and benchmark shares to run real Postfix in isolation
 * DESCRIPTION
 *   LO_UP is the shell that brings up `lo` inside a fresh network namespace
 *   (`ip` when present, else an ioctl through perl, which Debian always has);
 *   which() finds a program on a PATH; pool() runs async jobs a few at a
 *   time keeping their order; dieWith() makes a script's fatal-error exit;
 *   wantedGroups() picks the golden groups a recorder's command line names,
 *   loadWantedGroups() also reads them.
 *   runCollected() runs the namespace's first process and gathers its
 *   output; afterMarker() tells our own set-up failing from the inner
 *   half's answer, innerJson() reads what the inner half printed.
 *   innerNamespaceScript() starts a namespace over a work tree and runs
 *   the recorder's inner half; daemonNamespaceScript(), DAEMON_UNSHARE and
 *   daemonInner() are the start-up of a namespace where Postfix's daemons
 *   run (record-smtpd, record-postscreen, bench/smtpd); readLines() splits
 *   what a socket receives into lines.
 *   withWorkDir() makes and removes a recorder's temporary directory;
 *   recordGroups() is a recorder's outer loop (groups recorded a few at a
 *   time, expected.json written, a line for each, failures at the end).
 *   askPostconf() asks the installed postconf about itself (version, map
 *   types) through an empty private configuration directory, so it works
 *   on a machine without /etc/postfix/main.cf and never reads the system's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LO_UP = `if command -v ip >/dev/null 2>&1; then ip link set lo up
else perl -e 'socket(S,2,2,0) or die "socket: $!";
  my $r = pack("a16 s x22", "lo", 0); ioctl(S, 0x8913, $r) or die "SIOCGIFFLAGS: $!";
  my (undef, $f) = unpack("a16 s", $r); $r = pack("a16 s x22", "lo", $f | 1);
  ioctl(S, 0x8914, $r) or die "SIOCSIFFLAGS: $!"'
fi`;

/**
 * askPostconf - `postconf -c EMPTY ...args`: spawnSync's result (encoding utf8).
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
export function askPostconf(args, env) {
  const dir = mkdtempSync(join(tmpdir(), 'postconf-'));
  try {
    writeFileSync(join(dir, 'main.cf'), '');
    return spawnSync('postconf', ['-c', dir, ...args], { env, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * which - the full path of `program` on `path`, or null.
 * @param {string} program
 * @param {string} path
 * @returns {string | null}
 */
export function which(program, path) {
  for (const dir of path.split(':')) if (existsSync(join(dir, program))) return join(dir, program);
  return null;
}

/**
 * pool - runs async jobs with at most `limit` at a time, keeping result order.
 * @template T
 * @param {(() => Promise<T>)[]} jobs
 * @param {number} limit
 * @returns {Promise<T[]>}
 */
export async function pool(jobs, limit) {
  /** @type {T[]} */
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/**
 * dieWith - a function that prints `NAME: message` and exits 1.
 * @param {string} name
 * @returns {(message: string) => never}
 */
export function dieWith(name) {
  return (message) => {
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  };
}

/**
 * wantedGroups - the groups (directories of `golden`) named in `wanted`, or
 * all when none is; a group without `file` is skipped with a note from
 * `script`. Dies (through `die`) on a name that is no group.
 * @param {string} golden
 * @param {string[]} wanted
 * @param {string} file
 * @param {string} script
 * @param {(message: string) => never} die
 * @returns {string[]}
 */
export function wantedGroups(golden, wanted, file, script, die) {
  const all = readdirSync(golden)
    .filter((g) => statSync(join(golden, g)).isDirectory())
    .sort();
  for (const g of wanted) if (!all.includes(g)) die(`no group ${g} under ${golden}`);
  return (wanted.length ? wanted : all).filter((g) => {
    if (existsSync(join(golden, g, file))) return true;
    process.stderr.write(`${script}: ${g}: no ${file} file, skipped\n`);
    return false;
  });
}

/**
 * loadWantedGroups - the groups named in `wanted` (else every directory of
 * `golden`) read by `loadGroup`; dies listing every group that does not load.
 * @template G
 * @param {string} golden
 * @param {string[]} wanted
 * @param {(name: string) => G} loadGroup
 * @param {(message: string) => never} die
 * @returns {G[]}
 */
export function loadWantedGroups(golden, wanted, loadGroup, die) {
  const all = existsSync(golden)
    ? readdirSync(golden)
        .filter((g) => statSync(join(golden, g)).isDirectory())
        .sort()
    : [];
  for (const g of wanted) if (!all.includes(g)) die(`no group ${g} under ${golden}`);
  /** @type {G[]} */
  const groups = [];
  /** @type {string[]} */
  const failures = [];
  for (const g of wanted.length ? wanted : all) {
    try {
      groups.push(loadGroup(g));
    } catch (e) {
      failures.push(`${g}: ${/** @type {Error} */ (e).message}`);
    }
  }
  if (failures.length) die(`bad groups:\n  ${failures.join('\n  ')}`);
  return groups;
}

/**
 * What runCollected resolves to.
 * @typedef {{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }} Collected
 */

/**
 * runCollected - spawns `command args` (cwd /, stdin `stdin`); resolves { stdout, stderr, code, signal }.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env: NodeJS.ProcessEnv; stdin?: 'ignore' | number }} options stdin: 'ignore' or an open file descriptor
 * @returns {Promise<Collected>}
 */
export function runCollected(command, args, { env, stdin = 'ignore' }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env, cwd: '/', stdio: [stdin, 'pipe', 'pipe'] });
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    // stdio is [stdin, 'pipe', 'pipe']: stdout and stderr are streams.
    /** @type {import('node:stream').Readable} */ (child.stdout).on('data', (d) => out.push(d));
    /** @type {import('node:stream').Readable} */ (child.stderr).on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolvePromise({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, signal }),
    );
  });
}

/**
 * afterMarker - what the inner half wrote to stderr after the set-up's
 * `marker` line; throws when the set-up failed before it (our own wrapper
 * failing is not a Postfix answer). `what` names the run in the error.
 * @param {string} stderr
 * @param {string} marker
 * @param {string} [what]
 * @returns {string}
 */
export function afterMarker(stderr, marker, what = '') {
  if (!stderr.startsWith(marker + '\n')) throw new Error(`namespace setup failed${what}: ${stderr}`);
  return stderr.slice(marker.length + 1);
}

/**
 * innerJson - the JSON an inner half printed; throws when the set-up or the inner half failed.
 * @param {Collected} collected
 * @param {string} marker
 * @returns {unknown} the value parsed; its caller knows the shape its inner half prints
 */
export function innerJson({ stdout, stderr, code, signal }, marker) {
  const logged = afterMarker(stderr, marker);
  if (signal || code !== 0) throw new Error(`inner recorder failed (${signal ?? code}):\n${logged}`);
  try {
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(`inner recorder output is not JSON: ${/** @type {Error} */ (e).message}`, { cause: e });
  }
}

/**
 * DAEMON_UNSHARE - unshare(1)'s options for daemons: own mounts, network, host name and PIDs (with /proc).
 * @type {readonly string[]}
 */
export const DAEMON_UNSHARE = ['-m', '-n', '-u', '-p', '-f', '--mount-proc', '--propagation', 'private'];

/**
 * innerNamespaceScript - the namespace's first process (sh -c SCRIPT sh
 * WORK NODE SELF): host name, lo, WORK's etc, spool and lib over
 * Postfix's directories, `mounts` (more shell), the marker line, then
 * `NODE SELF --inner WORK`.
 * @param {string} hostname
 * @param {string} marker
 * @param {string} [mounts]
 * @returns {string}
 */
export function innerNamespaceScript(hostname, marker, mounts = '') {
  return `
set -e
hostname ${hostname}
${LO_UP}
work=$1; node=$2; self=$3
mount --bind "$work/etc" /etc/postfix
mount --bind "$work/spool" /var/spool/postfix
mount --bind "$work/lib" /var/lib/postfix
${mounts}printf '%s\\n' '${marker}' >&2
exec "$node" "$self" --inner "$work"
`;
}

/**
 * daemonNamespaceScript - innerNamespaceScript's, with WORK's mail over
 * /var/mail and its sys/ files over those of /etc that exist.
 * @param {string} hostname
 * @param {string} marker
 * @returns {string}
 */
export function daemonNamespaceScript(hostname, marker) {
  return innerNamespaceScript(
    hostname,
    marker,
    `mount --bind "$work/mail" /var/mail
for f in passwd group hosts nsswitch.conf resolv.conf aliases mailname; do
  if [ -e /etc/$f ] || [ -L /etc/$f ]; then mount --bind "$work/sys/$f" /etc/$f; fi
done
`,
  );
}

/**
 * daemonInner - runs `SELF --inner WORK` in a fresh daemon namespace (DAEMON_UNSHARE) whose
 * first process is `script` (daemonNamespaceScript's, maybe after a prelude); the JSON it printed.
 * @param {string} script
 * @param {string} marker
 * @param {string} work
 * @param {string} self
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<unknown>}
 */
export async function daemonInner(script, marker, work, self, env) {
  return innerJson(await runCollected('unshare', [...DAEMON_UNSHARE, 'sh', '-c', script, 'sh', work, process.execPath, self], { env }), marker);
}

/**
 * withWorkDir - runs `body` on a new temporary directory (named from `prefix`, its mode set to
 * `mode` when given) and removes it afterwards, unless the environment variable `keep` is set:
 * then `RECORDER: kept DIR` says where it is.
 * @template T
 * @param {{ recorder: string; prefix: string; keep?: string; mode?: number }} how
 * @param {(base: string) => Promise<T>} body
 * @returns {Promise<T>}
 */
export async function withWorkDir({ recorder, prefix, keep, mode }, body) {
  const base = mkdtempSync(join(tmpdir(), prefix));
  if (mode !== undefined) chmodSync(base, mode);
  try {
    return await body(base);
  } finally {
    if (keep && process.env[keep]) process.stderr.write(`${recorder}: kept ${base}\n`);
    else rmSync(base, { recursive: true, force: true });
  }
}

/**
 * How recordGroups records.
 * @template G, R
 * @typedef {object} RecordGroups
 * @property {string} recorder the script's name, the start of its lines
 * @property {string} version Postfix's, written into every expected.json
 * @property {number} started when the script started (Date.now()), for the summary's time
 * @property {number} concurrency groups recorded at the same time
 * @property {{ prefix: string; keep: string; mode?: number }} workDir as withWorkDir takes it
 * @property {string} unit what the summary counts ("sessions")
 * @property {(group: G) => string} name
 * @property {(group: G) => string} expected the path of the group's expected.json
 * @property {(group: G, base: string) => Promise<R>} record the group's expected.json without `postfix`
 * @property {(group: G, result: R, secs: string) => { count: number; note: string }} report what a recorded group adds to the count, and its line
 * @property {(message: string) => never} die
 */

/**
 * recordGroups - a recorder's outer loop: records `groups` in a work directory (withWorkDir),
 * `concurrency` at a time, writes each group's expected.json ({ postfix: version, ...result }),
 * prints a line for each and a summary, then dies listing the groups that failed.
 * @template G
 * @template {object} R
 * @param {G[]} groups
 * @param {RecordGroups<G, R>} how
 * @returns {Promise<void>}
 */
export async function recordGroups(groups, how) {
  const { recorder, version, die } = how;
  /** @type {string[]} */
  const failures = [];
  let total = 0;
  await withWorkDir({ recorder, ...how.workDir }, (base) =>
    pool(
      groups.map((group) => async () => {
        const t0 = Date.now();
        try {
          const result = await how.record(group, base);
          writeFileSync(how.expected(group), JSON.stringify({ postfix: version, ...result }, null, 2) + '\n');
          const { count, note } = how.report(group, result, ((Date.now() - t0) / 1000).toFixed(1));
          total += count;
          process.stderr.write(`${recorder}: ${how.name(group)}: ${note}\n`);
        } catch (e) {
          failures.push(`${how.name(group)}: ${/** @type {Error} */ (e).message}`);
        }
      }),
      how.concurrency,
    ),
  );
  const secs = ((Date.now() - how.started) / 1000).toFixed(1);
  process.stderr.write(`${recorder}: Postfix ${version}: ${groups.length - failures.length} groups, ${total} ${how.unit}, ${secs} s\n`);
  if (failures.length) die(`failed:\n  ${failures.join('\n  ')}`);
}

/**
 * readLines - calls onLine(line) for each line `socket` receives (latin1, CR LF or LF); onLine returning false drops the rest of the chunk.
 * @param {import('node:net').Socket} socket
 * @param {(line: string) => boolean | void} onLine
 * @returns {void}
 */
export function readLines(socket, onLine) {
  socket.setEncoding('latin1');
  let buffer = '';
  socket.on('data', (/** @type {string} */ chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (onLine(line) === false) return;
    }
  });
}
