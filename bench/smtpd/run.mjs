#!/usr/bin/env node
/*
 * NAME
 *   bench/smtpd - smtpd transactions per second: real Postfix and the simulator
 * SYNOPSIS
 *   node bench/smtpd/run.mjs        (npm run bench:smtpd; as root)
 * DESCRIPTION
 *   Generates a small-ISP configuration (hosted virtual domains, aliases, a
 *   backup-MX relay domain, client/HELO/sender/recipient access tables of a
 *   few thousand entries) and a fixed workload: C connections, each one
 *   XCLIENT (the client), K transactions of EHLO, MAIL FROM, three RCPT TO
 *   (accepted and rejected ones) and RSET, then QUIT; one command at a time.
 *
 *   Real Postfix runs as the golden recorder runs it (scripts/golden/
 *   record-smtpd.mjs): in a private mount, network, UTS and PID namespace
 *   with temporary directories bind-mounted over /etc/postfix,
 *   /var/spool/postfix, /var/lib/postfix and /var/mail, and a resolv.conf
 *   that points at a port where nothing answers (no restriction uses DNS).
 *   After a warm-up, the whole workload is played against it once with one
 *   client at a time and once with PARALLEL clients at a time; wall time.
 *   The simulator then plays the same dialogues in this process
 *   (prepareSmtpd once, runClient per connection), repeated for about
 *   SIM_SECONDS. Prints both rates, their ratios, and the number of
 *   transactions whose replies differ (the first difference in full).
 *
 *   Environment: K (transactions per connection, default 3), C (connections,
 *   default 400), PARALLEL (default 4), RUNS (real runs, median; default 3),
 *   SIM_SECONDS (default 3), BENCH_FROM_SRC=1 (bundle src/ even when dist-lib
 *   is complete), BENCH_SMTPD_KEEP=1 (keep the temporary tree and its maillog),
 *   BENCH_SMTPD_VERBOSE=1 (each real run's time, replies slower than 200 ms).
 *   When the namespace's first process exits, the kernel ends every Postfix
 *   process in it; the temporary tree is removed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterMarker, DAEMON_UNSHARE, daemonNamespaceScript, dieWith, readLines, runCollected, askPostconf } from '../../scripts/golden/namespace.mjs';
import { bundleEngine } from '../bundle-engine.mjs';

/** @typedef {typeof import('../../src/engine/index.ts')} Engine */
/**
 * A connection's dialogue: XCLIENT, K transactions of TX_LINES commands, QUIT.
 * @typedef {string[]} Dialogue
 */
/**
 * The replies of one connection, banner first, each as its lines.
 * @typedef {string[][]} Replies
 */
/** @typedef {{ kind: string; addr: string; name: string; n: number; rejected: boolean; mynet: boolean }} Client */
/**
 * What the inner half writes to result.json.
 * @typedef {object} RealResult
 * @property {number} startMs
 * @property {number} sequential median seconds, one client at a time
 * @property {number} parallel median seconds, PARALLEL clients at a time
 * @property {boolean} runsAgree
 * @property {Replies[]} replies
 * @property {string[]} problems
 */
/**
 * The first transaction (or connection) whose replies differ.
 * @typedef {{ connection: number; transaction: number | '-'; command: string; real: string[] | undefined; sim: string[] | undefined; dialogue: string[] }} Difference
 */

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
const HOSTNAME = 'host.example.com';
const MARKER = '@@bench-smtpd: namespace ready@@';
const K = Number(process.env.K ?? 3);
const C = Number(process.env.C ?? 400);
const RUNS = Number(process.env.RUNS ?? 3);
const PARALLEL = Number(process.env.PARALLEL ?? 4);
const SIM_SECONDS = Number(process.env.SIM_SECONDS ?? 3);
const WARMUP = 20; // connections played before timing (not counted)
/**
 * Rejections per connection stay below smtpd_soft_error_limit (10): from there on smtpd
 * sleeps smtpd_error_sleep_time (1 s) before every reply, and the bench would time sleeps.
 */
const ERROR_BUDGET = 9;
const PACKAGE_FILES = ['dynamicmaps.cf', 'dynamicmaps.cf.d', 'postfix-files', 'postfix-files.d', 'postfix-script', 'post-install', 'makedefs.out'];
const USERS = ['root', 'daemon', 'bin', 'sys', 'nobody', 'postfix'];
const GROUPS = ['root', 'daemon', 'bin', 'sys', 'mail', 'nogroup', 'postfix', 'postdrop'];
const MAILLOG = '/var/lib/postfix/maillog';
const REPLY_TIMEOUT_MS = 20000;

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('bench-smtpd');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const which = (/** @type {string} */ p) =>
  ENV.PATH.split(':')
    .map((d) => join(d, p))
    .find((f) => existsSync(f)) ?? null;

/* ------------------------------------------------------------------ */
/* The configuration and the workload (deterministic).                 */
/* ------------------------------------------------------------------ */

let seed = 42;
const rand = (/** @type {number} */ n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
/**
 * pick - a key of `weights`, at random in proportion to its weight.
 * @template {string} K
 * @param {{ [key in K]?: number }} weights
 * @returns {K}
 */
const pick = (weights) => {
  const total = /** @type {number[]} */ (Object.values(weights)).reduce((a, b) => a + b, 0);
  let r = rand(total);
  for (const [k, w] of /** @type {[K, number][]} */ (Object.entries(weights))) if ((r -= w) < 0) return k;
  throw new Error('unreachable');
};

const HOSTED = 50; // virtual mailbox domains customerN.example
const MAILBOXES = 3000;
const ALIASES = 2000;
const FWD_DOMAINS = 10; // virtual alias domains fwdN.example
const FORWARDS = 500;
const RELAY_DOMAINS = 5; // backup MX for backupmxN.example
const RELAY_RCPTS = 500;

const MAIN_CF = `# A small ISP's mail exchanger (bench/smtpd).
compatibility_level = 3.6
myhostname = mx1.example-isp.net
mydomain = example-isp.net
myorigin = $mydomain
smtpd_banner = $myhostname ESMTP $mail_name
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination = $myhostname, localhost.$mydomain, localhost
mynetworks = 127.0.0.0/8 192.0.2.0/24
alias_maps = hash:/etc/postfix/aliases
alias_database = hash:/etc/postfix/aliases
smtpd_authorized_xclient_hosts = 127.0.0.0/8
disable_vrfy_command = yes
smtpd_helo_required = yes

virtual_mailbox_domains = hash:/etc/postfix/vmailbox_domains
virtual_mailbox_maps = hash:/etc/postfix/vmailbox
virtual_mailbox_base = /var/mail/vhosts
virtual_uid_maps = static:5000
virtual_gid_maps = static:5000
virtual_alias_domains = hash:/etc/postfix/valias_domains
virtual_alias_maps = hash:/etc/postfix/virtual
relay_domains = hash:/etc/postfix/relay_domains
relay_recipient_maps = hash:/etc/postfix/relay_recipients

smtpd_client_restrictions = permit_mynetworks,
    check_client_access cidr:/etc/postfix/client_networks.cidr,
    check_client_access hash:/etc/postfix/client_access
smtpd_helo_restrictions = permit_mynetworks, permit_sasl_authenticated,
    check_helo_access pcre:/etc/postfix/helo_checks.pcre,
    reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
smtpd_sender_restrictions = permit_mynetworks, permit_sasl_authenticated,
    reject_non_fqdn_sender, check_sender_access hash:/etc/postfix/sender_access
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated,
    reject_unauth_destination
smtpd_recipient_restrictions = reject_non_fqdn_recipient,
    check_recipient_access hash:/etc/postfix/recipient_access,
    reject_unlisted_recipient
`;

/** The files of /etc/postfix (besides main.cf and master.cf), and how to build them. */
function configFiles() {
  /** @type {Record<string, string>} */
  const f = {};
  const lines = (/** @type {number} */ n, /** @type {(i: number) => string} */ fn) => Array.from({ length: n }, (_, i) => fn(i)).join('\n') + '\n';
  f.aliases = 'postmaster: root\nabuse: root\nhostmaster: root\nmailer-daemon: postmaster\n';
  f.vmailbox_domains = lines(HOSTED, (i) => `customer${i}.example\tOK`);
  f.vmailbox = lines(MAILBOXES, (i) => `u${i}@customer${i % HOSTED}.example\tcustomer${i % HOSTED}.example/u${i}/`);
  f.valias_domains = lines(FWD_DOMAINS, (i) => `fwd${i}.example\tOK`);
  f.virtual =
    lines(ALIASES, (i) => `alias${i}@customer${i % HOSTED}.example\tu${(i * 7) % MAILBOXES}@customer${((i * 7) % MAILBOXES) % HOSTED}.example`) +
    lines(FORWARDS, (i) => `f${i}@fwd${i % FWD_DOMAINS}.example\tsomeone${i}@elsewhere.example`);
  f.relay_domains = lines(RELAY_DOMAINS, (i) => `backupmx${i}.example\tOK`);
  f.relay_recipients = lines(RELAY_RCPTS, (i) => `r${i}@backupmx${i % RELAY_DOMAINS}.example\tOK`);
  f['client_networks.cidr'] =
    '# partners: never blocked\n203.0.113.0/24\tOK\n' +
    lines(300, (i) => `100.64.${i % 250}.${(i >> 8) * 128}/25\tREJECT Listed in the local blocklist (net ${i})`);
  f.client_access =
    lines(1000, (i) => `spammer${i}.example\tREJECT Your domain sends spam`) + lines(500, (i) => `198.19.${i >> 8}.${i & 255}\tREJECT Compromised host`);
  f['helo_checks.pcre'] = [
    '# Our own names and addresses from outside: forged.',
    '/^mx1\\.example-isp\\.net$/\tREJECT You are not me',
    '/^example-isp\\.net$/\tREJECT You are not me',
    '/^\\[?192\\.0\\.2\\./\tREJECT You are not in my network',
    '# Bare addresses and dynamic pools.',
    '/^\\[?\\d+\\.\\d+\\.\\d+\\.\\d+\\]?$/\tREJECT Bare IP address in HELO',
    '/(?:^|[.-])(?:dyn(?:amic)?|dsl|dialup|pool)[.-]?\\d*[.-]/\tREJECT Dynamic pool HELO',
    '/^(?!mail|smtp|mx)[a-z]+\\d+\\.sender\\d+\\.example$/\tWARN unusual HELO',
    '',
  ].join('\n');
  f.sender_access =
    lines(2000, (i) => `spam${i}.example\tREJECT Sender domain blocked`) + lines(200, (i) => `bad${i}@freemail.example\t550 Sender address blocked`);
  f.recipient_access =
    lines(50, (i) => `abuse@customer${i}.example\tOK`) +
    lines(100, (i) => `closed${i}@customer${i % HOSTED}.example\tREJECT This mailbox is closed`) +
    lines(100, (i) => `spamtrap${i}@customer${i % HOSTED}.example\t550 5.7.1 No`);
  const build = [
    'postalias hash:/etc/postfix/aliases',
    ...[
      'vmailbox_domains',
      'vmailbox',
      'valias_domains',
      'virtual',
      'relay_domains',
      'relay_recipients',
      'client_access',
      'sender_access',
      'recipient_access',
    ].map((t) => `postmap hash:/etc/postfix/${t}`),
  ];
  return { files: f, build };
}

/**
 * A connection's client, given once with XCLIENT: smtpd_authorized_xclient_hosts
 * is matched against the client XCLIENT made, so a second XCLIENT is refused.
 * `rejected`: its client restrictions reject every RCPT.
 * @returns {Client}
 */
function connectionClient() {
  const n = rand(100000);
  // A rejected client gets 3 errors per transaction: only while K transactions fit the budget.
  const rejectable = 3 * K <= ERROR_BUDGET;
  const kind = pick({ ok: 60, noname: 12, mynet: 10, partner: 6, ...(rejectable && { cidr: 6, badname: 6 }) });
  let addr = `198.18.${rand(256)}.${1 + rand(254)}`;
  let name = `mail${n % 50}.sender${n % 700}.example`;
  if (kind === 'noname') name = '[UNAVAILABLE]';
  if (kind === 'mynet') {
    addr = `192.0.2.${1 + rand(254)}`;
    name = `ws${n % 200}.example-isp.net`;
  }
  if (kind === 'partner') {
    addr = `203.0.113.${1 + rand(254)}`;
    name = `relay${n % 5}.partner.example`;
  }
  if (kind === 'cidr') addr = `100.64.${rand(250)}.${1 + rand(126)}`;
  if (kind === 'badname') name = `host${n % 300}.spammer${rand(1000)}.example`;
  return { kind, addr, name, n, rejected: kind === 'cidr' || kind === 'badname', mynet: kind === 'mynet' };
}

/**
 * One transaction: EHLO, MAIL, 3 RCPT, RSET; `errors`: the rejections it is built to get (at most `budget`).
 * @param {Client} client
 * @param {number} budget
 * @returns {{ errors: number; lines: string[] }}
 */
function transaction(client, budget) {
  const n = rand(100000);
  let helo = client.name === '[UNAVAILABLE]' ? `smtp${n % 90}.example.net` : client.name;
  if (client.kind === 'ok' && n % 7 === 0) helo = `relay${n % 40}.sender${n % 700}.example`; // the WARN rule
  // A bad HELO or sender gets every RCPT rejected (smtpd_delay_reject = yes): 3 errors.
  let dirty = client.rejected;
  if (!dirty && !client.mynet && budget >= 3) {
    const h = pick({ good: 88, ours: 3, ipHelo: 3, dynHelo: 3, shortHelo: 3 });
    if (h === 'ours') helo = 'mx1.example-isp.net';
    if (h === 'ipHelo') helo = `[${client.addr}]`;
    if (h === 'dynHelo') helo = `dyn-${n % 250}.pool.example.net`;
    if (h === 'shortHelo') helo = 'workstation';
    dirty = h !== 'good';
  }
  let sender = `user${n % 900}@sender${n % 700}.example`;
  if (!client.mynet) {
    const s = pick(dirty || budget < 3 ? { good: 90, null: 10 } : { good: 80, null: 8, domain: 6, address: 3, nonfqdn: 3 });
    if (s === 'null') sender = '';
    if (s === 'domain') sender = `news@spam${rand(2000)}.example`;
    if (s === 'address') sender = `bad${rand(200)}@freemail.example`;
    if (s === 'nonfqdn') sender = 'joe@localhost';
    if (s !== 'good' && s !== 'null') dirty = true;
  }
  let errors = dirty ? 3 : 0;
  const rcpts = [];
  for (let r = 0; r < 3; r++) {
    const kinds =
      !dirty && errors < budget
        ? { mailbox: 40, alias: 12, forward: 8, unknown: 10, external: 8, postmaster: 4, nolocal: 2, relay: 5, norelay: 3, closed: 4, nonfqdn: 2, abuse: 2 }
        : { mailbox: 50, alias: 15, forward: 10, postmaster: 5, relay: 10, abuse: 2 };
    const k = pick(kinds);
    const i = rand(MAILBOXES);
    const to = {
      mailbox: `u${i}@customer${i % HOSTED}.example`,
      alias: `alias${i % ALIASES}@customer${i % HOSTED}.example`,
      forward: `f${i % FORWARDS}@fwd${i % FWD_DOMAINS}.example`,
      unknown: `nobody${i}@customer${rand(HOSTED)}.example`,
      external: `friend${i}@elsewhere${i % 30}.example`,
      postmaster: 'postmaster@mx1.example-isp.net',
      nolocal: `nosuchuser${i % 10}@mx1.example-isp.net`,
      relay: `r${i % RELAY_RCPTS}@backupmx${i % RELAY_DOMAINS}.example`,
      norelay: `x${i}@backupmx${i % RELAY_DOMAINS}.example`,
      closed: i % 2 ? `closed${i % 100}@customer${(i % 100) % HOSTED}.example` : `spamtrap${i % 100}@customer${(i % 100) % HOSTED}.example`,
      nonfqdn: `u${i}`,
      abuse: `abuse@customer${i % 50}.example`,
    }[k];
    // Unqualified recipients are rejected even from mynetworks; the others only from outside.
    if (!dirty && (['unknown', 'nolocal', 'norelay', 'closed', 'nonfqdn'].includes(k) || (k === 'external' && !client.mynet))) errors++;
    rcpts.push(to);
  }
  return { errors, lines: [`EHLO ${helo}`, `MAIL FROM:<${sender}>`, ...rcpts.map((r) => `RCPT TO:<${r}>`), 'RSET'] };
}

/**
 * The workload: C connections, each XCLIENT, K transactions and QUIT.
 * @returns {Dialogue[]}
 */
function workload() {
  /** @type {Dialogue[]} */
  const connections = [];
  for (let c = 0; c < C; c++) {
    const client = connectionClient();
    const lines = [`XCLIENT ADDR=${client.addr} NAME=${client.name}`];
    let errors = 0;
    for (let t = 0; t < K; t++) {
      const tx = transaction(client, ERROR_BUDGET - errors);
      errors += tx.errors;
      lines.push(...tx.lines);
    }
    lines.push('QUIT');
    connections.push(lines);
  }
  return connections;
}
/** Commands per transaction, and the index of its first command in a connection's lines. */
const TX_LINES = 6;
const txStart = (/** @type {number} */ t) => 1 + t * TX_LINES;

/* ------------------------------------------------------------------ */
/* Outside the namespace.                                              */
/* ------------------------------------------------------------------ */

function checkEnvironment() {
  if (process.getuid?.() !== 0) die('must run as root (it needs unshare and bind mounts)');
  for (const p of ['postfix', 'postconf', 'postmap', 'postalias', 'unshare', 'mount', 'hostname'])
    if (!which(p)) die(`${p} not found: install postfix and postfix-pcre (and util-linux)`);
  if (!which('ip') && !which('perl')) die('neither ip (iproute2) nor perl found: cannot bring up lo');
  const version = askPostconf(['-d', '-h', 'mail_version'], ENV);
  if (version.status !== 0 || !/^\d+\.\d+/.test(version.stdout)) die(`postconf -d mail_version failed: ${version.stderr}`);
  for (const f of ['/usr/share/postfix/master.cf.dist', '/usr/lib/postfix/sbin/smtpd', '/etc/postfix/dynamicmaps.cf'])
    if (!existsSync(f)) die(`${f} missing: Postfix is not installed properly`);
  const pcre = askPostconf(['-m'], ENV);
  if (!/^pcre$/m.test(pcre.stdout)) die('Postfix has no pcre map type: install postfix-pcre');
  return version.stdout.trim();
}

/**
 * @param {string} file
 * @param {string[]} names
 * @returns {string}
 */
function accountLines(file, names) {
  const lines = readFileSync(file, 'utf8').split('\n');
  return names.map((n) => lines.find((x) => x.startsWith(`${n}:`)) ?? die(`${file} has no entry ${n}`)).join('\n') + '\n';
}

/**
 * @param {string} base
 * @param {Record<string, string>} files
 * @param {string[]} build
 * @param {Dialogue[]} connections
 * @returns {string}
 */
function prepareWork(base, files, build, connections) {
  const work = join(base, 'work');
  const etc = join(work, 'etc');
  mkdirSync(etc, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(etc, name), text);
  for (const f of PACKAGE_FILES) if (existsSync(join('/etc/postfix', f))) cpSync(join('/etc/postfix', f), join(etc, f), { recursive: true });
  // in_flow_delay: every transaction here opens a queue file (first accepted RCPT) and RSET drops it, so
  // no mail ever reaches qmgr, which is what hands cleanup its flow-control tokens back; after
  // default_process_limit (100) such transactions each new one would wait 1 s for a token. A server
  // that delivers what it accepts never runs dry; turning the flow control off models that.
  writeFileSync(join(etc, 'main.cf'), MAIN_CF + `\n# --- added by bench/smtpd ---\nmaillog_file = ${MAILLOG}\nin_flow_delay = 0s\n`);
  writeFileSync(join(etc, 'master.cf'), readFileSync('/usr/share/postfix/master.cf.dist', 'utf8'));
  // Postfix re-reads a young main.cf and warns about young tables: back-date the configuration.
  const touch = spawnSync('find', [etc, '-exec', 'touch', '-h', '-d', '2000-01-01T00:00:00Z', '{}', '+'], { env: ENV, encoding: 'utf8' });
  if (touch.status !== 0) die(`touch failed: ${touch.stderr}`);
  for (const d of ['spool', 'lib', 'mail', 'sys']) mkdirSync(join(work, d), { recursive: true });
  chmodSync(join(work, 'spool'), 0o755);
  chmodSync(join(work, 'lib'), 0o755);
  const [, , uid, gid] = accountLines('/etc/passwd', ['postfix']).split(':').map(Number);
  chownSync(join(work, 'lib'), uid, gid);
  chownSync(join(work, 'mail'), 0, Number(accountLines('/etc/group', ['mail']).split(':')[2]));
  chmodSync(join(work, 'mail'), 0o2775);
  const sys = join(work, 'sys');
  writeFileSync(join(sys, 'passwd'), accountLines('/etc/passwd', USERS));
  writeFileSync(join(sys, 'group'), accountLines('/etc/group', GROUPS));
  writeFileSync(join(sys, 'hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost\n');
  writeFileSync(join(sys, 'nsswitch.conf'), 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nservices: files\n');
  // Nothing listens on 127.0.0.1:53 in the namespace: a query would fail at once (none is expected).
  writeFileSync(join(sys, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  writeFileSync(join(sys, 'aliases'), '');
  writeFileSync(join(sys, 'mailname'), `${HOSTNAME}\n`);
  writeFileSync(join(sys, 'job.json'), JSON.stringify({ build, connections }));
  return work;
}

const NAMESPACE_SCRIPT = daemonNamespaceScript(HOSTNAME, MARKER);

/**
 * @param {string} work
 * @returns {Promise<RealResult>}
 */
async function runReal(work) {
  const env = {
    ...ENV,
    K: String(K),
    C: String(C),
    PARALLEL: String(PARALLEL),
    RUNS: String(RUNS),
    BENCH_SMTPD_VERBOSE: process.env.BENCH_SMTPD_VERBOSE ?? '',
  };
  const r = await runCollected('unshare', [...DAEMON_UNSHARE, 'sh', '-c', NAMESPACE_SCRIPT, 'sh', work, process.execPath, SELF], { env });
  const stderr = afterMarker(r.stderr, MARKER);
  if (process.env.BENCH_SMTPD_VERBOSE) process.stderr.write(stderr);
  if (r.code !== 0 || r.signal) throw new Error(`inner half failed (${r.signal ?? r.code}): ${stderr}`);
  try {
    return JSON.parse(readFileSync(join(work, 'sys', 'result.json'), 'utf8'));
  } catch (e) {
    throw new Error(`no result from the inner half: ${/** @type {Error} */ (e).message}`, { cause: e });
  }
}

/**
 * loadEngine - the library build (dist-lib, `npm run build:lib`) when it
 * exports everything the bench needs; otherwise the engine bundled from src/
 * into bench/out/smtpd/ (as bench/resolve does).
 * @returns {Promise<{ engine: Engine; from: string }>}
 */
async function loadEngine() {
  const NEEDED = ['openScenario'];
  const lib = join(ROOT, 'dist-lib', 'index.js');
  let missing = NEEDED;
  if (existsSync(lib) && !process.env.BENCH_FROM_SRC) {
    const m = await import(pathToFileURL(lib).href);
    missing = NEEDED.filter((n) => typeof m[n] !== 'function');
    if (missing.length === 0) return { engine: m, from: 'dist-lib/index.js' };
  }
  const engine = await bundleEngine('smtpd');
  const why = process.env.BENCH_FROM_SRC ? 'BENCH_FROM_SRC is set' : `dist-lib ${existsSync(lib) ? 'lacks' : 'is not built; it needs'} ${missing.join(', ')}`;
  return { engine, from: `src/ bundled into bench/out/smtpd/ (${why})` };
}

/**
 * The simulator: one configuration, every connection's dialogue; replies and a rate.
 * @param {Engine} engine
 * @param {string} etc
 * @param {Dialogue[]} connections
 */
async function runSimulator(engine, etc, connections) {
  const enc = new TextEncoder();
  /** @type {import('../../src/engine/index.ts').Host} */
  const host = {
    readFile(path) {
      if (path === '/etc/postfix/main.cf') return enc.encode(MAIN_CF); // without the bench's maillog_file line
      if (!path.startsWith('/etc/postfix/')) return undefined;
      try {
        return readFileSync(join(etc, path.slice('/etc/postfix/'.length)));
      } catch {
        return undefined;
      }
    },
    environment: { LANG: 'C', MAIL_LOGTAG: 'postfix' },
  };
  const t0 = process.hrtime.bigint();
  const scenario = await engine.openScenario({ host, service: 'smtp' });
  if (scenario.fatal) throw new Error(`simulator: ${scenario.fatal.message}`);
  const cfg = await scenario.smtpd();
  const prepareMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (cfg.fatal) throw new Error(`simulator: smtpd would not start: ${cfg.fatal.message}`);
  const client = { addr: '127.0.0.1', name: 'localhost' };
  const texts = connections.map((lines) => lines.join('\n') + '\n');
  // First pass: the replies to compare (and the JIT's warm-up); not timed.
  /** @type {Replies[]} */
  const replies = [];
  for (const text of texts) {
    const outcome = await scenario.play(text, client);
    if (!outcome || !('session' in outcome)) throw new Error(`simulator: ${outcome ? outcome.error.message : 'no outcome from play()'}`);
    replies.push(outcome.session.exchanges.map((e) => e.server));
  }
  // Timed: with the trace (what the page, --trace and --json show) and without (the plain CLI).
  const timed = async (/** @type {boolean} */ trace) => {
    let passes = 0;
    const start = process.hrtime.bigint();
    let seconds;
    do {
      for (const text of texts) await scenario.play(text, client, { trace });
      passes++;
      seconds = Number(process.hrtime.bigint() - start) / 1e9;
    } while (seconds < SIM_SECONDS / 2);
    return { passes, seconds };
  };
  const traced = await timed(true);
  const plain = await timed(false);
  return { replies, prepareMs, seconds: traced.seconds, passes: traced.passes, plain };
}

/**
 * compare - transactions whose seven replies differ; the first one in full.
 * @param {Dialogue[]} connections
 * @param {Replies[]} real
 * @param {Replies[]} sim
 * @returns {{ differences: number; otherDiffs: number; first: Difference | null }}
 */
function compare(connections, real, sim) {
  let differences = 0;
  /** @type {Difference | null} */
  let first = null;
  let otherDiffs = 0;
  const same = (/** @type {unknown} */ a, /** @type {unknown} */ b) => JSON.stringify(a) === JSON.stringify(b);
  connections.forEach((lines, c) => {
    const r = real[c];
    const s = sim[c];
    // Reply 0 is the banner; reply i + 1 answers lines[i] (lines[0] is XCLIENT).
    if (r.length !== s.length || [0, 1, lines.length].some((i) => !same(r[i], s[i]))) {
      otherDiffs++;
      const i = [0, 1, lines.length].find((x) => !same(r[x], s[x])) ?? 0;
      first ??= { connection: c, transaction: '-', command: i ? lines[i - 1] : '(banner)', real: r[i], sim: s[i], dialogue: lines.slice(0, 1) };
    }
    for (let t = 0; t < K; t++) {
      const from = txStart(t);
      for (let i = from; i < from + TX_LINES; i++) {
        if (same(r[i + 1], s[i + 1])) continue;
        differences++;
        first ??= {
          connection: c,
          transaction: t,
          command: lines[i],
          real: r[i + 1],
          sim: s[i + 1],
          dialogue: [lines[0], ...lines.slice(from, from + TX_LINES)],
        };
        break;
      }
    }
  });
  return { differences, otherDiffs, first };
}

async function main() {
  const version = checkEnvironment();
  const { engine, from } = await loadEngine();
  const { files, build } = configFiles();
  const connections = workload();
  const transactions = C * K;
  const base = mkdtempSync(join(tmpdir(), 'bench-smtpd-'));
  // On ^C the namespace's first process dies with us (and Postfix with it); the tree goes too.
  process.once('SIGINT', () => {
    rmSync(base, { recursive: true, force: true });
    process.exit(130);
  });
  let real;
  let sim;
  try {
    const work = prepareWork(base, files, build, connections);
    if (process.env.SIM_ONLY) {
      // Profiling aid: the simulator alone, no Postfix and no comparison.
      sim = await runSimulator(engine, join(work, 'etc'), connections);
      console.log(
        `postfix-sim: ${((transactions * sim.passes) / sim.seconds).toFixed(0)} transactions/s with the trace, ${((transactions * sim.plain.passes) / sim.plain.seconds).toFixed(0)} without`,
      );
      return;
    }
    real = await runReal(work);
    sim = await runSimulator(engine, join(work, 'etc'), connections);
  } finally {
    // BENCH_SMTPD_KEEP=1 keeps the temporary tree (the raw log is work/lib/maillog).
    if (process.env.BENCH_SMTPD_KEEP) process.stderr.write(`bench-smtpd: kept ${base}\n`);
    else rmSync(base, { recursive: true, force: true });
  }
  // smtpd sleeps before every reply once a session has smtpd_soft_error_limit errors: the workload must stay below.
  const worst = Math.max(...real.replies.map((rs) => rs.slice(1).filter((r) => /^[45]/.test(r[r.length - 1] ?? '')).length));
  if (worst >= 10) die(`a connection got ${worst} rejections (>= smtpd_soft_error_limit): the workload is wrong, timings are meaningless`);
  const rejected = real.replies.flatMap((rs, c) => rs.slice(1).filter((r, i) => /^RCPT/.test(connections[c][i]) && /^[45]/.test(r[r.length - 1]))).length;
  const { differences, otherDiffs, first } = compare(connections, real.replies, sim.replies);

  const seqRate = transactions / real.sequential;
  const parRate = transactions / real.parallel;
  const simRate = (transactions * sim.passes) / sim.seconds;
  const plainRate = (transactions * sim.plain.passes) / sim.plain.seconds;
  const f = (/** @type {number} */ x) => Math.round(x).toLocaleString('en-US');
  console.log(`smtpd benchmark: Postfix ${version} vs postfix-sim (node ${process.version}; engine from ${from})`);
  console.log(
    `workload: ${C} connections (XCLIENT, then ${K} transactions of EHLO, MAIL, 3 RCPT, RSET; QUIT; no pipelining) = ${f(transactions)} transactions, ` +
      `${f(transactions * 3)} RCPT of which ${f(rejected)} rejected; worst connection ${worst} rejections`,
  );
  console.log(
    `real smtpd: Postfix started in ${real.startMs} ms, warm-up ${WARMUP} connections, median of ${RUNS} runs each; simulator: prepareSmtpd ${sim.prepareMs.toFixed(0)} ms (not counted), ${sim.passes} passes in ${sim.seconds.toFixed(1)} s`,
  );
  console.log('');
  console.log('what                                       seconds   transactions/s');
  const row = (/** @type {string} */ what, /** @type {number} */ s, /** @type {number} */ r) =>
    console.log(`${what.padEnd(40)} ${s.toFixed(3).padStart(9)}   ${f(r).padStart(14)}`);
  row('real smtpd, 1 client at a time', real.sequential, seqRate);
  row(`real smtpd, ${PARALLEL} clients at a time`, real.parallel, parRate);
  row(`postfix-sim with trace (1 thread)`, sim.seconds / sim.passes, simRate);
  row(`postfix-sim without trace (1 thread)`, sim.plain.seconds / sim.plain.passes, plainRate);
  console.log('');
  const label = (/** @type {string} */ t) => `${t}:`.padEnd(44);
  console.log(`${label('speed-up vs real, 1 client at a time')}${(simRate / seqRate).toFixed(1)}x with trace, ${(plainRate / seqRate).toFixed(1)}x without`);
  console.log(
    `${label(`speed-up vs real, ${PARALLEL} clients at a time`)}${(simRate / parRate).toFixed(1)}x with trace, ${(plainRate / parRate).toFixed(1)}x without   (issue 3 target: 100x)`,
  );
  console.log(`${label('real replies identical in all real runs')}${real.runsAgree ? 'yes' : 'NO'}`);
  console.log(
    `transactions whose replies differ (real vs simulator): ${differences} of ${transactions}` +
      (otherDiffs ? `; connections with a different banner/QUIT/length: ${otherDiffs}` : ''),
  );
  if (first) {
    console.log(`first difference: connection ${first.connection}, transaction ${first.transaction}, at "${first.command}"`);
    console.log(`  dialogue: ${first.dialogue.join(' | ')}`);
    console.log(`  real:     ${first.real?.join(' / ')}`);
    console.log(`  postfix-sim: ${first.sim?.join(' / ')}`);
  }
  if (real.problems.length) {
    console.log(`Postfix logged ${real.problems.length} warnings or errors; the first ones:`);
    for (const l of real.problems.slice(0, 5)) console.log(`  ${l}`);
  }
  if (differences || otherDiffs) process.exitCode = 1;
}

/* ------------------------------------------------------------------ */
/* Inside the namespace.                                               */
/* ------------------------------------------------------------------ */

/** @param {string[]} argv */
function run(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { env: ENV, encoding: 'utf8', cwd: '/' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

/** @type {string[] | null} */
const slowest = process.env.BENCH_SMTPD_VERBOSE ? [] : null;
/**
 * session - one connection, one command at a time; resolves the replies (banner first), each as its lines.
 * @param {string[]} lines
 * @returns {Promise<Replies>}
 */
function session(lines) {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: '127.0.0.1', port: 25 });
    socket.setNoDelay(true);
    /** @type {Replies} */
    const replies = [];
    /** @type {string[]} */
    let current = [];
    let sent = 0;
    let at = process.hrtime.bigint();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply within ${REPLY_TIMEOUT_MS} ms after ${lines[sent - 1] ?? 'connect'}`));
    }, REPLY_TIMEOUT_MS);
    readLines(socket, (line) => {
      current.push(line);
      if (!/^\d{3}(?: |$)/.test(line)) return;
      const reply = current;
      replies.push(reply);
      current = [];
      if (slowest) {
        const now = process.hrtime.bigint();
        const ms = Number(now - at) / 1e6;
        at = now;
        if (ms > 200) slowest.push(`${ms.toFixed(0)} ms: ${lines[sent - 1] ?? 'banner'} -> ${reply.at(-1)}`);
      }
      if (sent < lines.length) socket.write(lines[sent++] + '\r\n');
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (replies.length !== lines.length + 1) reject(new Error(`connection closed after ${replies.length} replies for ${lines.length} commands`));
      else resolvePromise(replies);
    });
  });
}

/**
 * play - every connection, `parallel` at a time; returns seconds and replies.
 * @param {Dialogue[]} connections
 * @param {number} parallel
 */
async function play(connections, parallel) {
  /** @type {Replies[]} */
  const replies = new Array(connections.length);
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < connections.length) {
      const i = next++;
      replies[i] = await session(connections[i]);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, replies };
}

/** @param {string} work */
async function inner(work) {
  /** @type {{ build: string[]; connections: Dialogue[] }} */
  const { build, connections } = JSON.parse(readFileSync(join(work, 'sys', 'job.json'), 'utf8'));
  mkdirSync('/var/spool/postfix/etc', { recursive: true });
  for (const f of ['hosts', 'nsswitch.conf', 'resolv.conf']) cpSync(join(work, 'sys', f), join('/var/spool/postfix/etc', f));
  for (const f of ['services', 'host.conf', 'localtime'])
    if (existsSync(`/etc/${f}`)) cpSync(`/etc/${f}`, join('/var/spool/postfix/etc', f), { dereference: true });
  for (const step of build) run(step.split(' '));
  const t0 = Date.now();
  run(['postfix', 'start']);
  // Ready when smtpd answers.
  for (let i = 0; ; i++) {
    try {
      await session(['QUIT']);
      break;
    } catch (e) {
      if (i > 100) throw new Error(`smtpd does not answer: ${/** @type {Error} */ (e).message}`, { cause: e });
      await sleep(100);
    }
  }
  const startMs = Date.now() - t0;
  await play(connections.slice(0, WARMUP), PARALLEL); // starts PARALLEL smtpd processes, fills caches
  const seq = [];
  const par = [];
  for (let r = 0; r < RUNS; r++) {
    seq.push(await play(connections, 1));
    par.push(await play(connections, PARALLEL));
  }
  const median = (/** @type {{ seconds: number }[]} */ runs) => runs.map((x) => x.seconds).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  // slowest is a list exactly when BENCH_SMTPD_VERBOSE is set.
  if (slowest)
    process.stderr.write(
      `sequential: ${seq.map((x) => x.seconds.toFixed(3))} s\nparallel: ${par.map((x) => x.seconds.toFixed(3))} s\nslow replies:\n${slowest.slice(0, 30).join('\n')}\n`,
    );
  const replies = JSON.stringify(seq[0].replies);
  const log = existsSync(MAILLOG) ? readFileSync(MAILLOG, 'utf8').split('\n') : [];
  const problems = log.filter((l) => /: (warning|error|fatal|panic): /.test(l));
  writeFileSync(
    join(work, 'sys', 'result.json'),
    JSON.stringify({
      startMs,
      sequential: median(seq),
      parallel: median(par),
      runsAgree: [...seq, ...par].every((x) => JSON.stringify(x.replies) === replies),
      replies: seq[0].replies,
      problems,
    }),
  );
  process.exit(0); // the namespace ends, and every Postfix process with it
}

if (process.argv[2] === '--inner')
  inner(process.argv[3]).catch((e) => {
    const log = existsSync(MAILLOG) ? readFileSync(MAILLOG, 'utf8').split('\n').slice(-15).join('\n') : '(no maillog)';
    process.stderr.write(`bench-smtpd (inner): ${e.stack ?? e}\nlast lines of the maillog:\n${log}\n`);
    process.exit(1);
  });
else main().catch((e) => die(e.stack ?? String(e)));
