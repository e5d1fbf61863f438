/*
 * NAME
 *   daemon-recorder - what record-smtpd and record-postscreen share to run the whole Postfix
 * DESCRIPTION
 *   Outside the namespace: checkDaemonEnvironment() checks the machine
 *   (root, programs, Postfix's version, files, unshare) and returns the
 *   version; smtpNames() lists a group's sessions or dialogues.
 *   runAsProgram() is a recorder's entry: its outer main() or, with
 *   --inner WORK, its inner half.
 *   Inside it (the recorders' inner halves): prepareChroot() gives the
 *   chroot the resolver's files and makes the capture directory that
 *   recorderMasterCf's capture services write to; commandRunner() runs a
 *   program to its end; runBuilds() runs a group's build steps;
 *   readMaillog() reads maillog_file; startPostfix() starts Postfix and
 *   waits for master's "daemon started"; watchClose() follows the end of
 *   a client connection.
 * SEE ALSO
 *   postfix(1), master(8), postlogd(8)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { askPostconf, which } from './namespace.mjs';

/** @import { SpawnSyncReturns } from 'node:child_process' */
/** @import { Socket } from 'node:net' */

/** Paths inside the namespace. */
export const MAILLOG = '/var/lib/postfix/maillog';
export const CAPTURE_DIR = '/var/spool/postfix/capture';

export const CAPTURE_SCRIPT = `#!/bin/sh
# record-smtpd capture: arguments, then the message, one file per delivery.
umask 022
f=${CAPTURE_DIR}/$3.$$
{ for a in "$@"; do printf 'ARG %s\\n' "$a"; done; printf 'END\\n'; cat; } > "$f.tmp" && mv "$f.tmp" "$f.msg"
exit 0
`;

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * checkDaemonEnvironment - dies (through `die`) unless we are root, `programs` are on env.PATH,
 * lo can be brought up, postconf answers its version, `files` exist and unshare makes the
 * daemons' namespaces; returns Postfix's version.
 * @param {{ PATH: string }} env
 * @param {readonly string[]} programs
 * @param {readonly string[]} files
 * @param {(message: string) => never} die
 * @returns {string}
 */
export function checkDaemonEnvironment(env, programs, files, die) {
  if (process.getuid?.() !== 0) die('must run as root (it needs unshare and bind mounts)');
  for (const p of programs)
    if (!which(p, env.PATH)) die(`${p} not found: install postfix postfix-pcre postfix-lmdb postfix-cdb postfix-sqlite (and util-linux)`);
  if (!which('ip', env.PATH) && !which('perl', env.PATH)) die('neither ip (iproute2) nor perl found: cannot bring up lo');
  const version = askPostconf(['-d', '-h', 'mail_version'], env);
  if (version.status !== 0 || !/^\d+\.\d+/.test(version.stdout)) die(`postconf -d mail_version failed: ${version.stderr}`);
  for (const f of files) if (!existsSync(f)) die(`${f} missing: Postfix is not installed properly`);
  const probe = spawnSync('unshare', ['-m', '-n', '-u', '-p', '-f', '--mount-proc', 'true'], { env, encoding: 'utf8' });
  if (probe.status !== 0) die(`unshare -m -n -u -p -f does not work here: ${probe.stderr.trim()}`);
  return version.stdout.trim();
}

/**
 * smtpNames - the names of the `.smtp` files in a group's `sub` directory, sorted; throws when there is none.
 * @param {string} dir
 * @param {string} sub
 * @returns {string[]}
 */
export function smtpNames(dir, sub) {
  const names = existsSync(join(dir, sub))
    ? readdirSync(join(dir, sub))
        .filter((f) => f.endsWith('.smtp'))
        .map((f) => f.slice(0, -'.smtp'.length))
        .sort()
    : [];
  if (names.length === 0) throw new Error(`no ${sub}/*.smtp`);
  return names;
}

/**
 * runAsProgram - when `self` is the program Node runs (not imported): with --inner WORK the inner
 * half, `inner(WORK)` (a failure prints `RECORDER (inner): STACK` and exits 1), else `main()` (a
 * failure dies with its stack).
 * @param {string} self
 * @param {string} recorder
 * @param {() => Promise<void>} main
 * @param {(work: string) => Promise<void>} inner
 * @param {(message: string) => never} die
 */
export function runAsProgram(self, recorder, main, inner, die) {
  if (!process.argv[1] || resolve(process.argv[1]) !== self) return;
  if (process.argv[2] === '--inner')
    inner(process.argv[3]).catch((e) => {
      process.stderr.write(`${recorder} (inner): ${e.stack ?? e}\n`);
      process.exit(1);
    });
  else main().catch((e) => die(e.stack ?? String(e)));
}

/**
 * prepareChroot - the chroot's copies of the files the resolver and the C library read (WORK's
 * sys/ versions of hosts, nsswitch.conf and resolv.conf), and the capture directory with its script.
 * @param {string} work
 */
export function prepareChroot(work) {
  mkdirSync('/var/spool/postfix/etc', { recursive: true });
  for (const f of ['hosts', 'nsswitch.conf', 'resolv.conf']) cpSync(join(work, 'sys', f), join('/var/spool/postfix/etc', f));
  for (const f of ['services', 'host.conf', 'localtime'])
    if (existsSync(`/etc/${f}`)) cpSync(`/etc/${f}`, join('/var/spool/postfix/etc', f), { dereference: true });
  mkdirSync(CAPTURE_DIR, { recursive: true });
  chmodSync(CAPTURE_DIR, 0o1777);
  writeFileSync(join(CAPTURE_DIR, 'capture.sh'), CAPTURE_SCRIPT, { mode: 0o755 });
}

/** @typedef {(argv: string[]) => SpawnSyncReturns<string>} Run */

/**
 * commandRunner - a function that runs argv (cwd /, environment `env`) to its end; it throws when the program cannot start.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Run}
 */
export function commandRunner(env) {
  return (argv) => {
    const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8', cwd: '/' });
    if (r.error) throw r.error;
    return r;
  };
}

/**
 * runBuilds - runs a group's build steps in order; what each printed and its status.
 * @param {{ command: string; argv: string[] }[]} build
 * @param {Run} run
 */
export function runBuilds(build, run) {
  return build.map((b) => {
    const r = run([b.command, ...b.argv]);
    return { argv: [b.command, ...b.argv], stdout: r.stdout, stderr: r.stderr, status: r.status };
  });
}

/**
 * readMaillog - maillog_file's complete lines (an incomplete last one is read next time), each
 * through `parse`; throws on a line `parse` does not know.
 * @template T
 * @param {BufferEncoding} encoding
 * @param {(raw: string) => T | null} parse
 * @returns {T[]}
 */
export function readMaillog(encoding, parse) {
  if (!existsSync(MAILLOG)) return [];
  const lines = readFileSync(MAILLOG, encoding).split('\n');
  lines.pop(); // an incomplete last line (or "") is read next time
  return lines.map((raw) => {
    const p = parse(raw);
    if (!p) throw new Error(`unexpected maillog line: ${raw}`);
    return p;
  });
}

/**
 * startPostfix - `postfix start`, then the log once master said "daemon started" (postfix start
 * returns once master listens, master -w; its log lines may trail a little) or after 2.5 s.
 * @template {{ process: string; text: string }} L
 * @param {Run} run
 * @param {() => L[]} readLog
 * @returns {Promise<{ start: SpawnSyncReturns<string>; log: L[] }>}
 */
export async function startPostfix(run, readLog) {
  const start = run(['postfix', 'start']);
  for (let t = 0; t < 50 && start.status === 0; t++) {
    if (readLog().some((l) => /\/master$/.test(l.process) && /daemon started/.test(l.text))) break;
    await sleep(50);
  }
  await sleep(100);
  return { start, log: readLog() };
}

/**
 * watchClose - calls `onClose` when the client connection `socket` closes; an error rejects
 * through `reject`, except the server's hanging up on us (ECONNRESET, EPIPE), which is an answer.
 * @param {Socket} socket
 * @param {() => void} onClose
 * @param {(e: Error) => void} reject
 */
export function watchClose(socket, onClose, reject) {
  socket.on('close', onClose);
  socket.on('error', (/** @type {NodeJS.ErrnoException} */ e) => {
    if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return;
    reject(e);
  });
}
