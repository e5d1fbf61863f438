/*
 * NAME
 *   resolve-format - files of a golden address-resolution group, and the
 *   normalisation of what real Postfix logs for a case
 * DESCRIPTION
 *   Shared by the recorder (scripts/golden/record-resolve.mjs, real Postfix)
 *   and a harness that replays the groups against the simulator, so both
 *   read `cases`, `build` and `passwd` the same way and normalise log lines
 *   the same way. The format is described in tests/golden/resolve/README.md.
 *
 *   cases:  SENDER <TAB> ADDRESS         (empty SENDER = null sender)
 *   build:  [aliases:]MAP                (postmap MAP, or postalias MAP)
 *   passwd: name:x:uid:gid:gecos:/home/name:shell
 *   Blank lines and lines starting with `#` are ignored in all three.
 */

/** @import { MilterEvent } from './milter-responder.mjs' */
/** @typedef {'local' | 'virtual_alias' | 'virtual_mailbox' | 'relay' | 'default'} ResolveClass */

/**
 * A line of `cases`.
 * @typedef {{ line: number; sender: string; address: string }} ResolveCase
 */

/**
 * A line of `build`.
 * @typedef {{ line: number; command: 'postmap' | 'postalias'; map: string; argv: string[] }} BuildStep
 */

/**
 * A line of `passwd`.
 * @typedef {{ line: number; name: string; uid: number; gid: number; home: string; entry: string }} PasswdEntry
 */

/**
 * A parsed maillog_file line (see parseLogLine).
 * @typedef {object} LogLine
 * @property {string} program
 * @property {number | null} pid
 * @property {string} message
 * @property {'warning' | 'error' | 'fatal' | 'panic' | null} severity
 * @property {string | null} queueId
 * @property {string} text
 */

/**
 * A delivery agent's recipient record (see parseDelivery).
 * @typedef {object} Delivery
 * @property {string} to
 * @property {string} [orig_to]
 * @property {string} relay
 * @property {string} dsn
 * @property {string} status
 * @property {string} text
 */

/*
 * The shape of tests/golden/resolve/<group>/expected.json (see the README there).
 */

/**
 * @typedef {object} GoldenRewrite
 * @property {{ request: 'rewrite'; rule: string; address: string }} request
 * @property {number} serverFlags
 * @property {string} address
 */

/**
 * @typedef {object} GoldenResolve
 * @property {{ request: 'resolve'; sender: string; address: string }} request
 * @property {number} serverFlags
 * @property {string} transport
 * @property {string} nexthop
 * @property {string} recipient
 * @property {number} flags
 * @property {string[]} flagNames
 * @property {string | null} class
 * @property {string[]} warnings
 */

/**
 * A delivery record; agent: the program that logged it, e.g. postfix/local, postfix/pipe (stand-ins), postfix/error.
 * @typedef {Delivery & { agent: string; resolve: GoldenResolve }} GoldenRecipient
 */

/**
 * @typedef {object} GoldenCase
 * @property {number} line
 * @property {string} sender
 * @property {string} address
 * @property {GoldenRewrite} rewrite
 * @property {GoldenResolve} resolve
 * @property {{ argv: string[]; status: number; stdout: string; stderr: string }} sendmail
 * @property {boolean} queued
 * @property {string | null} from
 * @property {GoldenRecipient[]} recipients
 * @property {string[]} log
 * @property {string[]} warnings
 * @property {MilterEvent[]} [milter] what the group's Milters (its `facts`) were asked and answered, in order
 */

/**
 * @typedef {object} GoldenResolveGroup
 * @property {string} postfix
 * @property {{ argv: string[]; command: 'postmap' | 'postalias'; stdout: string; stderr: string; status: number }[]} builds
 * @property {string[]} startup
 * @property {GoldenCase[]} cases
 */

/**
 * The Postfix configuration directory a group stands for.
 * @type {string}
 */
export const CONFIG_DIRECTORY = '/etc/postfix';

/**
 * The environment real Postfix is started with (TZ: the Received: header; LANG: messages).
 * @type {Readonly<Record<string, string>>}
 */
export const RECORD_ENVIRONMENT = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };

/**
 * main.cf parameters every group must set itself (the machine's values must
 * not leak in). mydomain may be left out: it then derives from myhostname.
 * @type {readonly string[]}
 */
export const REQUIRED_PARAMETERS = ['myhostname', 'inet_interfaces', 'alias_maps'];

/**
 * main.cf parameters the recorder appends; a group must not set them.
 * @type {Readonly<Record<string, string>>}
 */
export const RECORDER_PARAMETERS = { maillog_file: '/var/log/maillog', max_idle: '3600s', max_use: '100000' };

/**
 * Commands of master.cf services that are replaced by a deterministic pipe(8) stand-in.
 * @type {readonly string[]}
 */
export const STAND_IN_COMMANDS = ['smtp', 'lmtp'];

/**
 * What the stand-in runs; in verify mode pipe(8) reports `delivers to command: <argv[0]>`.
 * @type {string}
 */
export const STAND_IN_ARGV = '/bin/true';

/**
 * The system accounts copied from the machine's /etc/passwd before a group's own `passwd` lines.
 * @type {readonly string[]}
 */
export const BASE_ACCOUNTS = ['root', 'daemon', 'bin', 'sys', 'mail', 'nobody', 'postfix'];

/**
 * The message body sendmail -bv is given on stdin (its content is never delivered).
 * @type {string}
 */
export const MESSAGE_TEXT = 'Subject: golden resolve case\n\nbody\n';

/**
 * Bits of the resolve reply flags (resolve_clnt.h), by Postfix's names.
 * @type {Readonly<Record<string, number>>}
 */
export const RESOLVE_FLAGS = {
  RESOLVE_FLAG_FINAL: 1 << 0,
  RESOLVE_FLAG_ROUTED: 1 << 1,
  RESOLVE_FLAG_ERROR: 1 << 2,
  RESOLVE_FLAG_FAIL: 1 << 3,
  RESOLVE_CLASS_LOCAL: 1 << 8,
  RESOLVE_CLASS_ALIAS: 1 << 9,
  RESOLVE_CLASS_VIRTUAL: 1 << 10,
  RESOLVE_CLASS_RELAY: 1 << 11,
  RESOLVE_CLASS_DEFAULT: 1 << 12,
};

/**
 * The class names used in expected.json for each RESOLVE_CLASS_* bit.
 * @type {Readonly<Record<string, ResolveClass>>}
 */
export const CLASS_NAMES = {
  RESOLVE_CLASS_LOCAL: 'local',
  RESOLVE_CLASS_ALIAS: 'virtual_alias',
  RESOLVE_CLASS_VIRTUAL: 'virtual_mailbox',
  RESOLVE_CLASS_RELAY: 'relay',
  RESOLVE_CLASS_DEFAULT: 'default',
};

/**
 * decodeResolveFlags - names of the bits set in a resolve reply's flags, and
 * the address class (null when no class bit is set, e.g. a failed request;
 * a `+`-joined list if, against expectation, several are set). Unknown bits
 * are listed as `0x...`.
 * @param {number} flags
 * @returns {{ names: string[]; class: string | null }}
 */
export function decodeResolveFlags(flags) {
  /** @type {string[]} */
  const names = [];
  let rest = flags;
  for (const [name, bit] of Object.entries(RESOLVE_FLAGS))
    if (flags & bit) {
      names.push(name);
      rest &= ~bit;
    }
  if (rest) names.push(`0x${rest.toString(16)}`);
  const classes = names.filter((n) => n in CLASS_NAMES).map((n) => CLASS_NAMES[n]);
  return { names, class: classes.length ? classes.join('+') : null };
}

/**
 * lines - the lines of a file that are neither blank nor comments, with their line numbers.
 * @param {string} text
 * @returns {{ text: string; line: number }[]}
 */
function lines(text) {
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out.map((t, i) => ({ text: t, line: i + 1 })).filter((l) => l.text.trim() !== '' && !l.text.startsWith('#'));
}

/**
 * parseCases - the cases of a group: [{ line, sender, address }].
 * Exactly one TAB per line; nothing is trimmed (spaces belong to the address).
 * @param {string} text
 * @param {string} [where]
 * @returns {ResolveCase[]}
 */
export function parseCases(text, where = 'cases') {
  return lines(text).map(({ text: t, line }) => {
    const fields = t.split('\t');
    if (fields.length !== 2) throw new Error(`${where}:${line}: expected SENDER<TAB>ADDRESS: ${JSON.stringify(t)}`);
    return { line, sender: fields[0], address: fields[1] };
  });
}

/**
 * parseBuild - the table builds of a group, in file order:
 * [{ line, command: 'postmap'|'postalias', map, argv }]. A line is
 * `MAP` (postmap MAP) or `aliases:MAP` (postalias MAP); MAP is
 * `type:/etc/postfix/NAME` or `/etc/postfix/NAME` (default_database_type).
 * @param {string} text
 * @param {string} [where]
 * @returns {BuildStep[]}
 */
export function parseBuild(text, where = 'build') {
  return lines(text).map(({ text: t, line }) => {
    const spec = t.trim();
    const aliases = spec.startsWith('aliases:');
    const map = aliases ? spec.slice('aliases:'.length) : spec;
    const path = map.includes(':') ? map.slice(map.indexOf(':') + 1) : map;
    if (!path.startsWith(CONFIG_DIRECTORY + '/') || path.slice(CONFIG_DIRECTORY.length + 1).includes('/'))
      throw new Error(`${where}:${line}: the table must be a file directly in ${CONFIG_DIRECTORY}: ${JSON.stringify(t)}`);
    return { line, command: aliases ? 'postalias' : 'postmap', map, argv: [map] };
  });
}

/**
 * parsePasswd - the group's extra accounts: [{ line, name, uid, gid, home, entry }]. Homes must be /home/NAME.
 * @param {string} text
 * @param {string} [where]
 * @returns {PasswdEntry[]}
 */
export function parsePasswd(text, where = 'passwd') {
  return lines(text).map(({ text: t, line }) => {
    const f = t.split(':');
    if (f.length !== 7 || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3]))
      throw new Error(`${where}:${line}: expected name:x:uid:gid:gecos:home:shell: ${JSON.stringify(t)}`);
    if (!/^\/home\/[^/]+$/.test(f[5])) throw new Error(`${where}:${line}: the home directory must be /home/NAME`);
    return { line, name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5], entry: t };
  });
}

/**
 * parseLogLine - one line of Postfix's maillog_file:
 * `Mon dd hh:mm:ss HOST PROGRAM[PID]: MESSAGE` →
 * { program, pid, message, severity, queueId, text }. severity: the leading
 * `warning:`/`error:`/`fatal:`/`panic:` of MESSAGE, else null; queueId: the
 * `ID: ` after it (short or long queue id form), else null; text: MESSAGE
 * without both. Returns null for anything else.
 * @param {string} raw
 * @returns {LogLine | null}
 */
export function parseLogLine(raw) {
  const m = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ ([^\s[]+?)(?:\[(\d+)\])?: (.*)$/.exec(raw);
  if (!m) return null;
  const [, program, pid, message] = m;
  const s = /^(warning|error|fatal|panic): (.*)$/.exec(message);
  const rest = s ? s[2] : message;
  const q = /^([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}z[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]+): (.*)$/.exec(rest);
  return {
    program,
    pid: pid ? Number(pid) : null,
    message,
    severity: s ? /** @type {LogLine['severity']} */ (s[1]) : null,
    queueId: q ? q[1] : null,
    text: q ? q[2] : rest,
  };
}

/**
 * ENVIRONMENT_NOISE - log messages about the recording machine, not about the
 * case (clock skew between the file system and the process clock on a busy
 * machine); the recorder leaves them out everywhere.
 * @type {readonly RegExp[]}
 */
export const ENVIRONMENT_NOISE = [
  /^warning: file system clock is \d+ seconds? ahead of local clock$/,
  /^warning: resetting file time stamps - this hurts performance$/,
];

/**
 * isEnvironmentNoise - whether a parsed log line is one of ENVIRONMENT_NOISE.
 * @param {LogLine} line
 * @returns {boolean}
 */
export function isEnvironmentNoise(line) {
  return ENVIRONMENT_NOISE.some((re) => re.test(line.message));
}

/**
 * formatLine - a parsed log line as recorded: `PROGRAM: MESSAGE`, normalised with normaliseText.
 * @param {LogLine} line
 * @param {(queueId: string) => string | null | undefined} [rename]
 * @returns {string}
 */
export function formatLine(line, rename = () => null) {
  return `${line.program}: ${normaliseText(line.message, rename)}`;
}

/**
 * normaliseText - a log text without what changes from run to run: queue ids
 * (the case's → `Q`, others by first appearance → `R1`, `R2`… via `rename`),
 * message-id dates, `size=`, `delay=` and `delays=`.
 * @param {string} text
 * @param {(queueId: string) => string | null | undefined} rename
 * @returns {string}
 */
export function normaliseText(text, rename) {
  return text
    .replace(/\b[0-9A-F]{6,}\b/g, (id) => rename(id) ?? id)
    .replace(/message-id=<\d{14}\./g, 'message-id=<DATE.')
    .replace(/, size=\d+/g, '')
    .replace(/, delay=[\d.]+/g, '')
    .replace(/, delays=[\d./]+/g, '');
}

/**
 * parseDelivery - a delivery agent's recipient record
 * `to=<A>, [orig_to=<B>, ]relay=R, [conn_use=N, ]dsn=D, status=S (TEXT)`
 * (after normaliseText) → { to, orig_to?, relay, dsn, status, text }, else null.
 * @param {string} text
 * @returns {Delivery | null}
 */
export function parseDelivery(text) {
  const m = /^to=<(.*?)>, (?:orig_to=<(.*?)>, )?relay=(.*?), (?:conn_use=\d+, )?dsn=(\d\.\d{1,3}\.\d{1,3}), status=(\S+) \((.*)\)$/.exec(text);
  if (!m) return null;
  /** @type {{ to: string; orig_to?: string }} */
  const record = { to: m[1] };
  if (m[2] !== undefined) record.orig_to = m[2];
  return Object.assign(record, { relay: m[3], dsn: m[4], status: m[5], text: m[6] });
}
