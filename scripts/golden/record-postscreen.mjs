#!/usr/bin/env node
/*
 * NAME
 *   record-postscreen - record golden postscreen dialogues from real Postfix
 * SYNOPSIS
 *   node scripts/golden/record-postscreen.mjs [group...]
 *   npm run golden:record:postscreen [-- group...]
 * DESCRIPTION
 *   For each group under tests/golden/postscreen/ (see the README there):
 *   copy its configuration to a temporary directory, add Debian's package
 *   files and the recorder's maillog_file, then, inside a private mount,
 *   network, UTS and PID namespace (as record-smtpd does): bind-mount it
 *   over /etc/postfix, build the group's tables, start a private DNS
 *   responder on 127.0.0.1:53 (the chroot's resolv.conf points dnsblog and
 *   smtpd at it), start the whole Postfix with postscreen on port 25, and
 *   play every dialogue of the group. Dialogues run at the same time (each
 *   uses its own client addresses); the connections of one dialogue run in
 *   order, each from its client address (127.x.y.z: postscreen has no
 *   XCLIENT) and a fixed port, at its `at=` time or right after the
 *   previous one ended. Every reply line is recorded, and the log lines of
 *   postscreen, dnsblog and smtpd are attributed to the connection they
 *   are about.
 *
 *   Writes tests/golden/postscreen/<group>/expected.json. Needs root,
 *   util-linux unshare, iproute2 or perl, and Postfix 3.7 (Debian packages).
 *   `at=` is real time: groups use short TTLs (postscreen_greet_ttl = 3s...)
 *   so that a whole re-record takes a minute or two.
 *
 *   Internally the same file runs inside the namespace with --inner WORK.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDnsResponder } from './dns-responder.mjs';
import { isDataCommand, nextUnit, normaliseLogText, parseBuildFile, parseDnsFile, replyCode } from './smtpd-format.mjs';
import { CLIENT_PORT_BASE, NON_CONFIG_FILES, checkRecordable, normalisePostscreenText, parseConnections } from './postscreen-format.mjs';
import { DEBIAN_MASTER_CF, loadMainCf, prepareDaemonTree } from './record-smtpd.mjs';
import { daemonInner, daemonNamespaceScript, dieWith, loadWantedGroups, recordGroups } from './namespace.mjs';
import * as daemon from './daemon-recorder.mjs';

/** @import { RecordedConnectionSpec } from './postscreen-format.mjs' */
/** @import { BuildStep, DnsRecord } from './smtpd-format.mjs' */
/** @import { SeenQuery } from './dns-responder.mjs' */

/** @typedef {RecordedConnectionSpec & { port: number }} PostscreenConnection a connection with its client port */
/** @typedef {{ name: string; connections: PostscreenConnection[] }} Dialogue */
/**
 * A group as loadGroup reads it (record-scenarios makes them too).
 * @typedef {object} PostscreenGroup
 * @property {string} name
 * @property {string} dir
 * @property {string} main
 * @property {string} master
 * @property {Pick<BuildStep, 'command' | 'argv'>[]} build (record-scenarios' steps have no line)
 * @property {DnsRecord[]} dns
 * @property {Dialogue[]} dialogues
 */
/** @typedef {{ process: string; pid: string; text: string }} RawLine */
/**
 * One connection as converse played it.
 * @typedef {{ commands: string[][]; replies: string[][]; closedByServer?: boolean; noServer?: boolean; unsent?: number }} ConnectionTalk
 */
/** @typedef {ConnectionTalk & { dns: string[] }} ConnectionResult */
/** @typedef {{ log: string[]; dnsblog: string[] }} ConnectionLog */

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const GOLDEN = join(ROOT, 'tests/golden/postscreen');
const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
const HOSTNAME = 'host.example.com';
const MARKER = '@@record-postscreen: namespace ready@@';
/** Groups recorded at the same time: they mostly wait (greet waits, at= times). */
const CONCURRENCY = 5;
const REPLY_TIMEOUT_MS = 20000;
/** After a reply to a pregreeting client: more replies (to the pregreet's lines) come at once. */
const QUIET_MS = 300;
/** How long after a postscreen fatal error a missing banner counts as "no server". */
const DIED_GRACE_MS = 1500;
const CONCLUDE_TIMEOUT_MS = 8000;
const CLOSE_WAIT_MS = 5000;
/**
 * Reply codes after which the server hangs up (asked with replyCode's answer, which is null for no code).
 * @type {readonly (number | null)[]}
 */
const CLOSING_CODES = [221, 421, 521];

/**
 * Prints `NAME: message` and exits 1 (typed here, so that TypeScript sees a call end control flow).
 * @type {(message: string) => never}
 */
const die = dieWith('record-postscreen');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/* ------------------------------------------------------------------ */
/* Outside the namespace.                                              */
/* ------------------------------------------------------------------ */

/** checkEnvironment - dies unless the machine can record postscreen groups; returns Postfix's version. */
export function checkEnvironment() {
  return daemon.checkDaemonEnvironment(
    ENV,
    ['postfix', 'postconf', 'postmap', 'unshare', 'mount', 'hostname'],
    [DEBIAN_MASTER_CF, '/usr/lib/postfix/sbin/postscreen', '/usr/lib/postfix/sbin/dnsblog'],
    die,
  );
}

/**
 * loadGroup - parse every file of a group up front; throws on any format error.
 * @param {string} name
 * @returns {PostscreenGroup}
 */
function loadGroup(name) {
  const dir = join(GOLDEN, name);
  const main = loadMainCf(dir, ['mynetworks']);
  if (!existsSync(join(dir, 'master.cf'))) throw new Error('no master.cf (a postscreen group must turn postscreen on)');
  const master = readFileSync(join(dir, 'master.cf'), 'utf8');
  if (!/^smtp\s+inet\s+(\S+\s+){5}postscreen\b/m.test(master)) throw new Error('master.cf must run postscreen on the smtp inet service');
  const build = existsSync(join(dir, 'build')) ? parseBuildFile(readFileSync(join(dir, 'build'), 'utf8'), `${name}/build`) : [];
  const dns = existsSync(join(dir, 'dns')) ? parseDnsFile(readFileSync(join(dir, 'dns'), 'utf8'), `${name}/dns`) : [];
  const dialogueDir = join(dir, 'dialogues');
  const names = daemon.smtpNames(dir, 'dialogues');
  let port = CLIENT_PORT_BASE;
  /** @type {Map<string, string>} */
  const owner = new Map();
  const dialogues = names.map((d) => {
    const where = `${name}/dialogues/${d}.smtp`;
    // Each gets its port below.
    const connections = /** @type {PostscreenConnection[]} */ (parseConnections(readFileSync(join(dialogueDir, `${d}.smtp`), 'utf8'), where));
    checkRecordable(connections, where);
    for (const c of connections) {
      if (owner.has(c.client) && owner.get(c.client) !== d)
        throw new Error(`${where}: client ${c.client} is also used by dialogue ${owner.get(c.client)} (dialogues of a group run at the same time)`);
      owner.set(c.client, d);
      c.port = port++;
    }
    return { name: d, connections };
  });
  return { name, dir, main, master, build, dns, dialogues };
}

/**
 * prepareWork - the temporary tree of one postscreen group; returns its path.
 * @param {PostscreenGroup} group
 * @param {string} base
 * @returns {string}
 */
export function prepareWork(group, base) {
  return prepareDaemonTree(group, base, {
    recorder: 'record-postscreen',
    nonConfig: NON_CONFIG_FILES,
    masterCf: group.master,
    groupJson: { build: group.build, dns: group.dns, dialogues: group.dialogues },
  });
}

const NAMESPACE_SCRIPT = daemonNamespaceScript(HOSTNAME, MARKER);

async function main() {
  const started = Date.now();
  const version = checkEnvironment();
  const groups = loadWantedGroups(GOLDEN, process.argv.slice(2), loadGroup, die);
  // Longest groups first: the pool then finishes sooner.
  const cost = (/** @type {PostscreenGroup} */ g) => Math.max(...g.dialogues.map((d) => d.connections.reduce((t, c) => Math.max(t + 1, c.at ?? 0), 0)));
  const connections = (/** @type {PostscreenGroup} */ g) => g.dialogues.reduce((s, d) => s + d.connections.length, 0);
  await recordGroups(
    [...groups].sort((a, b) => cost(b) - cost(a)),
    {
      recorder: 'record-postscreen',
      version,
      started,
      concurrency: CONCURRENCY,
      // RECORD_POSTSCREEN_KEEP=1 keeps the temporary tree (raw maillog in <group>/lib/maillog).
      workDir: { prefix: 'golden-postscreen-', keep: 'RECORD_POSTSCREEN_KEEP' },
      unit: 'connections',
      name: (group) => group.name,
      expected: (group) => join(group.dir, 'expected.json'),
      // inner() writes an object: expected.json without `postfix`
      record: async (group, base) => /** @type {object} */ (await daemonInner(NAMESPACE_SCRIPT, MARKER, prepareWork(group, base), SELF, ENV)),
      report: (group, result, secs) => ({
        count: connections(group),
        note: `${group.dialogues.length} dialogues, ${connections(group)} connections, ${secs} s`,
      }),
      die,
    },
  );
}

/* ------------------------------------------------------------------ */
/* Inside the namespace.                                               */
/* ------------------------------------------------------------------ */

const run = daemon.commandRunner(ENV);

/**
 * parseRaw - { process, pid, text } of a maillog_file line, or null.
 * @param {string} raw
 * @returns {RawLine | null}
 */
function parseRaw(raw) {
  const m = /^\w{3} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ ([^\s[\]:]+)(?:\[(\d+)\])?: (.*)$/.exec(raw);
  return m ? { process: m[1], pid: m[2] ?? '', text: m[3] } : null;
}

/** @returns {RawLine[]} */
const readLog = () => daemon.readMaillog('latin1', parseRaw);

const isPostscreen = (/** @type {RawLine} */ l) => /\/postscreen$/.test(l.process);
const isSmtpd = (/** @type {RawLine} */ l) => /\/smtpd$/.test(l.process);
const isDnsblog = (/** @type {RawLine} */ l) => /\/dnsblog$/.test(l.process);
/** postscreen lines that come after the pre-greeting tests. */
const VERDICT = /^(PASS (NEW|OLD)|DNSBL rank|DISCONNECT|NOQUEUE|HANGUP|DATA without|BDAT without|COMMAND|NON-SMTP|BARE NEWLINE)/;
/** The [addr]:port a postscreen line is about (its first one). */
const endpoint = (/** @type {string} */ text) => /\[([0-9A-Fa-f.:]+)\]:(\d+)/.exec(text);
/** dict_cache's periodic statistics: when they appear depends on the clock, not on the dialogue. */
const cacheStatistics = (/** @type {RawLine} */ l) => isPostscreen(l) && /^cache \S+ full cleanup: /.test(l.text);
const postscreenDied = (/** @type {RawLine} */ l) =>
  (isPostscreen(l) && /^(fatal|panic): /.test(l.text)) ||
  (/\/master$/.test(l.process) && /^warning: process \S*\/postscreen pid \d+ (exit status|killed by signal) /.test(l.text));

/**
 * converse - one connection: the pregreet text at once, then the lines
 * one unit at a time (or all at once when pipelined). Resolves
 * { commands, replies, unsent?, noServer? }.
 * @param {PostscreenConnection} c
 * @param {() => boolean} died
 * @returns {Promise<ConnectionTalk>}
 */
function converse(c, died) {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: c.server, port: 25, localAddress: c.client, localPort: c.port });
    const eol = c.bareNewline ? '\n' : '\r\n';
    /** @type {string[]} */
    let received = []; // lines not yet part of a reply
    /** @type {string[][]} */
    const replies = [];
    /** @type {string[][]} */
    const commands = [];
    let closed = false;
    let lastData = Date.now();
    /** @type {(() => void) | null} */
    let wake = null;
    const poke = () => {
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    };
    let buffer = '';
    socket.setEncoding('latin1');
    socket.on('data', (/** @type {string} */ chunk) => {
      lastData = Date.now();
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        received.push(buffer.slice(0, nl).replace(/\r$/, ''));
        buffer = buffer.slice(nl + 1);
      }
      poke();
    });
    daemon.watchClose(
      socket,
      () => {
        closed = true;
        poke();
      },
      reject,
    );
    socket.on('connect', () => {
      if (c.pregreet !== undefined) socket.write(Buffer.from(c.pregreet, 'latin1'));
    });
    const isFinal = (/** @type {string} */ l) => /^\d{3}(?: |$)/.test(l);
    /**
     * Waits until `ready()` or the connection closed; throws after REPLY_TIMEOUT_MS unless the server died.
     * Resolves true when it gave up on a dead server.
     * @param {() => boolean} ready
     * @param {string} what
     * @returns {Promise<boolean>}
     */
    const until = (ready, what) =>
      new Promise((r, fail) => {
        if (ready() || closed) return r(false);
        /** @type {number | null} */
        let diedAt = null;
        /** @type {ReturnType<typeof setInterval> | undefined} */
        let poll = undefined;
        /** @type {ReturnType<typeof setTimeout> | undefined} */
        let timer = undefined;
        const done = (/** @type {boolean} */ gaveUp) => {
          clearTimeout(timer);
          clearInterval(poll);
          wake = null;
          r(gaveUp);
        };
        poll = setInterval(() => {
          if (ready() || closed) return done(false);
          if (diedAt === null && died()) diedAt = Date.now();
          if (diedAt !== null && Date.now() - diedAt > DIED_GRACE_MS) done(true);
        }, 50);
        timer = setTimeout(() => {
          clearInterval(poll);
          wake = null;
          fail(new Error(`port ${c.port}: no ${what} within ${REPLY_TIMEOUT_MS} ms`));
        }, REPLY_TIMEOUT_MS);
        const again = () => {
          if (ready() || closed) done(false);
          else wake = again;
        };
        wake = again;
      });
    /** takeReply - the lines up to and including the first final line (all when `all`). */
    const takeReply = (all = false) => {
      const end = all ? received.length : received.findIndex(isFinal) + 1;
      const r = received.slice(0, end);
      received = received.slice(end);
      return r;
    };
    const waitClose = (/** @type {number} */ ms) => (closed ? Promise.resolve() : Promise.race([new Promise((r) => socket.once('close', r)), sleep(ms)]));
    (async () => {
      // The greeting: teaser and banner, or whatever answers a pregreeting client.
      const gaveUp = await until(() => received.some(isFinal), 'greeting');
      if (gaveUp) {
        socket.destroy();
        await waitClose(CLOSE_WAIT_MS);
        return resolvePromise({ commands, replies: [takeReply(true)], noServer: true, unsent: c.lines.length });
      }
      if (c.pregreet !== undefined && c.pregreet.includes('\n'))
        while (!closed && Date.now() - lastData < QUIET_MS) await sleep(QUIET_MS - (Date.now() - lastData) + 5);
      replies.push(takeReply(c.pregreet !== undefined));
      // A greeting that says goodbye (421 too many connections, 521 drop): the server hangs up.
      if (CLOSING_CODES.includes(replyCode(replies[0]))) await waitClose(CLOSE_WAIT_MS);
      const lines = c.lines;
      let i = 0;
      if (c.pipelined && !closed) {
        commands.push(...lines.map((l) => [l]));
        socket.write(Buffer.from(lines.map((l) => l + eol).join(''), 'latin1'));
        i = lines.length;
        await until(() => false, 'close after QUIT');
        while (received.some(isFinal)) replies.push(takeReply());
        if (received.length) replies.push(takeReply(true));
      }
      let data354 = false;
      while (i < lines.length && !closed) {
        const unit = nextUnit(lines, i, data354);
        /** @type {boolean} */
        const wasData = !data354 && (isDataCommand(lines[i]) || /^\s*bdat\b/i.test(lines[i]));
        i = unit.next;
        commands.push(unit.send);
        socket.write(Buffer.from(unit.send.map((l) => l + eol).join(''), 'latin1'));
        await until(() => received.some(isFinal), 'reply');
        replies.push(received.some(isFinal) ? takeReply() : takeReply(true));
        const code = replyCode(replies[replies.length - 1]);
        data354 = wasData && code === 354;
        if (CLOSING_CODES.includes(code)) await waitClose(CLOSE_WAIT_MS);
        // postscreen's dummy engine hangs up after DATA and BDAT; smtpd does not.
        else if (wasData && code !== 354) await waitClose(QUIET_MS);
      }
      const unsent = lines.length - i;
      const closedByServer = closed;
      if (!closed) {
        socket.end();
        await waitClose(CLOSE_WAIT_MS);
        if (!closed) socket.destroy();
      }
      resolvePromise({ commands, replies, closedByServer, ...(unsent ? { unsent } : {}) });
    })().catch(reject);
  });
}

/**
 * concluded - the connection's last log line is there: postscreen's
 * DISCONNECT, or (handed off) smtpd's "disconnect from" after its CONNECT.
 * @param {RawLine[]} log
 * @param {PostscreenConnection} c
 * @returns {boolean}
 */
function concluded(log, c) {
  const connectAt = log.findIndex((l) => isPostscreen(l) && l.text.startsWith(`CONNECT from [${c.client}]:${c.port} `));
  if (connectAt < 0) return false;
  for (let k = connectAt + 1; k < log.length; k++) {
    const l = log[k];
    if (isPostscreen(l) && l.text === `DISCONNECT [${c.client}]:${c.port}`) return true;
    if (isSmtpd(l) && new RegExp(`^disconnect from \\S*\\[${c.client.replace(/\./g, '\\.')}\\]`).test(l.text)) return true;
  }
  return false;
}

/** reversedIpv6 - the 32 nibbles of an IPv6 address, lowest first, each followed by a dot (as dnsblog and PTR names have them). */
/**
 * @param {string} addr
 * @returns {string}
 */
function reversedIpv6(addr) {
  const [head, tail] = addr.split('::');
  const groups = (/** @type {string | undefined} */ x) => (x ? x.split(':') : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return [...all.map((g) => g.padStart(4, '0')).join('')].reverse().join('.') + '.';
}

/**
 * @param {Dialogue} d
 * @param {{ queries: SeenQuery[] }} dnsServer
 * @returns {Promise<ConnectionResult[]>}
 */
async function playDialogue(d, dnsServer) {
  const t0 = Date.now();
  /** @type {ConnectionResult[]} */
  const results = [];
  /** @type {Promise<unknown>} */
  let previous = Promise.resolve();
  const died = () => readLog().some(postscreenDied);
  const tasks = d.connections.map((c, n) => {
    const start = c.at !== undefined ? sleep(Math.max(0, t0 + c.at * 1000 - Date.now())) : previous;
    const task = start.then(async () => {
      const dnsFrom = dnsServer.queries.length;
      const talk = await converse(c, died);
      if (!talk.noServer) {
        // A server that hung up without a last log line (postscreen could not hand the client over:
        // "421 4.3.2 All server ports are busy") has said all it will after a short while.
        const deadline = Date.now() + (talk.closedByServer ? QUIET_MS * 2 : CONCLUDE_TIMEOUT_MS);
        while (!concluded(readLog(), c) && Date.now() < deadline) await sleep(25);
        if (!concluded(readLog(), c) && !talk.closedByServer) throw new Error(`${d.name}: connection ${n + 1} (port ${c.port}) did not conclude in the log`);
      }
      delete talk.closedByServer;
      const prefix = c.client.includes(':') ? reversedIpv6(c.client) : c.client.split('.').reverse().join('.') + '.';
      const dns = [
        ...new Set(
          dnsServer.queries
            .slice(dnsFrom)
            .filter((q) => q.name.startsWith(prefix))
            .map((q) => `${q.name} ${q.type}`),
        ),
      ].sort();
      results[n] = { ...talk, dns };
    });
    previous = task;
    return task;
  });
  await Promise.all(tasks);
  return results;
}

/**
 * attribute - the log lines of each connection: postscreen's (by client
 * port; portless ones go to the connection last seen connecting), the
 * smtpd session it was handed to (by smtpd process and client address),
 * and dnsblog's (by address, sorted: dnsblog processes run in parallel).
 * @param {RawLine[]} log
 * @param {Dialogue[]} dialogues
 * @returns {{ out: Map<number, ConnectionLog>; postscreenStartup: string[]; other: string[] }}
 */
function attribute(log, dialogues) {
  const conns = dialogues.flatMap((d) => d.connections);
  /** @type {Map<number, number>} */
  const connectIndex = new Map();
  log.forEach((l, k) => {
    const m = isPostscreen(l) && /^CONNECT from \[([^\]]+)\]:(\d+) /.exec(l.text);
    if (m) connectIndex.set(Number(m[2]), k);
  });
  const byPort = new Map(conns.map((c) => [c.port, c]));
  /** @type {Map<number, ConnectionLog>} */
  const out = new Map(conns.map((c) => [c.port, { log: [], dnsblog: [] }]));
  /** The log of the connection on client port `port`, one of conns'. */
  const outOf = (/** @type {number} */ port) => /** @type {ConnectionLog} */ (out.get(port));
  /** The connection of `addr` whose window (its CONNECT up to the next CONNECT of that address) holds log index k. */
  const windowOf = (/** @type {string} */ addr, /** @type {number} */ k) => {
    /** @type {PostscreenConnection | null} */
    let best = null;
    for (const c of conns) {
      const at = connectIndex.get(c.port);
      if (c.client !== addr || at === undefined) continue;
      if (at <= k && (best === null || at > /** @type {number} */ (connectIndex.get(best.port)))) best = c;
    }
    return best;
  };
  const firstConnect = Math.min(...connectIndex.values(), log.length);
  /** @type {string[]} */
  const postscreenStartup = [];
  /** @type {string[]} */
  const other = [];
  // Queue ids (smtpd opens a queue file at the first accepted RCPT) become Q1, Q2... per connection.
  /** @type {Map<number | null, Map<string, string>>} */
  const labels = new Map();
  /** @type {number | null} */
  let current = null;
  const label = (/** @type {string} */ id) => {
    const mine = labels.get(current) ?? new Map();
    labels.set(current, mine);
    if (!mine.has(id)) mine.set(id, `Q${mine.size + 1}`);
    return mine.get(id);
  };
  const fmt = (/** @type {RawLine} */ l, /** @type {number | null} */ owner = null) => {
    current = owner;
    return `${l.process}: ${normaliseLogText(isPostscreen(l) ? normalisePostscreenText(l.text) : l.text, owner === null ? undefined : label)}`;
  };
  // smtpd sessions per process: lines from "connect from" to "disconnect from"; earlier lines of that process lead in.
  /** @type {Map<string, PostscreenConnection>} */
  const smtpdChains = new Map();
  /** @type {Map<string, RawLine[]>} */
  const pending = new Map();
  log.forEach((l, k) => {
    if (cacheStatistics(l)) return;
    if (isPostscreen(l)) {
      const ep = endpoint(l.text);
      if (ep && byPort.has(Number(ep[2]))) return void outOf(Number(ep[2])).log.push(fmt(l));
      if (k < firstConnect) return void postscreenStartup.push(fmt(l));
      if (dialogues.length > 1)
        throw new Error(`postscreen logged "${l.text}" about no client port while several dialogues ran: give such a dialogue a group of its own`);
      /** @type {number | null} */
      let last = null;
      for (const [port, at] of connectIndex) if (at < k && (last === null || at > /** @type {number} */ (connectIndex.get(last)))) last = port;
      // k >= firstConnect: a connection connected before.
      return void outOf(/** @type {number} */ (last)).log.push(fmt(l));
    }
    if (isSmtpd(l)) {
      const m = /^connect from \S*\[([^\]]+)\]/.exec(l.text);
      if (m) {
        const c = windowOf(m[1], k);
        if (!c) throw new Error(`smtpd session from ${m[1]} belongs to no connection`);
        const lead = pending.get(l.pid) ?? [];
        pending.delete(l.pid);
        smtpdChains.set(l.pid, c);
        outOf(c.port).log.push(...lead.map((x) => fmt(x, c.port)), fmt(l, c.port));
        return;
      }
      const c = smtpdChains.get(l.pid);
      if (c) {
        outOf(c.port).log.push(fmt(l, c.port));
        if (/^disconnect from /.test(l.text)) smtpdChains.delete(l.pid);
      } else pending.set(l.pid, [...(pending.get(l.pid) ?? []), l]);
      return;
    }
    if (isDnsblog(l)) {
      const m = /^addr (\S+) listed by domain /.exec(l.text) ?? /lookup error for DNS query (\d+)\.(\d+)\.(\d+)\.(\d+)\./.exec(l.text);
      const addr = m ? (m.length === 2 ? m[1] : [m[4], m[3], m[2], m[1]].join('.')) : null;
      const c = addr && windowOf(addr, k);
      if (c) {
        // A reply that comes after the greet wait does not count: the recording would depend on load.
        const verdict = log.findIndex(
          (x, j) =>
            j > /** @type {number} */ (connectIndex.get(c.port)) &&
            ((isPostscreen(x) && endpoint(x.text)?.[2] === String(c.port) && VERDICT.test(x.text)) ||
              (isSmtpd(x) && x.text.startsWith(`connect from `) && x.text.includes(`[${c.client}]`))),
        );
        if (verdict >= 0 && verdict < k) throw new Error(`port ${c.port}: dnsblog answered after postscreen decided (raise postscreen_greet_wait): ${l.text}`);
        return void outOf(c.port).dnsblog.push(fmt(l));
      }
    }
    if (k < firstConnect && !/^(warning|error|fatal|panic): /.test(l.text)) return;
    other.push(fmt(l));
  });
  for (const [, lead] of pending) other.push(...lead.map((x) => fmt(x)));
  for (const o of out.values()) o.dnsblog.sort();
  return { out, postscreenStartup, other: other.sort() };
}

/** @param {string} work */
async function inner(work) {
  /** @type {{ build: Pick<BuildStep, 'command' | 'argv'>[]; dns: DnsRecord[]; dialogues: Dialogue[] }} */
  const { build, dns, dialogues } = JSON.parse(readFileSync(join(work, 'sys', 'group.json'), 'utf8'));
  daemon.prepareChroot(work);
  // Extra loopback addresses are all on lo already (127.0.0.0/8); nothing to add.
  const builds = daemon.runBuilds(build, run);
  const dnsServer = await startDnsResponder(dns, { address: '127.0.0.1', port: 53 });
  const { start, log: startLog } = await daemon.startPostfix(run, readLog);
  const results = start.status === 0 ? await Promise.all(dialogues.map((d) => playDialogue(d, dnsServer))) : null;
  await sleep(300);
  const log = readLog();
  const { out, postscreenStartup, other } = attribute(log.slice(startLog.length), dialogues);
  /** @type {Record<string, object>} */
  const dialoguesOut = {};
  dialogues.forEach((d, i) => {
    if (!results) return void (dialoguesOut[d.name] = { skipped: 'Postfix did not start' });
    dialoguesOut[d.name] = {
      connections: d.connections.map((c, n) => {
        const r = results[i][n];
        const o = /** @type {ConnectionLog} */ (out.get(c.port));
        return {
          client: c.client,
          server: c.server,
          port: c.port,
          commands: r.commands,
          replies: r.replies,
          ...(r.noServer ? { noServer: true } : {}),
          ...(r.unsent ? { unsent: r.unsent } : {}),
          log: o.log,
          dnsblog: o.dnsblog,
          dns: r.dns,
        };
      }),
    };
  });
  const output = {
    builds,
    startup: {
      status: start.status,
      stderr: start.stderr.split('\n').filter(Boolean),
      log: startLog
        .filter((l) => /^(warning|error|fatal|panic): /.test(l.text) || /\/(master|postfix-script|postfix)$/.test(l.process))
        .map((l) => `${l.process}: ${normaliseLogText(l.text)}`),
    },
    postscreenStartup,
    dialogues: dialoguesOut,
    other,
  };
  process.stdout.write(JSON.stringify(output));
  await dnsServer.close();
  process.exit(0);
}

daemon.runAsProgram(SELF, 'record-postscreen', main, inner, die);
