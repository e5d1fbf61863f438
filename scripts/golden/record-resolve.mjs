#!/usr/bin/env node
/*
 * NAME
 *   record-resolve - record golden address resolution from real Postfix
 * SYNOPSIS
 *   node scripts/golden/record-resolve.mjs [group...]
 *   npm run golden:record:resolve [-- group...]
 * DESCRIPTION
 *   Each group under tests/golden/resolve/ stands for /etc/postfix (see the
 *   README there). For every group the recorder builds a temporary tree
 *   (configuration, queue, data, mail spool, log, home directories and a
 *   passwd file), then runs itself again (`--inner`) inside a private mount,
 *   UTS and network namespace (unshare -m -u -n, only `lo` up, host name
 *   host.example.com) with that tree bind-mounted over /etc/postfix,
 *   /var/spool/postfix, /var/lib/postfix, /var/mail, /var/log, /home and
 *   /etc/passwd. Inside, it builds the group's tables with real postmap and
 *   postalias, starts the whole Postfix once, and for every case:
 *     1. asks trivial-rewrite over private/rewrite (attribute protocol, as
 *        cleanup, smtpd and qmgr do) to `rewrite` ADDRESS with rule `local`
 *        and to `resolve` the result for SENDER;
 *     2. submits `sendmail -bv -f SENDER -- ADDRESS` and follows the queue id
 *        through the mail log (maillog_file via postlogd) until qmgr removes
 *        it and the delivery report it caused has settled;
 *     3. asks trivial-rewrite to resolve every final recipient for the
 *        envelope sender qmgr logged.
 *   Log lines are normalised (no time, host, pid, queue ids, sizes, delays)
 *   and put in a canonical order, so a re-record gives a byte-identical
 *   tests/golden/resolve/<group>/expected.json.
 *
 *   smtp(8) and lmtp(8) services are replaced by pipe(8) stand-ins of the
 *   same name (deterministic in verify mode); chroot is turned off. local,
 *   virtual, error, retry and discard stay real.
 *
 *   Needs root, util-linux unshare, Postfix (with postfix-pcre, -sqlite,
 *   -lmdb, -cdb) and sqlite3; fails loudly when anything is missing.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  fstatSync,
} from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dieWith, innerJson, LO_UP, recordGroups, runCollected, wantedGroups, which as whichOn, askPostconf } from './namespace.mjs';
import { startMilterResponders } from './milter-responder.mjs';
import { listenAddress } from './policy-responder.mjs';
import { parseMilterFacts } from './smtpd-format.mjs';
import {
  BASE_ACCOUNTS,
  CONFIG_DIRECTORY,
  MESSAGE_TEXT,
  RECORD_ENVIRONMENT,
  RECORDER_PARAMETERS,
  REQUIRED_PARAMETERS,
  STAND_IN_ARGV,
  STAND_IN_COMMANDS,
  decodeResolveFlags,
  formatLine,
  isEnvironmentNoise,
  normaliseText,
  parseBuild,
  parseCases,
  parseDelivery,
  parseLogLine,
  parsePasswd,
} from './resolve-format.mjs';

/** @import { Socket } from 'node:net' */
/** @import { MilterFactLine } from './smtpd-format.mjs' */
/** @import { BuildStep, GoldenResolve, GoldenResolveGroup, GoldenRewrite, LogLine, PasswdEntry, ResolveCase } from './resolve-format.mjs' */

/** @typedef {LogLine & { raw: string }} MailLine a maillog_file line and its parse */
/** @typedef {[string, string][]} AttrList an attribute list: [name, value] pairs in order */
/** @typedef {Omit<GoldenResolve, 'warnings'> & { warnings?: string[] }} ResolveAnswer trivial-rewrite's answer; warnings come after */
/**
 * A group prepared for recording.
 * @typedef {{ name: string; work: string; cases: ResolveCase[]; builds: BuildStep[]; milters: MilterFactLine[] }} PreparedGroup
 */

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const GOLDEN = join(ROOT, 'tests/golden/resolve');
const ENV = RECORD_ENVIRONMENT;
const CONCURRENCY = 2; // one namespace (one whole Postfix) per core
const HOSTNAME = 'host.example.com';
const DEBIAN_MASTER_CF = '/usr/share/postfix/master.cf.dist';
/** Files of Debian's /etc/postfix that postfix(1) itself needs (meta_directory = /etc/postfix). */
const META_FILES = ['dynamicmaps.cf', 'dynamicmaps.cf.d', 'postfix-files', 'postfix-files.d', 'post-install', 'postfix-script', 'makedefs.out'];
/** Group files that are recorder input, not configuration. */
const GROUP_INPUTS = ['cases', 'build', 'passwd', 'facts', 'expected.json', 'README.md'];
const NS_MARKER = '@@record-resolve: namespace ready@@';
const LOG_FILE = RECORDER_PARAMETERS.maillog_file;
const MARK_TAG = 'golden-resolve-mark';
const CASE_TIMEOUT_MS = 20000;
/** How long cleanup's "try again later" must stand without a message-id= line to count as a refusal. */
const REFUSAL_GRACE_MS = 1500;
const REPLY_TIMEOUT_MS = 10000;
/**
 * Delivery agents: one message at a time per process, and every delivery ends
 * with a queue-id line, so their lines without a queue id (warnings) belong to
 * the next queue id the same process logs.
 */
const DELIVERY_AGENTS = ['postfix/local', 'postfix/virtual', 'postfix/pipe', 'postfix/error', 'postfix/discard', 'postfix/smtp', 'postfix/lmtp'];

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('record-resolve');

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

const which = (/** @type {string} */ program) => whichOn(program, ENV.PATH);

/* ------------------------------------------------------------------ */
/* Outer process: preconditions, temporary trees, namespaces, output. */
/* ------------------------------------------------------------------ */

export function checkEnvironment() {
  if (process.getuid?.() !== 0) die('must run as root (it needs unshare -m -u -n, bind mounts and postfix start)');
  for (const p of ['postfix', 'postmap', 'postalias', 'postconf', 'postlog', 'sendmail', 'unshare', 'mount', 'sqlite3', 'hostname'])
    if (!which(p)) die(`${p} not found: install postfix postfix-pcre postfix-sqlite postfix-lmdb postfix-cdb sqlite3 util-linux`);
  if (!which('ip') && !which('perl')) die('neither ip nor perl found (needed to bring up lo)');
  const version = askPostconf(['-d', '-h', 'mail_version'], ENV);
  if (version.status !== 0 || !/^\d+\.\d+/.test(version.stdout)) die(`postconf -d mail_version failed: ${version.stderr}`);
  const types = askPostconf(['-m'], ENV).stdout.split('\n');
  for (const t of ['hash', 'lmdb', 'cdb', 'pcre', 'sqlite', 'regexp', 'cidr'])
    if (!types.includes(t)) die(`postconf -m does not list ${t}: install postfix-pcre postfix-sqlite postfix-lmdb postfix-cdb`);
  for (const f of ['dynamicmaps.cf', 'postfix-files', 'post-install', 'postfix-script'])
    if (!existsSync(join('/etc/postfix', f))) die(`/etc/postfix/${f} missing: Postfix is not installed properly`);
  if (!existsSync(DEBIAN_MASTER_CF)) die(`${DEBIAN_MASTER_CF} missing (Debian's default master.cf)`);
  for (const d of ['/var/spool/postfix', '/var/lib/postfix', '/var/mail', '/var/log', '/home'])
    if (!existsSync(d)) die(`${d} does not exist (needed as a mount point)`);
  if (!existsSync(STAND_IN_ARGV)) die(`${STAND_IN_ARGV} missing`);
  const probe = spawnSync('unshare', ['-m', '-u', '-n', 'true'], { env: ENV, encoding: 'utf8' });
  if (probe.status !== 0) die(`unshare -m -u -n does not work here: ${probe.stderr.trim()}`);
  return version.stdout.trim();
}

/**
 * mainCfParameters - the names a main.cf text assigns (ignores comments and continuation lines).
 * @param {string} text
 * @returns {Set<string>}
 */
function mainCfParameters(text) {
  /** @type {Set<string>} */
  const names = new Set();
  for (const m of text.matchAll(/^([A-Za-z0-9_]+)[ \t]*=/gm)) names.add(m[1]);
  return names;
}

/**
 * masterCf - the master.cf Postfix runs: the group's or Debian's, with chroot
 * off everywhere and every unix service running smtp or lmtp replaced by a
 * pipe(8) stand-in of the same name; adds the postlog service if missing.
 * @param {string} text
 * @returns {string}
 */
function masterCf(text) {
  /** @type {string[]} */
  const out = [];
  let skipping = false;
  let hasPostlog = false;
  for (const line of text.split('\n')) {
    if (/^[ \t]/.test(line) && line.trim() !== '' && !line.trim().startsWith('#')) {
      if (!skipping) out.push(line);
      continue;
    }
    skipping = false;
    if (line.trim() === '' || line.startsWith('#')) {
      out.push(line);
      continue;
    }
    const f = line.trim().split(/\s+/);
    if (f.length < 8) throw new Error(`master.cf: malformed service line: ${line}`);
    if (f[1] === 'unix-dgram' && f[7] === 'postlogd') hasPostlog = true;
    if (f[1] === 'unix' && STAND_IN_COMMANDS.includes(f[7])) {
      out.push(`${f[0]} unix - n n - - pipe`, `  flags= user=nobody argv=${STAND_IN_ARGV}`);
      skipping = true;
      continue;
    }
    if (f[4] !== 'n') f[4] = 'n';
    out.push(f.join(' '));
  }
  if (!hasPostlog) out.push('postlog unix-dgram n - n - 1 postlogd');
  return out.join('\n').replace(/\n*$/, '\n');
}

/**
 * accountsFile - the passwd file seen inside the namespace.
 * @param {PasswdEntry[]} extra
 * @returns {string}
 */
function accountsFile(extra) {
  const machine = readFileSync('/etc/passwd', 'utf8').split('\n');
  const base = BASE_ACCOUNTS.map((name) => {
    const line = machine.find((l) => l.startsWith(name + ':'));
    if (!line) die(`/etc/passwd has no ${name} account`);
    return line;
  });
  for (const e of extra) if (BASE_ACCOUNTS.includes(e.name)) throw new Error(`passwd:${e.line}: ${e.name} is a base account`);
  return [...base, ...extra.map((e) => e.entry)].join('\n') + '\n';
}

/**
 * @param {string} name
 * @returns {number}
 */
function groupId(name) {
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name + ':'));
  if (!line) die(`/etc/group has no ${name} group`);
  return Number(line.split(':')[2]);
}

/**
 * @param {string} name
 * @returns {number[]}
 */
function userIds(name) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name + ':'));
  if (!line) die(`/etc/passwd has no ${name} account`);
  const f = line.split(':');
  return [Number(f[2]), Number(f[3])];
}

/**
 * prepareGroup - the temporary tree of one group (files from `source`); validates the group's files first.
 * @param {string} name
 * @param {string} workRoot
 * @param {string} [source]
 * @returns {PreparedGroup}
 */
export function prepareGroup(name, workRoot, source = join(GOLDEN, name)) {
  const where = (/** @type {string} */ f) => `${name}/${f}`;
  const read = (/** @type {string} */ f) => (existsSync(join(source, f)) ? readFileSync(join(source, f), 'utf8') : null);
  const mainText = read('main.cf');
  if (mainText === null) throw new Error(`${where('main.cf')} missing (every group sets its own main.cf)`);
  const set = mainCfParameters(mainText);
  for (const p of REQUIRED_PARAMETERS) if (!set.has(p)) throw new Error(`${where('main.cf')} must set ${p}`);
  for (const p of Object.keys(RECORDER_PARAMETERS)) if (set.has(p)) throw new Error(`${where('main.cf')} must not set ${p} (the recorder does)`);
  const cases = parseCases(read('cases') ?? '', where('cases'));
  if (cases.length === 0) throw new Error(`${where('cases')}: no cases`);
  const builds = parseBuild(read('build') ?? '', where('build'));
  for (const b of builds) {
    const path = b.map.slice(b.map.indexOf('/'));
    if (!existsSync(join(source, path.slice(CONFIG_DIRECTORY.length + 1)))) throw new Error(`${where('build')}:${b.line}: no file for ${b.map}`);
  }
  const passwd = parsePasswd(read('passwd') ?? '', where('passwd'));
  // Milter applications (non_smtpd_milters) answered by the responder record-smtpd uses.
  const milters = parseMilterFacts(read('facts') ?? '', where('facts'));
  for (const f of milters)
    if (!listenAddress(f.server)) throw new Error(`${where('facts')}:${f.line}: the recorder serves only inet:127.x.x.x:PORT milters: ${f.server}`);

  const work = join(workRoot, name);
  const etc = join(work, 'etc');
  mkdirSync(etc, { recursive: true });
  for (const f of readdirSync(source)) {
    if (GROUP_INPUTS.includes(f)) continue;
    if (META_FILES.includes(f)) throw new Error(`${where(f)}: name reserved for Debian's own ${CONFIG_DIRECTORY}/${f}`);
    if (f.endsWith('.sql')) {
      const db = f.slice(0, -'.sql'.length);
      if (existsSync(join(source, db))) throw new Error(`${name}: both ${f} and ${db} exist`);
      const r = spawnSync('sqlite3', ['-bail', join(etc, db)], { input: readFileSync(join(source, f)), env: ENV, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${name}: sqlite3 failed on ${f}: ${r.stderr}`);
      continue;
    }
    cpSync(join(source, f), join(etc, f), { recursive: true });
  }
  for (const f of META_FILES) if (existsSync(join('/etc/postfix', f))) cpSync(join('/etc/postfix', f), join(etc, f), { recursive: true });
  const appended = Object.entries(RECORDER_PARAMETERS).map(([k, v]) => `${k} = ${v}`);
  writeFileSync(join(etc, 'main.cf'), mainText.replace(/\n*$/, '\n') + '# added by record-resolve\n' + appended.join('\n') + '\n');
  writeFileSync(join(etc, 'master.cf'), masterCf(read('master.cf') ?? readFileSync(DEBIAN_MASTER_CF, 'utf8')));
  // Postfix re-reads young configuration files and reports young tables as changed.
  const touch = spawnSync('find', [etc, '-exec', 'touch', '-h', '-d', '2000-01-01T00:00:00Z', '{}', '+'], { env: ENV, encoding: 'utf8' });
  if (touch.status !== 0) throw new Error(`${name}: touch failed: ${touch.stderr}`);

  for (const d of ['spool', 'lib', 'mail', 'log', 'home']) mkdirSync(join(work, d));
  const [postfixUid, postfixGid] = userIds('postfix');
  chownSync(join(work, 'lib'), postfixUid, postfixGid);
  chownSync(join(work, 'mail'), 0, groupId('mail'));
  chmodSync(join(work, 'mail'), 0o2775);
  for (const e of passwd) {
    const home = join(work, 'home', e.home.slice('/home/'.length));
    mkdirSync(home, { recursive: true });
    chownSync(home, e.uid, e.gid);
  }
  writeFileSync(join(work, 'passwd'), accountsFile(passwd));
  writeFileSync(join(work, 'plan.json'), JSON.stringify({ cases, builds, milters }));
  return { name, work, cases, builds, milters };
}

const NAMESPACE_SCRIPT = `
set -e
hostname ${HOSTNAME}
${LO_UP}
work=$1; shift
mount --bind "$work/etc" ${CONFIG_DIRECTORY}
mount --bind "$work/spool" /var/spool/postfix
mount --bind "$work/lib" /var/lib/postfix
mount --bind "$work/mail" /var/mail
mount --bind "$work/log" /var/log
mount --bind "$work/home" /home
mount --bind "$work/passwd" /etc/passwd
printf '%s\\n' '${NS_MARKER}' >&2
exec "$@"
`;

/**
 * runGroup - the inner recorder for one prepared group, in its own namespace.
 * @param {PreparedGroup} group
 * @returns {Promise<Omit<GoldenResolveGroup, 'postfix'>>}
 */
export async function runGroup(group) {
  const args = ['-m', '-u', '-n', '--propagation', 'private', 'sh', '-c', NAMESPACE_SCRIPT, 'sh', group.work, process.execPath, SELF, '--inner', group.work];
  const printed = innerJson(await runCollected('unshare', args, { env: ENV }), NS_MARKER);
  return /** @type {Omit<GoldenResolveGroup, 'postfix'>} */ (printed); // what inner() resolves to
}

async function outer() {
  const started = Date.now();
  const version = checkEnvironment();
  if (!existsSync(GOLDEN)) die(`${GOLDEN} does not exist`);
  await recordGroups(wantedGroups(GOLDEN, process.argv.slice(2), 'cases', 'record-resolve', die), {
    recorder: 'record-resolve',
    version,
    started,
    concurrency: CONCURRENCY,
    // RECORD_RESOLVE_KEEP=1 keeps the trees (maillog under <group>/log/) for debugging.
    // Mode 755: Postfix's unprivileged daemons walk into it through the bind mounts' sources.
    workDir: { prefix: 'golden-resolve-', keep: 'RECORD_RESOLVE_KEEP', mode: 0o755 },
    unit: 'cases',
    name: (g) => g,
    expected: (g) => join(GOLDEN, g, 'expected.json'),
    record: (g, workRoot) => runGroup(prepareGroup(g, workRoot)),
    report: (g, result, secs) => ({ count: result.cases.length, note: `${result.cases.length} cases, ${secs} s` }),
    die,
  });
}

/* ------------------------------------------------------------------ */
/* Inner process: runs inside the namespace, prints the group's JSON. */
/* ------------------------------------------------------------------ */

/** MailLog - reads maillog_file incrementally; lines are parsed with parseLogLine. */
class MailLog {
  /** @param {string} path */
  constructor(path) {
    this.path = path;
    this.offset = 0;
    this.partial = '';
    /** @type {MailLine[]} */
    this.lines = []; // every complete line so far: { raw, ...parseLogLine }
  }
  poll() {
    if (!existsSync(this.path)) return;
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const text = this.partial + buf.subarray(0, n).toString('utf8');
      const parts = text.split('\n');
      this.partial = /** @type {string} */ (parts.pop()); // split gives at least one part
      for (const raw of parts) {
        const parsed = parseLogLine(raw);
        if (!parsed) throw new Error(`unexpected mail log line: ${raw}`);
        this.lines.push({ raw, ...parsed });
      }
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * AttrClient - a client of Postfix's attribute protocol (attr_print0 /
 * attr_scan0 framing: NAME NUL VALUE NUL ... NUL). trivial-rewrite announces
 * `protocol=trivial_rewrite_protocol` right after accepting a connection.
 */
class AttrClient {
  /**
   * @param {string} path
   * @returns {Promise<AttrClient>}
   */
  static open(path) {
    return new Promise((resolvePromise, reject) => {
      const client = new AttrClient(connect(path));
      client.socket.on('error', (e) => client.fail(e));
      client.socket.on('data', (/** @type {Buffer} */ d) => {
        client.buffer = Buffer.concat([client.buffer, d]);
        client.drain();
      });
      client.socket.on('close', () => client.fail(new Error(`${path}: connection closed by server`)));
      client.socket.once('connect', async () => {
        try {
          const hello = await client.receive();
          if (hello.length !== 1 || hello[0][0] !== 'protocol' || hello[0][1] !== 'trivial_rewrite_protocol')
            throw new Error(`${path}: unexpected announcement ${JSON.stringify(hello)}`);
          resolvePromise(client);
        } catch (e) {
          reject(e);
        }
      });
      client.socket.once('error', reject);
    });
  }
  /** @param {Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    /** @type {{ resolve: (attrs: AttrList) => void; reject: (e: unknown) => void } | null} */
    this.waiting = null;
    /** @type {Error | null} */
    this.error = null;
  }
  /** @param {Error} e */
  fail(e) {
    this.error ??= e;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.reject(this.error);
    }
  }
  /**
   * One complete attribute list from the buffer, or null.
   * @returns {AttrList | null}
   */
  take() {
    /** @type {AttrList} */
    const attrs = [];
    let pos = 0;
    for (;;) {
      const nameEnd = this.buffer.indexOf(0, pos);
      if (nameEnd < 0) return null;
      const name = this.buffer.subarray(pos, nameEnd).toString('utf8');
      if (name === '') {
        this.buffer = this.buffer.subarray(nameEnd + 1);
        return attrs;
      }
      const valueEnd = this.buffer.indexOf(0, nameEnd + 1);
      if (valueEnd < 0) return null;
      attrs.push([name, this.buffer.subarray(nameEnd + 1, valueEnd).toString('utf8')]);
      pos = valueEnd + 1;
    }
  }
  drain() {
    if (!this.waiting) return;
    const attrs = this.take();
    if (attrs === null) return;
    const w = this.waiting;
    this.waiting = null;
    w.resolve(attrs);
  }
  /** @returns {Promise<AttrList>} */
  receive() {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolvePromise, reject) => {
      // A trivial-rewrite that dies at startup leaves the connection pending forever.
      const timer = setTimeout(() => this.fail(new Error(`no answer from trivial-rewrite within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
      /**
       * @template V
       * @param {(v: V) => void} f
       * @returns {(v: V) => void}
       */
      const done = (f) => (v) => {
        clearTimeout(timer);
        f(v);
      };
      this.waiting = { resolve: done(resolvePromise), reject: done(reject) };
      this.drain();
    });
  }
  /**
   * request - send one attribute list, return the reply's [name, value] pairs.
   * @param {AttrList} attrs
   * @returns {Promise<AttrList>}
   */
  request(attrs) {
    /** @type {Buffer[]} */
    const parts = [];
    for (const [name, value] of attrs) parts.push(Buffer.from(name), Buffer.from([0]), Buffer.from(value), Buffer.from([0]));
    parts.push(Buffer.from([0]));
    this.socket.write(Buffer.concat(parts));
    return this.receive();
  }
  close() {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/**
 * expectAttrs - the values of a reply, checking the names and their order.
 * @param {AttrList} reply
 * @param {string[]} names
 * @param {string} what
 * @returns {string[]}
 */
function expectAttrs(reply, names, what) {
  if (reply.length !== names.length || reply.some(([n], i) => n !== names[i])) throw new Error(`${what}: unexpected reply ${JSON.stringify(reply)}`);
  return reply.map(([, v]) => v);
}

/**
 * @param {AttrClient} client
 * @param {string} address
 * @returns {Promise<GoldenRewrite>}
 */
async function rewriteLocal(client, address) {
  /** @type {GoldenRewrite['request']} */
  const request = { request: 'rewrite', rule: 'local', address };
  const [serverFlags, result] = expectAttrs(await client.request(Object.entries(request)), ['flags', 'address'], `rewrite ${address}`);
  return { request, serverFlags: Number(serverFlags), address: result };
}

/**
 * @param {AttrClient} client
 * @param {string} sender
 * @param {string} address
 * @returns {Promise<ResolveAnswer>}
 */
async function resolveAddress(client, sender, address) {
  /** @type {GoldenResolve['request']} */
  const request = { request: 'resolve', sender, address };
  const names = ['flags', 'transport', 'nexthop', 'recipient', 'flags'];
  const [serverFlags, transport, nexthop, recipient, flags] = expectAttrs(await client.request(Object.entries(request)), names, `resolve ${address}`);
  const decoded = decodeResolveFlags(Number(flags));
  return { request, serverFlags: Number(serverFlags), transport, nexthop, recipient, flags: Number(flags), flagNames: decoded.names, class: decoded.class };
}

/**
 * internalForm - an address in RFC 822 external (quoted) form → Postfix's internal (unquoted) form.
 * @param {string} address
 * @returns {string}
 */
function internalForm(address) {
  let out = '';
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const c = address[i];
    if (c === '\\' && i + 1 < address.length) out += address[++i];
    else if (c === '"') quoted = !quoted;
    else out += c;
  }
  return out;
}

/** @param {string} work */
async function inner(work) {
  const log = new MailLog(LOG_FILE);
  let markCount = 0;
  /** mark - log a marker through postlogd and wait for it: every line logged before is then in the file. */
  const mark = async () => {
    const text = `mark ${++markCount}`;
    const r = spawnSync('postlog', ['-t', MARK_TAG, text], { env: ENV, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`postlog failed: ${r.stderr}`);
    const deadline = Date.now() + CASE_TIMEOUT_MS;
    for (;;) {
      log.poll();
      const i = log.lines.findIndex((l) => l.program === MARK_TAG && l.text === text);
      if (i >= 0) return i;
      if (Date.now() > deadline) throw new Error(`marker ${text} never reached ${LOG_FILE}`);
      await sleep(5);
    }
  };
  const linesBetween = (/** @type {number} */ from, /** @type {number} */ to) =>
    log.lines.slice(from + 1, to).filter((l) => l.program !== MARK_TAG && !isEnvironmentNoise(l));

  // Tables.
  /** @type {{ cases: ResolveCase[]; builds: BuildStep[]; milters: MilterFactLine[] }} */
  const group = JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8'));
  const builds = group.builds.map((b) => {
    const r = spawnSync(b.command, b.argv, { env: ENV, encoding: 'utf8' });
    return { command: b.command, argv: b.argv, stdout: r.stdout, stderr: r.stderr, status: r.status };
  });

  // The group's Milters listen before cleanup may connect (lo is up in this namespace).
  const milterServer = await startMilterResponders(group.milters);

  // Postfix.
  const start = spawnSync('postfix', ['start'], { env: ENV, encoding: 'utf8' });
  if (start.status !== 0) {
    await milterServer.close();
    log.poll();
    throw new Error(`postfix start failed (${start.status}): ${start.stdout}${start.stderr}\n${log.lines.map((l) => l.raw).join('\n')}`);
  }
  const masterPid = Number(readFileSync('/var/spool/postfix/pid/master.pid', 'utf8').trim());
  const cases = [];
  try {
    const deadline = Date.now() + CASE_TIMEOUT_MS;
    while (!existsSync('/var/spool/postfix/private/rewrite') || !existsSync('/var/spool/postfix/public/postlog')) {
      if (Date.now() > deadline) throw new Error('Postfix did not create its sockets');
      await sleep(10);
    }
    let at = await mark();
    const startup = linesBetween(-1, at).map((l) => formatLine(l));

    for (const c of group.cases) {
      const client = await AttrClient.open('/var/spool/postfix/private/rewrite');
      const rewrite = await rewriteLocal(client, c.address);
      const resolved = await resolveAddress(client, internalForm(c.sender), internalForm(rewrite.address));
      client.close();
      const afterQuery = await mark();
      resolved.warnings = linesBetween(at, afterQuery).map((l) => formatLine(l));
      at = afterQuery;

      // The mail path: sendmail -bv, then everything logged under its queue id.
      const milterFrom = milterServer.events.length;
      const argv = ['-bv', '-f', c.sender, '--', c.address];
      const sm = spawnSync('sendmail', argv, { env: ENV, encoding: 'utf8', input: MESSAGE_TEXT });
      const sendmail = { argv, status: sm.status, stdout: sm.stdout, stderr: sm.stderr };
      /** @type {string | null} */
      let queueId = null;
      if (sm.status === 0) {
        const deadline = Date.now() + CASE_TIMEOUT_MS;
        /** @type {number | null} */
        let refusedSince = null;
        const windowLines = () => log.lines.slice(at + 1);
        for (;;) {
          log.poll();
          const lines = windowLines();
          queueId ??= lines.find((l) => l.program === 'postfix/pickup' && l.queueId && /^uid=\d+ from=</.test(l.text))?.queueId ?? null;
          if (queueId) {
            // bounce names the report it queues ("notification: ID") before that
            // report's own lines arrive; wait for it too, or its lines fall into
            // the next case's window and shift that case's R numbers.
            const ids = new Set(
              lines.flatMap((l) => [
                ...(l.queueId ? [l.queueId] : []),
                ...(l.program === 'postfix/bounce' ? [...l.text.matchAll(/notification: ([0-9A-F]{6,})\b/g)].map((m) => m[1]) : []),
              ]),
            );
            const removed = new Set(lines.filter((l) => l.queueId && !l.severity && l.text === 'removed').map((l) => l.queueId));
            const deferred = new Set(lines.filter((l) => l.queueId && /, status=deferred /.test(l.text)).map((l) => l.queueId));
            const inQueue = (/** @type {string} */ id) => ['incoming', 'active', 'maildrop'].some((d) => existsSync(join('/var/spool/postfix', d, id)));
            // cleanup itself bounces what a Milter rejects (non_smtpd_milters), and holds what it quarantines.
            const bouncedByCleanup = new Set(
              lines.filter((l) => l.queueId && l.program === 'postfix/cleanup' && /, status=bounced /.test(l.text)).map((l) => l.queueId),
            );
            // ... and drops what it discards (a Milter's discard).
            const discardedByCleanup = new Set(
              lines.filter((l) => l.queueId && l.program === 'postfix/cleanup' && /^milter-discard: /.test(l.text)).map((l) => l.queueId),
            );
            const held = (/** @type {string} */ id) => existsSync(join('/var/spool/postfix/hold', id)) && !inQueue(id);
            const settled = (/** @type {string} */ id) =>
              removed.has(id) || ((deferred.has(id) || bouncedByCleanup.has(id) || discardedByCleanup.has(id)) && !inQueue(id)) || held(id);
            if (settled(queueId) && [...ids].every(settled)) break;
            // cleanup refused the message for now (e.g. virtual alias nesting):
            // pickup would retry the maildrop file during later cases, so drop it.
            // The same words come with a canonical_maps nesting warning, after
            // which cleanup accepts the message (and logs its message-id).
            // A Milter's temporary refusal (non_smtpd_milters) leaves the maildrop file too.
            // A Milter's 4xx at the end of the message comes after the message-id= line.
            const refusedAt = lines.findIndex((l) => l.queueId === queueId && /message not accepted, try again later$/.test(l.text));
            const milterRefused = lines.some((l) => l.queueId === queueId && /^milter-reject: \S+ from .*: 4\.\d+\.\d+ /.test(l.text));
            const accepted = lines.some((l) => l.queueId === queueId && /^message-id=/.test(l.text));
            if ((refusedAt >= 0 && !accepted) || milterRefused) {
              refusedSince ??= Date.now();
              if (Date.now() - refusedSince > REFUSAL_GRACE_MS) {
                for (const f of readdirSync('/var/spool/postfix/maildrop')) rmSync(join('/var/spool/postfix/maildrop', f));
                break;
              }
            }
          }
          if (Date.now() > deadline)
            throw new Error(
              `case ${c.line}: ${queueId ? `${queueId} did not settle` : 'no pickup line'}:\n${windowLines()
                .map((l) => l.raw)
                .join('\n')}`,
            );
          await sleep(5);
        }
      }
      const afterMail = await mark();
      const mailLines = linesBetween(at, afterMail);
      at = afterMail;

      // Queue ids: the case's is Q, the others R1, R2... in order of appearance.
      /** @type {Map<string, string>} */
      const names = new Map();
      if (queueId) names.set(queueId, 'Q');
      for (const l of mailLines) {
        const seen = /** @type {string[]} */ ([l.queueId, ...[...l.message.matchAll(/\b[0-9A-F]{6,}\b/g)].map((m) => m[0])].filter(Boolean));
        for (const id of seen) if (!names.has(id) && mailLines.some((o) => o.queueId === id)) names.set(id, `R${names.size + (queueId ? 0 : 1)}`);
      }
      const rename = (/** @type {string} */ id) => names.get(id) ?? null;
      const owner = attributeToQueueIds(mailLines);
      const mine = mailLines.filter((l) => queueId && l.queueId === queueId);
      const log_ = canonicalOrder(mine).map((l) => formatLine(l, rename));
      // Lines without a queue id, except trivial-rewrite's (whether cleanup or
      // qmgr ask it again depends on their one-entry caches; its warnings are
      // recorded through our own queries instead) and except delivery agents'
      // lines that belong to another queue id (the report to the sender is
      // delivered for real; its warnings are not the case's).
      const warnings = mailLines
        .filter((l) => !l.queueId && l.program !== 'postfix/trivial-rewrite' && (!owner.has(l) || owner.get(l) === queueId))
        .map((l) => formatLine(l, rename))
        .sort();
      const from = mine.map((l) => (l.program === 'postfix/qmgr' && !l.severity ? /^from=<(.*?)>, /.exec(l.text) : null)).find(Boolean)?.[1] ?? null;
      const deliveries = mine
        .map((l) => {
          const d = l.severity ? null : parseDelivery(normaliseText(l.text, rename));
          return d && { agent: l.program, ...d };
        })
        .filter((d) => d !== null)
        .sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));

      // trivial-rewrite's answer for every final recipient, for qmgr's sender
      // (the log shows addresses in external form; qmgr holds internal form).
      const recipients = [];
      for (const d of deliveries) {
        const cl = await AttrClient.open('/var/spool/postfix/private/rewrite');
        const r = await resolveAddress(cl, internalForm(from ?? ''), internalForm(d.to));
        cl.close();
        const after = await mark();
        r.warnings = linesBetween(at, after).map((l) => formatLine(l));
        at = after;
        recipients.push({ ...d, resolve: r });
      }
      cases.push({
        line: c.line,
        sender: c.sender,
        address: c.address,
        rewrite,
        resolve: resolved,
        sendmail,
        queued: queueId !== null,
        from,
        recipients,
        log: log_,
        warnings,
        ...(group.milters.length ? { milter: milterServer.events.slice(milterFrom) } : {}),
      });
    }
    return { builds, startup, cases };
  } finally {
    spawnSync('postfix', ['stop'], { env: ENV, encoding: 'utf8' });
    const deadline = Date.now() + 10000;
    while (alive(masterPid) && Date.now() < deadline) await sleep(20);
    if (alive(masterPid)) process.kill(masterPid, 'SIGKILL');
    await milterServer.close();
  }
}

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * attributeToQueueIds - for delivery agents' lines without a queue id, the
 * queue id of the next line of the same process that has one (else the
 * previous one). Returns Map(line → queue id).
 * @param {MailLine[]} lines
 * @returns {Map<MailLine, string>}
 */
function attributeToQueueIds(lines) {
  /** @type {Map<MailLine, string>} */
  const owner = new Map();
  /** @type {Map<number, MailLine[]>} */
  const pending = new Map(); // pid → lines waiting for their queue id
  /** @type {Map<number, string>} */
  const last = new Map(); // pid → last queue id
  for (const l of lines) {
    if (!DELIVERY_AGENTS.includes(l.program) || l.pid === null) continue;
    if (l.queueId) {
      for (const p of pending.get(l.pid) ?? []) owner.set(p, l.queueId);
      pending.delete(l.pid);
      last.set(l.pid, l.queueId);
    } else pending.set(l.pid, [...(pending.get(l.pid) ?? []), l]);
  }
  for (const [pid, ls] of pending) {
    const id = last.get(pid);
    if (id !== undefined) for (const p of ls) owner.set(p, id);
  }
  return owner;
}

const cmp = (/** @type {string} */ a, /** @type {string} */ b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * canonicalOrder - the lines of one queue id in an order that does not depend
 * on process scheduling: pickup, cleanup, qmgr's from=, then everything else
 * (deliveries run in parallel) sorted by text, then bounce/trace reports,
 * then qmgr's `removed`.
 * @param {MailLine[]} lines
 * @returns {MailLine[]}
 */
function canonicalOrder(lines) {
  // Sorted on the text as recorded, without what varies between runs (delay=, queue ids):
  // two lines for one recipient must not trade places because one took longer.
  const sortText = (/** @type {MailLine} */ l) => formatLine(l, () => 'ID');
  const rank = (/** @type {MailLine} */ l) => {
    if (l.program === 'postfix/pickup') return 0;
    if (l.program === 'postfix/cleanup') return 1;
    if (l.program === 'postfix/qmgr' && !l.severity && l.text.startsWith('from=<')) return 2;
    if (l.program === 'postfix/bounce') return 4;
    if (l.program === 'postfix/qmgr' && l.text === 'removed' && !l.severity) return 5;
    return 3;
  };
  return lines
    .map((l, i) => ({ l, i, r: rank(l) }))
    .sort((a, b) => a.r - b.r || (a.r === 3 || a.r === 4 ? cmp(sortText(a.l), sortText(b.l)) : 0) || a.i - b.i)
    .map((x) => x.l);
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === '--inner') {
    inner(process.argv[3]).then(
      (result) => process.stdout.write(JSON.stringify(result)),
      (e) => {
        process.stderr.write(`${e.stack ?? e}\n`);
        process.exit(1);
      },
    );
  } else outer().catch((e) => die(e.stack ?? String(e)));
}
