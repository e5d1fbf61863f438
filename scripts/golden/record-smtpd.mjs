#!/usr/bin/env node
/*
 * NAME
 *   record-smtpd - record golden SMTP sessions from real Postfix smtpd
 * SYNOPSIS
 *   node scripts/golden/record-smtpd.mjs [group...]
 *   npm run golden:record:smtpd [-- group...]
 * DESCRIPTION
 *   For each group under tests/golden/smtpd/ (see the README there): copy
 *   its configuration to a temporary directory, add Debian's package files
 *   and the recorder's own settings (maillog_file; master.cf services that
 *   would send mail elsewhere replaced by a capture), then, inside a private
 *   mount, network, UTS and PID namespace (unshare -m -n -u -p -f):
 *   bind-mount it over /etc/postfix (empty directories over the queue, data
 *   and mail directories; fixed passwd, group, hosts, nsswitch.conf and
 *   resolv.conf over the machine's), build the group's tables with real
 *   postmap/postalias, start a private DNS responder on 127.0.0.1:53 that
 *   knows only the group's `dns` records and policy servers that answer
 *   from the group's `facts` file, start the whole Postfix, play
 *   every session one command at a time, wait until the queue has settled,
 *   and collect replies, log lines, queue state and captured deliveries.
 *   When the namespace's first process exits, the kernel ends every Postfix
 *   process in it; nothing outside is touched.
 *
 *   Writes tests/golden/smtpd/<group>/expected.json. Needs root, util-linux
 *   unshare, iproute2 or perl, and Postfix 3.7 (Debian packages postfix,
 *   postfix-pcre, postfix-lmdb, postfix-cdb, postfix-sqlite). Deterministic:
 *   the same groups and Postfix give byte-identical output.
 *
 *   Internally the same file runs inside the namespace with --inner WORK.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDnsResponder } from './dns-responder.mjs';
import { startMilterResponders } from './milter-responder.mjs';
import { listenAddress, startPolicyResponders } from './policy-responder.mjs';
import {
  NON_CONFIG_FILES,
  isBdatCommand,
  isDataCommand,
  nextUnit,
  normaliseHeader,
  normaliseLogText,
  parseBuildFile,
  parseDnsFile,
  parseLogLine,
  parseMilterFacts,
  parsePolicyFacts,
  parseSession,
  replyCode,
} from './smtpd-format.mjs';
import { daemonInner, daemonNamespaceScript, dieWith, loadWantedGroups, readLines, recordGroups } from './namespace.mjs';
import {
  CAPTURE_DIR,
  MAILLOG,
  checkDaemonEnvironment,
  commandRunner,
  prepareChroot,
  readMaillog,
  runBuilds,
  startPostfix,
  runAsProgram,
  smtpNames,
  watchClose,
} from './daemon-recorder.mjs';

/** @import { BuildStep, DnsRecord, MilterFactLine, PolicyFactLine, SmtpSession, SmtpdExpected, SmtpdSessionRecord } from './smtpd-format.mjs' */
/** @import { SeenQuery } from './dns-responder.mjs' */
/** @import { MilterEvent } from './milter-responder.mjs' */
/** @import { PolicyRequest } from './policy-responder.mjs' */

/**
 * A session of a group; `port` is the service's (record-scenarios), else 25.
 * @typedef {SmtpSession & { name: string; port?: number }} GroupSession
 */
/**
 * A group as loadGroup reads it (record-scenarios makes them too).
 * @typedef {object} SmtpdGroup
 * @property {string} name
 * @property {string} dir
 * @property {string} main
 * @property {Pick<BuildStep, 'command' | 'argv'>[]} build (record-scenarios' steps have no line)
 * @property {DnsRecord[]} dns
 * @property {PolicyFactLine[]} policy
 * @property {MilterFactLine[]} [milters]
 * @property {GroupSession[]} sessions
 */
/** @typedef {{ process: string; text: string }} LogLine */
/**
 * One session as converse played it.
 * @typedef {{ commands: string[][]; replies: string[][]; closedByServer: boolean; noServer: boolean; unsent: number }} Talk
 */
/** @typedef {{ name: string; skipped: true }} SkippedSession */
/**
 * A played session: its window of log lines [from, to) and what the responders saw meanwhile.
 * @typedef {Talk & { name: string; skipped?: undefined; from: number; to: number; dns: SeenQuery[]; policy: PolicyRequest[]; milter: MilterEvent[] }} PlayedSession
 */
/**
 * A delivery the capture service stored.
 * @typedef {{ service: string; nexthop: string; sender: string; recipients: { original: string | null; recipient: string }[]; headers: string[] }} Capture
 */

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const GOLDEN = join(ROOT, 'tests/golden/smtpd');
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
const HOSTNAME = 'host.example.com';
const MARKER = '@@record-smtpd: namespace ready@@';
/** Groups recorded at the same time (each is mostly waiting on sockets). */
const CONCURRENCY = 3;
/** Files Debian's package keeps in /etc/postfix that Postfix itself needs (not configuration). */
export const PACKAGE_FILES = ['dynamicmaps.cf', 'dynamicmaps.cf.d', 'postfix-files', 'postfix-files.d', 'postfix-script', 'post-install', 'makedefs.out'];
export const DEBIAN_MASTER_CF = '/usr/share/postfix/master.cf.dist';
/** master.cf commands whose deliveries are captured instead of performed. */
const CAPTURED_COMMANDS = ['smtp', 'lmtp', 'virtual', 'pipe'];
/** Accounts the namespace's /etc/passwd and /etc/group keep from the machine (names only: ids differ per machine). */
export const USERS = ['root', 'daemon', 'bin', 'sys', 'nobody', 'postfix'];
export const GROUPS = ['root', 'daemon', 'bin', 'sys', 'mail', 'nogroup', 'postfix', 'postdrop'];
/**
 * The recorder's client port for session i is CLIENT_PORT_BASE + i: smtpd logs it
 * (smtpd_client_port_logging) and sends it to policy servers. Below the kernel's
 * ephemeral range, and each group has its own network namespace: never in use.
 */
const CLIENT_PORT_BASE = 20000;
const REPLY_TIMEOUT_MS = 20000;
const DISCONNECT_WAIT_MS = 10000;
const SETTLE_TIMEOUT_MS = 20000;
/** How long after an smtpd fatal error a missing reply counts as "no server". */
const DIED_GRACE_MS = 1500;

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('record-smtpd');

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/* ------------------------------------------------------------------ */
/* Outside the namespace: checks, preparation, orchestration.          */
/* ------------------------------------------------------------------ */

/** checkEnvironment - dies unless the machine can record smtpd groups; returns Postfix's version. */
export function checkEnvironment() {
  return checkDaemonEnvironment(
    ENV,
    ['postfix', 'postconf', 'postmap', 'postalias', 'postqueue', 'unshare', 'mount', 'hostname'],
    [DEBIAN_MASTER_CF, '/usr/lib/postfix/sbin/smtpd', ...PACKAGE_FILES.filter((f) => !f.endsWith('.d')).map((f) => join('/etc/postfix', f))],
    die,
  );
}

/**
 * masterEntries - master.cf as [{ lines: string[], fields: string[] | null }] (null: comment/blank).
 * @param {string} text
 * @returns {{ lines: string[]; fields: string[] | null }[]}
 */
function masterEntries(text) {
  /** @type {{ lines: string[]; fields: string[] | null }[]} */
  const entries = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (/^\s/.test(line) && !/^\s*(#|$)/.test(line) && entries.length && entries[entries.length - 1].fields) {
      entries[entries.length - 1].lines.push(line);
      continue;
    }
    entries.push({ lines: [line], fields: /^(#|\s*$)/.test(line) ? null : line.trim().split(/\s+/) });
  }
  return entries;
}

/**
 * recorderMasterCf - the group's master.cf (or Debian's) with the recorder's
 * changes: every unix service running smtp, lmtp, virtual or pipe becomes a
 * capture (pipe to a script that stores arguments and message), local and
 * the capture get maxproc 1 (a fixed order of delivery log lines), and a
 * postlog service is added when missing (maillog_file needs it).
 * @param {string} text
 * @returns {string}
 */
export function recorderMasterCf(text) {
  /** @type {string[]} */
  const out = [];
  let postlog = false;
  for (const e of masterEntries(text)) {
    const f = e.fields;
    if (!f || f.length < 8) {
      out.push(...e.lines);
      continue;
    }
    const [name, type] = f;
    const command = f[7];
    if (type === 'unix-dgram' && command === 'postlogd') postlog = true;
    if (type === 'unix' && CAPTURED_COMMANDS.includes(command)) {
      out.push(`# record-smtpd: ${name} (${command}) captured`);
      out.push(`${name} unix - n n - 1 pipe`);
      out.push(
        `  null_sender= user=nobody argv=/bin/sh ${CAPTURE_DIR}/capture.sh ${name} n=\${nexthop} \${queue_id} s=\${sender} o=\${original_recipient} r=\${recipient}`,
      );
      continue;
    }
    if (type === 'unix' && command === 'local') {
      out.push(`# record-smtpd: maxproc 1`);
      out.push(e.lines[0].replace(/^(\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+)\S+/, '$11'), ...e.lines.slice(1));
      continue;
    }
    out.push(...e.lines);
  }
  if (!postlog) out.push('# record-smtpd: maillog_file needs postlogd', 'postlog unix-dgram n - n - 1 postlogd');
  return out.join('\n') + '\n';
}

/**
 * accountLines - the machine's lines of /etc/passwd or /etc/group for `names`, in `names` order.
 * @param {string} file
 * @param {string[]} names
 * @returns {string}
 */
export function accountLines(file, names) {
  const lines = readFileSync(file, 'utf8').split('\n');
  return (
    names
      .map((n) => {
        const l = lines.find((x) => x.startsWith(`${n}:`));
        if (!l) die(`${file} has no entry ${n}`);
        return l;
      })
      .join('\n') + '\n'
  );
}

/**
 * checkMainCf - throws unless main.cf sets what the recorder needs set (and `required`) and leaves alone what it owns.
 * @param {string} main
 * @param {readonly string[]} [required]
 */
export function checkMainCf(main, required = []) {
  for (const p of ['compatibility_level', 'myhostname', 'mydomain', 'smtpd_banner', 'inet_interfaces', 'alias_maps', ...required])
    if (!new RegExp(`^${p}\\s*=`, 'm').test(main)) throw new Error(`main.cf must set ${p} explicitly (see README)`);
  for (const p of ['maillog_file', 'queue_directory', 'config_directory', 'data_directory'])
    if (new RegExp(`^${p}\\s*=`, 'm').test(main)) throw new Error(`main.cf must not set ${p} (the recorder owns it)`);
}

/**
 * loadMainCf - a group's main.cf, which must be there and pass checkMainCf (with `required`).
 * @param {string} dir
 * @param {readonly string[]} [required]
 * @returns {string}
 */
export function loadMainCf(dir, required) {
  const mainCf = join(dir, 'main.cf');
  if (!existsSync(mainCf)) throw new Error('no main.cf (it must always be explicit)');
  const main = readFileSync(mainCf, 'utf8');
  checkMainCf(main, required);
  return main;
}

/**
 * loadGroup - parse every file of a group up front; throws on any format error.
 * @param {string} name
 * @returns {SmtpdGroup}
 */
function loadGroup(name) {
  const dir = join(GOLDEN, name);
  const main = loadMainCf(dir);
  const build = existsSync(join(dir, 'build')) ? parseBuildFile(readFileSync(join(dir, 'build'), 'utf8'), `${name}/build`) : [];
  const dns = existsSync(join(dir, 'dns')) ? parseDnsFile(readFileSync(join(dir, 'dns'), 'utf8'), `${name}/dns`) : [];
  const policy = existsSync(join(dir, 'facts')) ? parsePolicyFacts(readFileSync(join(dir, 'facts'), 'utf8'), `${name}/facts`) : [];
  for (const f of policy)
    if (!listenAddress(f.server)) throw new Error(`${name}/facts:${f.line}: the recorder serves only inet:127.x.x.x:PORT policy servers: ${f.server}`);
  const milters = existsSync(join(dir, 'facts')) ? parseMilterFacts(readFileSync(join(dir, 'facts'), 'utf8'), `${name}/facts`) : [];
  for (const f of milters)
    if (!listenAddress(f.server)) throw new Error(`${name}/facts:${f.line}: the recorder serves only inet:127.x.x.x:PORT milters: ${f.server}`);
  const sessionDir = join(dir, 'sessions');
  const names = smtpNames(dir, 'sessions');
  const sessions = names.map((s) => {
    const where = `${name}/sessions/${s}.smtp`;
    // Bytes as they are in the file (latin1 keeps each byte one character): sent unchanged.
    const parsed = parseSession(readFileSync(join(sessionDir, `${s}.smtp`), 'latin1'), where);
    if (parsed.lines.some(isBdatCommand)) throw new Error(`${where}: BDAT is not supported by the format`);
    return { name: s, ...parsed };
  });
  return { name, dir, main, build, dns, policy, milters, sessions };
}

/**
 * prepareDaemonTree - the temporary tree a daemon recorder's namespace mounts: etc/ (the
 * group's configuration without `nonConfig` files, Debian's package files, main.cf with the
 * recorder's maillog_file, `masterCf`, all back-dated), spool/, lib/, mail/ and sys/ (the fixed
 * accounts and resolver files, and group.json for the inner half); returns its path.
 * @param {{ name: string; dir: string; main: string }} group
 * @param {string} base
 * @param {{ recorder: string; nonConfig: readonly string[]; masterCf: string; groupJson: unknown }} how
 * @returns {string}
 */
export function prepareDaemonTree(group, base, { recorder, nonConfig, masterCf, groupJson }) {
  const work = join(base, group.name);
  const etc = join(work, 'etc');
  mkdirSync(etc, { recursive: true });
  for (const f of readdirSync(group.dir)) if (!nonConfig.includes(f)) cpSync(join(group.dir, f), join(etc, f), { recursive: true });
  for (const f of PACKAGE_FILES) if (existsSync(join('/etc/postfix', f))) cpSync(join('/etc/postfix', f), join(etc, f), { recursive: true });
  writeFileSync(
    join(etc, 'main.cf'),
    group.main.replace(/\n?$/, '\n') + `\n# --- added by ${recorder}; not part of the group ---\nmaillog_file = ${MAILLOG}\n`,
  );
  writeFileSync(join(etc, 'master.cf'), recorderMasterCf(masterCf));
  // Postfix re-reads a young main.cf and warns about young tables: back-date the configuration.
  const touch = spawnSync('find', [etc, '-exec', 'touch', '-h', '-d', '2000-01-01T00:00:00Z', '{}', '+'], { env: ENV, encoding: 'utf8' });
  if (touch.status !== 0) throw new Error(`touch failed: ${touch.stderr}`);

  for (const d of ['spool', 'lib', 'mail', 'sys']) mkdirSync(join(work, d), { recursive: true });
  chmodSync(join(work, 'spool'), 0o755);
  chmodSync(join(work, 'lib'), 0o755);
  const [, , postfixUid, postfixGid] = accountLines('/etc/passwd', ['postfix']).split(':').map(Number);
  chownSync(join(work, 'lib'), postfixUid, postfixGid);
  const mailGid = Number(accountLines('/etc/group', ['mail']).split(':')[2]);
  chownSync(join(work, 'mail'), 0, mailGid);
  chmodSync(join(work, 'mail'), 0o2775);
  const sys = join(work, 'sys');
  writeFileSync(join(sys, 'passwd'), accountLines('/etc/passwd', USERS));
  writeFileSync(join(sys, 'group'), accountLines('/etc/group', GROUPS));
  writeFileSync(join(sys, 'hosts'), `127.0.0.1\tlocalhost\n::1\tlocalhost\n`);
  writeFileSync(join(sys, 'nsswitch.conf'), 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nservices: files\n');
  // One quick try: a TIMEOUT record costs one second, not Postfix's usual minutes.
  writeFileSync(join(sys, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  writeFileSync(join(sys, 'aliases'), `# ${recorder}: groups set alias_maps explicitly\n`);
  writeFileSync(join(sys, 'mailname'), `${HOSTNAME}\n`);
  writeFileSync(join(sys, 'group.json'), JSON.stringify(groupJson));
  return work;
}

/**
 * prepareWork - the temporary tree of one smtpd group; returns its path.
 * @param {SmtpdGroup} group
 * @param {string} base
 * @returns {string}
 */
export function prepareWork(group, base) {
  const master = existsSync(join(group.dir, 'master.cf')) ? readFileSync(join(group.dir, 'master.cf'), 'utf8') : readFileSync(DEBIAN_MASTER_CF, 'utf8');
  return prepareDaemonTree(group, base, {
    recorder: 'record-smtpd',
    nonConfig: NON_CONFIG_FILES,
    masterCf: master,
    groupJson: { build: group.build, dns: group.dns, policy: group.policy, milters: group.milters ?? [], sessions: group.sessions },
  });
}

/*
 * The shell that runs as the namespace's first process: host name, lo,
 * mounts, then the recorder's inner half (which ends everything by exiting).
 */
const NAMESPACE_SCRIPT = daemonNamespaceScript(HOSTNAME, MARKER);

async function main() {
  const started = Date.now();
  const version = checkEnvironment();
  const groups = loadWantedGroups(GOLDEN, process.argv.slice(2), loadGroup, die);
  await recordGroups(groups, {
    recorder: 'record-smtpd',
    version,
    started,
    concurrency: CONCURRENCY,
    // RECORD_SMTPD_KEEP=1 keeps the temporary tree (raw maillog in <group>/lib/maillog) for debugging.
    workDir: { prefix: 'golden-smtpd-', keep: 'RECORD_SMTPD_KEEP' },
    unit: 'sessions',
    name: (group) => group.name,
    expected: (group) => join(group.dir, 'expected.json'),
    // what inner() writes
    record: async (group, base) =>
      /** @type {Omit<SmtpdExpected, 'postfix'>} */ (await daemonInner(NAMESPACE_SCRIPT, MARKER, prepareWork(group, base), SELF, ENV)),
    report: (group) => ({ count: group.sessions.length, note: `${group.sessions.length} sessions` }),
    die,
  });
}

/* ------------------------------------------------------------------ */
/* Inside the namespace.                                               */
/* ------------------------------------------------------------------ */

const run = commandRunner(ENV);

/** @returns {LogLine[]} */
const readLog = () => readMaillog('utf8', parseLogLine);

/** leadingQueueId - the queue id a log text starts with ("3F2A1B: ...", also "warning: 3F2A1B: ..."), or null. */
const leadingQueueId = (/** @type {string} */ text) => /^(?:(?:warning|error|fatal|panic): )?([0-9A-F]{6,}): /.exec(text)?.[1] ?? null;
const isSmtpdProcess = (/** @type {string} */ process) => /\/smtpd$/.test(process);
/**
 * smtpdGone - the log line says an smtpd process died: its own fatal or panic
 * line, or master's word that it was killed by a signal (a crash logs nothing
 * itself, e.g. a restriction class that refers to itself overflows the stack).
 */
const smtpdGone = (/** @type {LogLine} */ l) =>
  (isSmtpdProcess(l.process) && /^(fatal|panic): /.test(l.text)) ||
  (/\/master$/.test(l.process) && /^warning: process \S*\/smtpd pid \d+ killed by signal /.test(l.text));

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/**
 * asText - bytes held as latin1 characters, as text: UTF-8 when they are valid UTF-8, else as they are.
 * @param {string} bytes
 * @returns {string}
 */
function asText(bytes) {
  try {
    return UTF8.decode(Buffer.from(bytes, 'latin1'));
  } catch {
    return bytes;
  }
}

/**
 * converse - plays one session from localPort; resolves { commands, replies, closed, unsent }.
 * Sessions of a group connect to port 25; record-scenarios sets `port` for other services (submission).
 * @param {GroupSession} session
 * @param {number} localPort
 * @param {() => boolean} smtpdDied
 * @returns {Promise<Talk>}
 */
function converse(session, localPort, smtpdDied) {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: '127.0.0.1', port: session.port ?? 25, localAddress: session.client, localPort });
    /** @type {string[]} */
    let current = [];
    /** @type {(() => void) | null} */
    let waiter = null;
    let closed = false;
    /** @type {string[][]} */
    const replies = [];
    /** @type {string[][]} */
    const commands = [];
    const deliver = () => {
      if (waiter) {
        const w = waiter;
        waiter = null;
        w();
      }
    };
    readLines(socket, (line) => {
      current.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        replies.push(current);
        current = [];
        deliver();
      }
    });
    watchClose(
      socket,
      () => {
        closed = true;
        deliver();
      },
      reject,
    );
    // Waits for the next complete reply. When smtpd has died (a fatal error in the log), master
    // keeps the connection open without a server behind it: give up after a short grace period.
    let gaveUp = false;
    /** @type {() => Promise<void>} */
    const nextReply = () =>
      new Promise((r, fail) => {
        const have = () => replies.length > commands.length || closed;
        if (have()) return r();
        /** @type {number | null} */
        let diedAt = null;
        const poll = setInterval(() => {
          if (diedAt === null && smtpdDied()) diedAt = Date.now();
          if (diedAt !== null && Date.now() - diedAt > DIED_GRACE_MS) {
            gaveUp = true;
            done();
          }
        }, 100);
        const timer = setTimeout(() => {
          clearInterval(poll);
          fail(new Error(`${session.name}: no reply within ${REPLY_TIMEOUT_MS} ms`));
        }, REPLY_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          clearInterval(poll);
          waiter = null;
          r();
        };
        waiter = done;
      });
    (async () => {
      await nextReply(); // the banner
      if (replies.length === 0) {
        replies.push(current);
        current = [];
      }
      let i = 0;
      let data354 = false;
      const lines = session.lines;
      if (session.pipelined) {
        // Everything at once, as a pipelining client would; then every reply until smtpd hangs up.
        commands.push(...lines.map((l) => [l]));
        socket.write(Buffer.from(lines.map((l) => l + '\r\n').join(''), 'latin1'));
        i = lines.length;
        // There are fewer replies than lines (message lines get none): this waits for the close after QUIT.
        await nextReply();
      }
      while (i < lines.length && !closed && !gaveUp) {
        const unit = nextUnit(lines, i, data354);
        /** @type {boolean} */
        const wasData = !data354 && isDataCommand(lines[i]);
        i = unit.next;
        commands.push(unit.send);
        socket.write(Buffer.from(unit.send.map((l) => l + '\r\n').join(''), 'latin1'));
        await nextReply();
        if (replies.length < commands.length + 1) {
          // The server closed the connection before a complete reply.
          replies.push(current);
          current = [];
        }
        data354 = wasData && replyCode(replies[replies.length - 1]) === 354;
        // After 221 or 421 smtpd closes the connection; do not race it with the next line.
        const code = replyCode(replies[replies.length - 1]);
        if ((code === 221 || code === 421) && !closed) {
          await Promise.race([new Promise((r) => socket.once('close', r)), sleep(REPLY_TIMEOUT_MS)]);
          if (!closed) throw new Error(`${session.name}: smtpd did not close the connection after ${code}`);
        }
      }
      const unsent = lines.length - i;
      const serverClosed = closed;
      if (!closed) {
        if (gaveUp) socket.destroy();
        else socket.end();
        await /** @type {Promise<void>} */ (new Promise((r) => (closed ? r() : socket.once('close', r))));
      }
      resolvePromise({
        commands: commands.map((unit) => unit.map(asText)),
        replies: replies.map((reply) => reply.map(asText)),
        closedByServer: serverClosed,
        noServer: gaveUp,
        unsent,
      });
    })().catch(reject);
  });
}

/** @returns {() => boolean} */
function settleQueue() {
  const busy = () =>
    ['incoming', 'active', 'maildrop'].some((q) => {
      const d = join('/var/spool/postfix', q);
      if (!existsSync(d)) return false;
      const stack = [d];
      while (stack.length) {
        const x = /** @type {string} */ (stack.pop()); // stack is not empty
        for (const e of readdirSync(x, { withFileTypes: true })) {
          if (e.isDirectory()) stack.push(join(x, e.name));
          else return true;
        }
      }
      return false;
    });
  return busy;
}

/**
 * orderQueueLines - one queue id's lines in an order that does not depend on
 * timing: cleanup, qmgr's from= line, then the delivery agents' lines sorted by
 * process name and relay= (agents for different transports run in parallel),
 * then by their text without delays (one transport's deliveries run in
 * parallel too), then the rest of qmgr (removed, expired...).
 * @param {LogLine[]} lines
 * @returns {LogLine[]}
 */
function orderQueueLines(lines) {
  const rank = (/** @type {LogLine} */ l) => {
    if (/\/cleanup$/.test(l.process)) return 0;
    if (/\/qmgr$/.test(l.process)) return / from=</.test(l.text) ? 1 : 3;
    return 2;
  };
  const agent = (/** @type {LogLine} */ l) => `${l.process} ${/\brelay=([^,]*)/.exec(l.text)?.[1] ?? ''}`;
  // One transport's deliveries of one message also run in parallel (local: one recipient each).
  const untimed = (/** @type {LogLine} */ l) => l.text.replace(/, delays?=[\d./]+/g, '');
  const cmp = (/** @type {string} */ x, /** @type {string} */ y) => (x < y ? -1 : x > y ? 1 : 0);
  return lines
    .map((l, i) => ({ l, i }))
    .sort((a, b) => rank(a.l) - rank(b.l) || (rank(a.l) === 2 ? cmp(agent(a.l), agent(b.l)) || cmp(untimed(a.l), untimed(b.l)) : 0) || a.i - b.i)
    .map((x) => x.l);
}

/** Policy request attributes that vary from run to run (instance: smtpd's per-message id). */
const VOLATILE_POLICY_ATTRS = ['instance'];

/**
 * policyRecord - one policy request as recorded: server, the attributes smtpd
 * sent (non-empty, stable ones; queue_id as its label), answer.
 * @param {PolicyRequest} q
 * @param {(id: string) => string | undefined} label
 */
function policyRecord(q, label) {
  const attrs = Object.fromEntries(q.attrs.filter(([k, v]) => v !== '' && !VOLATILE_POLICY_ATTRS.includes(k)).map(([k, v]) => [k, normaliseLogText(v, label)]));
  return { server: q.server, request: attrs, action: q.action };
}

/** @returns {Map<string, Capture[]>} */
function readCaptures() {
  /** @type {Map<string, Capture[]>} */
  const byId = new Map();
  if (!existsSync(CAPTURE_DIR)) return byId;
  for (const f of readdirSync(CAPTURE_DIR)
    .filter((x) => x.endsWith('.msg'))
    .sort()) {
    const text = readFileSync(join(CAPTURE_DIR, f), 'latin1');
    const end = text.indexOf('END\n');
    const args = text
      .slice(0, end)
      .split('\n')
      .filter(Boolean)
      .map((a) => asText(a.replace(/^ARG /, '')));
    const message = text.slice(end + 4);
    const headerEnd = message.search(/\r?\n\r?\n/);
    const headerText = headerEnd < 0 ? message : message.slice(0, headerEnd);
    // Unfold nothing: each physical header line is kept (continuations start with white space).
    const headers = headerText
      .split(/\r?\n/)
      .filter((l) => l !== '')
      .map(asText);
    const [service, nexthop, queueId, sender] = args;
    const originals = args.filter((a) => a.startsWith('o=')).map((a) => a.slice(2));
    const recipients = args.filter((a) => a.startsWith('r=')).map((a) => a.slice(2));
    const d = {
      service,
      nexthop: nexthop.replace(/^n=/, ''),
      sender: sender.replace(/^s=/, ''),
      recipients: recipients.map((r, i) => ({ original: originals[i] ?? null, recipient: r })),
      headers,
    };
    let list = byId.get(queueId);
    if (!list) byId.set(queueId, (list = []));
    list.push(d);
  }
  // Deliveries of one message run in parallel: order them by what they are, not by when.
  const key = (/** @type {Capture} */ d) => JSON.stringify([d.service, d.nexthop, d.recipients]);
  for (const list of byId.values()) list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return byId;
}

/** @param {string} work */
async function inner(work) {
  /** @type {{ build: Pick<BuildStep, 'command' | 'argv'>[]; dns: DnsRecord[]; policy: PolicyFactLine[]; milters: MilterFactLine[]; sessions: GroupSession[] }} */
  const { build, dns, policy, milters, sessions } = JSON.parse(readFileSync(join(work, 'sys', 'group.json'), 'utf8'));
  prepareChroot(work);
  const builds = runBuilds(build, run);
  const dnsServer = await startDnsResponder(dns, { address: '127.0.0.1', port: 53 });
  const policyServer = await startPolicyResponders(policy);
  const milterServer = await startMilterResponders(milters);

  const started = await startPostfix(run, readLog);
  const { start } = started;
  const startup = {
    status: start.status,
    stderr: start.stderr.split('\n').filter(Boolean),
  };
  const ready = start.status === 0;
  let log = started.log;
  const probeEnd = log.length;
  const disconnects = (/** @type {LogLine[]} */ lines) => lines.filter((l) => isSmtpdProcess(l.process) && /^disconnect from /.test(l.text)).length;

  /** @type {(SkippedSession | PlayedSession)[]} */
  const results = [];
  let expectedDisconnects = disconnects(log);
  for (const session of sessions) {
    if (!ready) {
      results.push({ name: session.name, skipped: true });
      continue;
    }
    const from = readLog().length;
    const dnsFrom = dnsServer.queries.length;
    const policyFrom = policyServer.requests.length;
    const milterFrom = milterServer.events.length;
    const talk = await converse(session, CLIENT_PORT_BASE + sessions.indexOf(session), () => readLog().slice(from).some(smtpdGone));
    if (talk.noServer && session !== sessions[sessions.length - 1])
      throw new Error(`${session.name}: smtpd died (fatal error); master now throttles new connections, so such a session must be its group's last`);
    expectedDisconnects++;
    const deadline = Date.now() + DISCONNECT_WAIT_MS;
    let lines;
    for (;;) {
      lines = readLog();
      // noServer: smtpd died before its banner and the recorder already waited out the grace period.
      if (disconnects(lines) >= expectedDisconnects || Date.now() > deadline || talk.noServer) break;
      // master reports an smtpd that ended abnormally after it ended: nothing more comes from it.
      if (lines.slice(from).some((l) => /\/master$/.test(l.process) && /^warning: process \S*\/smtpd pid \d+ (exit status|killed by signal) /.test(l.text)))
        break;
      await sleep(25);
    }
    if (disconnects(lines) < expectedDisconnects) {
      // Without that line the next session's window would catch this one's late lines.
      const died = lines.slice(from).some(smtpdGone);
      if (!died) throw new Error(`${session.name}: no "disconnect from" line within ${DISCONNECT_WAIT_MS} ms`);
      expectedDisconnects = disconnects(lines); // smtpd died
    }
    // smtpd died after its banner (e.g. at XCLIENT or EHLO): master throttles the service all the same.
    if (
      session !== sessions[sessions.length - 1] &&
      lines.slice(from).some((l) => /\/master$/.test(l.process) && /bad command startup -- throttling/.test(l.text))
    )
      throw new Error(`${session.name}: smtpd died and master throttles new connections, so such a session must be its group's last`);
    await sleep(50);
    const to = readLog().length;
    results.push({
      name: session.name,
      from,
      to,
      dns: dnsServer.queries.slice(dnsFrom),
      policy: policyServer.requests.slice(policyFrom),
      milter: milterServer.events.slice(milterFrom),
      ...talk,
    });
  }

  // Let the queue settle: nothing in incoming/active/maildrop, then a moment for the last log lines.
  const busy = settleQueue();
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (busy() && Date.now() < deadline) await sleep(100);
  if (busy()) throw new Error('queue did not settle');
  await sleep(400);
  log = readLog();
  const queue = run(['postqueue', '-j']);
  /** @type {Map<string, { queue_name: string; sender: string; recipients: { address: string; delay_reason?: string }[] }>} */
  const queued = new Map();
  for (const line of queue.stdout.split('\n').filter(Boolean)) {
    const m = JSON.parse(line);
    queued.set(m.queue_id, m);
  }
  const captures = readCaptures();

  // Attribution. A session owns the lines its smtpd (and master, about smtpd) logged in its
  // window, the queue ids its smtpd logged, the ids those lead to ("notification: ID"), and ids
  // first seen in its window that no session claimed that way (e.g. smtpd's notice to postmaster).
  /** @type {Set<number>} */
  const attributed = new Set();
  /** @type {Record<string, SmtpdSessionRecord | { skipped: string }>} */
  const sessionsOut = {};
  /** @type {Map<string, number>} */
  const owner = new Map(); // queue id -> result index
  /** @type {Map<string, number>} */
  const firstSeen = new Map(); // queue id -> log index
  log.forEach((l, k) => {
    const id = leadingQueueId(l.text);
    if (id !== null && !firstSeen.has(id)) firstSeen.set(id, k);
  });
  /** @type {string[][]} */
  const claims = results.map(() => []);
  const claim = (/** @type {number} */ i, /** @type {string} */ id) => {
    if (owner.has(id)) return;
    owner.set(id, i);
    claims[i].push(id);
  };
  const ownLines = results.map((r, i) => {
    if (r.skipped) return [];
    /** @type {LogLine[]} */
    const own = [];
    for (let k = r.from; k < r.to; k++) {
      const l = log[k];
      if (!isSmtpdProcess(l.process) && !/\/master$/.test(l.process)) continue;
      own.push(l);
      attributed.add(k);
      const id = leadingQueueId(l.text);
      if (id !== null) claim(i, id);
    }
    return own;
  });
  const follow = (/** @type {number} */ i) => {
    for (let n = 0; n < claims[i].length; n++)
      for (const l of log) if (leadingQueueId(l.text) === claims[i][n]) for (const m of l.text.matchAll(/notification: ([0-9A-F]{6,})\b/g)) claim(i, m[1]);
  };
  results.forEach((r, i) => follow(i));
  results.forEach((r, i) => {
    if (r.skipped) return;
    for (const [id, k] of firstSeen) if (k >= r.from && k < r.to) claim(i, id);
    follow(i);
  });
  for (const [i, r] of results.entries()) {
    if (r.skipped) {
      sessionsOut[r.name] = { skipped: 'Postfix did not start' };
      continue;
    }
    const own = ownLines[i];
    const ids = claims[i];
    /** @type {Map<string, LogLine[]>} */
    const queueLines = new Map();
    for (const id of ids) {
      /** @type {LogLine[]} */
      const mine = [];
      log.forEach((l, k) => {
        if (leadingQueueId(l.text) !== id || attributed.has(k)) return;
        mine.push(l);
        attributed.add(k);
      });
      queueLines.set(id, orderQueueLines(mine));
    }
    // Labels in order of first appearance in the normalised log.
    /** @type {Map<string, string>} */
    const labels = new Map();
    /** @type {(id: string) => string | undefined} */
    const label = (id) => (ids.includes(id) ? (labels.has(id) ? labels.get(id) : (labels.set(id, `Q${labels.size + 1}`), labels.get(id))) : undefined);
    // size= counts the queue id where it appears in the message (Received:, a Message-Id Postfix made),
    // and its length varies with the queue file's inode number: count it as its label instead.
    // Messages that smtpd did not receive (bounces) carry it in more places: their size is left out.
    const received = new Set(own.map((l) => leadingQueueId(l.text)).filter(Boolean));
    const sizeOf = (/** @type {string} */ id, /** @type {string} */ size) => {
      if (!received.has(id)) return 'N';
      const made = (queueLines.get(id) ?? []).some(
        (l) => /\/cleanup$/.test(l.process) && l.text.includes(`message-id=<`) && new RegExp(`\\.${id}@`).test(l.text),
      );
      // id is one of ids: it has a label.
      return String(Number(size) - (made ? 2 : 1) * (id.length - /** @type {string} */ (label(id)).length));
    };
    const fmt = (/** @type {LogLine} */ l) => {
      const id = leadingQueueId(l.text);
      const text = id && /\/qmgr$/.test(l.process) ? l.text.replace(/\bsize=(\d+)/, (_, n) => `size=${sizeOf(id, n)}`) : l.text;
      return `${l.process}: ${normaliseLogText(text, label)}`;
    };
    const logOut = [...own.map(fmt), ...ids.flatMap((id) => /** @type {LogLine[]} */ (queueLines.get(id)).map(fmt))];
    for (const id of ids) label(id);
    const mail = ids.map((id) => {
      const q = queued.get(id);
      return {
        id: /** @type {string} */ (label(id)),
        queue: q
          ? {
              name: q.queue_name,
              sender: q.sender,
              recipients: q.recipients.map((x) => ({ address: x.address, ...(x.delay_reason ? { reason: normaliseLogText(x.delay_reason, label) } : {}) })),
            }
          : null,
        deliveries: (captures.get(id) ?? []).map((d) => ({ ...d, headers: d.headers.map((h) => normaliseHeader(h, label)) })),
      };
    });
    const replies = r.replies.map((reply) => reply.map((line) => normaliseLogText(line, label)));
    const dnsSeen = [...new Set(r.dns.map((q) => `${q.name} ${q.type}`))].sort();
    sessionsOut[r.name] = {
      commands: r.commands,
      replies,
      ...(r.noServer ? { noServer: true } : {}),
      ...(r.unsent ? { unsent: r.unsent } : {}),
      log: logOut,
      mail,
      dns: dnsSeen,
      // Only groups with policy servers have this (older recordings stay as they were).
      ...(policy.length ? { policy: r.policy.map((q) => policyRecord(q, label)) } : {}),
      ...(milters.length ? { milter: r.milter } : {}),
    };
  }
  const important = (/** @type {LogLine} */ l) => /^(warning|error|fatal|panic): /.test(l.text);
  // cleanup's clock-skew warnings depend on the machine's clocks, not on the configuration: dropped.
  const clockNoise = (/** @type {LogLine} */ l) => /^warning: (file system clock is .* local clock|resetting file time stamps)/.test(l.text);
  const startupLines = log.slice(0, probeEnd).filter((l) => !clockNoise(l) && (important(l) || !isSmtpdProcess(l.process)));
  // Problems no session owns (e.g. local(8) about a notice to postmaster), sorted: their timing varies.
  const other = log
    .filter((l, k) => k >= probeEnd && !attributed.has(k) && important(l) && !clockNoise(l))
    .map((l) => `${l.process}: ${normaliseLogText(l.text)}`)
    .sort();
  const output = {
    builds,
    startup: {
      status: startup.status,
      stderr: startup.stderr,
      log: startupLines
        .filter((l) => important(l) || /\/(master|postfix-script|postfix)$/.test(l.process))
        .map((l) => `${l.process}: ${normaliseLogText(l.text)}`),
    },
    sessions: sessionsOut,
    other,
  };
  process.stdout.write(JSON.stringify(output));
  await dnsServer.close();
  await policyServer.close();
  await milterServer.close();
  process.exit(0);
}

runAsProgram(SELF, 'record-smtpd', main, inner, die);
