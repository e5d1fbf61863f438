/*
 * NAME
 *   smtpd-format - files of a golden smtpd group, shared by recorder and harness
 * DESCRIPTION
 *   A group under tests/golden/smtpd/ stands for /etc/postfix plus the
 *   world around it (DNS facts) and SMTP sessions to replay against it. The
 *   recorder (scripts/golden/record-smtpd.mjs) plays the sessions against
 *   real Postfix; a harness plays the same files against the simulator.
 *   Both parse them here so they agree on what is sent. The format is
 *   described in tests/golden/smtpd/README.md.
 *
 *   - parseSession: a `sessions/NAME.smtp` file (client side of a telnet
 *     session; leading `#` lines are comments, `# client: ADDR` picks the
 *     connecting address);
 *   - nextUnit: what the client sends next, given the reply to the last unit
 *     (DATA's message goes as one unit, only after a 354);
 *   - parseDnsFile: the `dns` file (zone-file style records);
 *   - parseBuildFile: the `build` file (postmap / postalias steps);
 *   - parsePolicyFacts: the `policy` lines of the `facts` file (answers of
 *     policy servers; `verify` lines are the simulator's only);
 *   - parseMilterFacts: the `milter` lines of the `facts` file (decisions of
 *     Milter applications);
 *   - normaliseLogLine / labelQueueIds: how log lines are made stable.
 */

/**
 * A sessions/NAME.smtp file. `lines` are sent verbatim, CRLF added.
 * @typedef {object} SmtpSession
 * @property {string} client
 * @property {boolean} pipelined `# pipelined`: every line is sent at once after the banner.
 * @property {string[]} comments
 * @property {string[]} lines
 */

/**
 * A record of a `dns` file.
 * @typedef {object} DnsRecord
 * @property {string} name
 * @property {number} ttl
 * @property {string} type A AAAA MX NS PTR TXT, or SERVFAIL / TIMEOUT (then data is "").
 * @property {string} data
 * @property {number} line
 */

/**
 * A line of a `build` file.
 * @typedef {{ command: 'postmap' | 'postalias'; argv: string[]; line: number }} BuildStep
 */

/**
 * A `policy SERVER [name=value ...] => ACTION` line of a group's `facts` file.
 * @typedef {{ server: string; match: [string, string][]; action: string; line: number }} PolicyFactLine
 */

/**
 * A `milter SERVER STAGE [name=value ...] => VERDICT` line of a group's `facts` file.
 * @typedef {{ server: string; stage: string; match: [string, string][]; verdict: string; line: number }} MilterFactLine
 */

/**
 * tests/golden/smtpd/GROUP/expected.json
 * @typedef {object} SmtpdExpected
 * @property {string} postfix
 * @property {{ argv: string[]; stdout: string; stderr: string; status: number }[]} builds
 * @property {{ status: number; stderr: string[]; log: string[] }} startup
 * @property {Record<string, SmtpdSessionRecord>} sessions
 * @property {string[]} other warning/error/fatal/panic lines no session owns, sorted.
 */

/**
 * One session of an expected.json.
 * @typedef {object} SmtpdSessionRecord
 * @property {string[][]} commands commands[i] is what was sent for replies[i + 1] (one line, or a message up to ".").
 * @property {string[][]} replies replies[0] is the banner; a reply is all its lines. [] when none came.
 * @property {true} [noServer] smtpd died (fatal error): nobody answered; the recorder gave up.
 * @property {number} [unsent] Script lines never sent because the server had closed the connection (after 221/421, or it died).
 * @property {string[]} log
 * @property {SmtpdMail[]} mail
 * @property {string[]} dns "name TYPE" of every DNS query during the session, sorted, unique.
 * @property {{ server: string; request: Record<string, string>; action: string | null }[]} [policy] Groups with a `facts` file only: every policy request in the session, in order.
 * @property {{ server: string; stage: string; attrs: Record<string, string>; verdict: string }[]} [milter] Groups with `milter` facts only: every event a Milter application answered, in order.
 * @property {string} [skipped] Present instead of everything else when Postfix did not start.
 */

/**
 * A message of a session.
 * @typedef {object} SmtpdMail
 * @property {string} id
 * @property {{ name: string; sender: string; recipients: { address: string; reason?: string }[] } | null} queue Where the message still is after the queue settled (hold, deferred), else null.
 * @property {{ service: string; nexthop: string; sender: string; recipients: { original: string | null; recipient: string }[]; headers: string[] }[]} deliveries
 */

/**
 * Where a group's files appear to Postfix.
 * @type {string}
 */
export const CONFIG_DIRECTORY = '/etc/postfix';
/**
 * Default client address of a session (the recorder connects from it; XCLIENT may change it).
 * @type {string}
 */
export const DEFAULT_CLIENT = '127.0.0.1';
/**
 * Group files that are not part of /etc/postfix as Postfix sees it.
 * @type {readonly string[]}
 */
export const NON_CONFIG_FILES = ['build', 'dns', 'facts', 'sessions', 'expected.json', 'README.md'];
/** @type {readonly string[]} */
export const DNS_TYPES = ['A', 'AAAA', 'MX', 'NS', 'PTR', 'TXT'];
/** @type {readonly string[]} */
export const DNS_FAILURES = ['SERVFAIL', 'TIMEOUT'];
/** @type {number} */
export const DEFAULT_TTL = 300;

/**
 * parseSession - the client side of one session.
 * `# pipelined` among them makes the client send every line at once after the
 * banner instead of waiting for each reply (the last line must be QUIT).
 * Returns { client, pipelined, comments, lines }: `lines` are sent verbatim (CRLF added),
 * `client` is the address of `# client: ADDR` or DEFAULT_CLIENT.
 * @param {string} text
 * @param {string} [where]
 * @returns {SmtpSession}
 */
export function parseSession(text, where = 'session') {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  let client = DEFAULT_CLIENT;
  /** @type {string[]} */
  const comments = [];
  let pipelined = false;
  let i = 0;
  for (; i < lines.length && lines[i].startsWith('#'); i++) {
    const m = /^#\s*client:\s*(\S+)\s*$/i.exec(lines[i]);
    if (m) {
      if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(m[1])) throw new Error(`${where}:${i + 1}: client address must be in 127.0.0.0/8: ${m[1]}`);
      client = m[1];
    } else if (/^#\s*pipelined\s*$/i.test(lines[i])) pipelined = true;
    else comments.push(lines[i].replace(/^#\s?/, ''));
  }
  const body = lines.slice(i);
  if (body.length === 0) throw new Error(`${where}: no commands`);
  if (pipelined && !/^\s*quit\s*$/i.test(body[body.length - 1])) throw new Error(`${where}: a pipelined session must end with QUIT`);
  return { client, pipelined, comments, lines: body };
}

/**
 * isDataCommand - the line is an SMTP DATA command (as smtpd reads it).
 * @type {(line: string) => boolean}
 */
export const isDataCommand = (line) => /^\s*data\s*$/i.test(line);
/**
 * isBdatCommand - a BDAT command (not supported by the format: it carries binary chunks).
 * @type {(line: string) => boolean}
 */
export const isBdatCommand = (line) => /^\s*bdat\b/i.test(line);

/**
 * nextUnit - the lines to send next, starting at lines[index].
 * After a DATA whose reply was 354 (`afterData354`), the message is every
 * line up to and including the lone "." (or to the end of the script);
 * otherwise one line. Returns { send: string[], next: number }.
 * @param {string[]} lines
 * @param {number} index
 * @param {boolean} afterData354 the previous unit was DATA and got 354
 * @returns {{ send: string[]; next: number }}
 */
export function nextUnit(lines, index, afterData354) {
  if (!afterData354) return { send: [lines[index]], next: index + 1 };
  let end = index;
  while (end < lines.length && lines[end] !== '.') end++;
  const stop = Math.min(end + 1, lines.length);
  return { send: lines.slice(index, stop), next: stop };
}

/**
 * replyCode - the 3-digit code of a complete reply (its last line), or null.
 * @param {string[] | undefined} reply
 * @returns {number | null}
 */
export function replyCode(reply) {
  if (!reply || reply.length === 0) return null;
  const m = /^(\d{3})/.exec(reply[reply.length - 1]);
  return m ? Number(m[1]) : null;
}

/**
 * parseDnsFile - records of a `dns` file:
 *   NAME [TTL] [IN] TYPE DATA      TYPE one of A AAAA MX NS PTR TXT
 *   NAME SERVFAIL | NAME TIMEOUT   every query for NAME fails that way
 * `;` or `#` start a comment line. Names are absolute; a trailing dot is
 * optional. Returns [{ name, ttl, type, data, line }].
 * @param {string} text
 * @param {string} [where]
 * @returns {DnsRecord[]}
 */
export function parseDnsFile(text, where = 'dns') {
  /** @type {DnsRecord[]} */
  const records = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    const at = `${where}:${index + 1}`;
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    const name = /** @type {string} */ (fields.shift());
    if (!/^[A-Za-z0-9_.*-]+$/.test(name) || name.includes('..')) throw new Error(`${at}: bad name ${JSON.stringify(name)}`);
    let ttl = DEFAULT_TTL;
    if (fields.length && /^\d+$/.test(fields[0])) ttl = Number(fields.shift());
    if (fields.length && fields[0].toUpperCase() === 'IN') fields.shift();
    const type = (fields.shift() ?? '').toUpperCase();
    if (DNS_FAILURES.includes(type)) {
      if (fields.length) throw new Error(`${at}: ${type} takes no data`);
      records.push({ name, ttl, type, data: '', line: index + 1 });
      return;
    }
    if (!DNS_TYPES.includes(type)) throw new Error(`${at}: type must be one of ${[...DNS_TYPES, ...DNS_FAILURES].join(' ')}: ${line}`);
    const data = /** @type {RegExpExecArray} */ (/^\S+\s+(?:\d+\s+)?(?:IN\s+)?\S+\s*(.*)$/i.exec(line))[1].trim();
    if (data === '') throw new Error(`${at}: ${type} record without data`);
    records.push({ name, ttl, type, data, line: index + 1 });
  });
  return records;
}

/**
 * parseBuildFile - build steps run before Postfix starts, in order:
 *   [postmap|postalias] [FLAGS] TYPE:/etc/postfix/NAME ...
 * (a line without a command word is a postmap line). Returns [{ command, argv, line }].
 * @param {string} text
 * @param {string} [where]
 * @returns {BuildStep[]}
 */
export function parseBuildFile(text, where = 'build') {
  /** @type {BuildStep[]} */
  const steps = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const argv = line.split(/\s+/);
    const command = argv[0] === 'postmap' || argv[0] === 'postalias' ? /** @type {BuildStep['command']} */ (argv.shift()) : 'postmap';
    if (!argv.some((a) => a.includes(`:${CONFIG_DIRECTORY}/`)))
      throw new Error(`${where}:${index + 1}: expected a TYPE:${CONFIG_DIRECTORY}/NAME argument: ${line}`);
    steps.push({ command, argv, line: index + 1 });
  });
  return steps;
}

/**
 * factLines - the lines of a `facts` file without comments and blanks: [{ line, at, index }].
 * @param {string} text
 * @param {string} where
 * @returns {{ line: string; at: string; index: number }[]}
 */
function factLines(text, where) {
  return text
    .split('\n')
    .map((raw, index) => ({
      line: raw
        .replace(/\r$/, '')
        .replace(/^\s*#.*$/, '')
        .trim(),
      at: `${where}:${index + 1}`,
      index,
    }))
    .filter((l) => l.line !== '');
}

/**
 * pairs - `name=value` words as [[name, value]]; a word without `=` is an error at `at`.
 * @param {string[]} words
 * @param {string} at
 * @returns {[string, string][]}
 */
function pairs(words, at) {
  return words.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new Error(`${at}: expected name=value, got ${JSON.stringify(p)}`);
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
}

/**
 * parsePolicyFacts - the policy servers' answers of a `facts` file:
 *   policy SERVER [name=value ...] => ACTION
 * The first line of SERVER whose pairs all equal the request's attributes
 * (values case-insensitively) answers "action=ACTION"; no such line: the
 * server closes the connection. `verify` lines are skipped (the simulator's
 * only), as are blank lines and `#` comment lines. The same rules as
 * src/engine/smtpd/facts/outside.ts. Returns [{ server, match: [[name, value]], action, line }].
 * @param {string} text
 * @param {string} [where]
 * @returns {PolicyFactLine[]}
 */
export function parsePolicyFacts(text, where = 'facts') {
  /** @type {PolicyFactLine[]} */
  const facts = [];
  for (const { line, at, index } of factLines(text, where)) {
    const kind = line.split(/\s+/)[0];
    if (kind === 'verify' || kind === 'milter') continue;
    if (kind !== 'policy') throw new Error(`${at}: unknown fact ${JSON.stringify(kind)}`);
    const arrow = line.indexOf('=>');
    if (arrow < 0) throw new Error(`${at}: policy fact needs "=> ACTION"`);
    const [server, ...words] = line.slice('policy'.length, arrow).trim().split(/\s+/);
    if (!server) throw new Error(`${at}: policy fact needs a server`);
    const match = pairs(words, at);
    const action = line.slice(arrow + 2).trim();
    if (action === '') throw new Error(`${at}: policy fact needs an action after "=>"`);
    facts.push({ server, match, action, line: index + 1 });
  }
  return facts;
}

/**
 * The Milter events a `milter` fact can answer, in protocol order.
 * @type {readonly string[]}
 */
export const MILTER_STAGES = ['connect', 'helo', 'mail', 'rcpt', 'data', 'header', 'eoh', 'body', 'eom', 'unknown'];
/**
 * What a Milter may decide (besides an SMTP reply "4NN|5NN text").
 * @type {readonly string[]}
 */
export const MILTER_VERDICTS = ['continue', 'accept', 'reject', 'tempfail', 'discard', 'quarantine'];

/**
 * parseMilterFacts - the decisions of Milter applications in a `facts` file:
 *   milter SERVER STAGE [name=value ...] => VERDICT
 * STAGE is one of MILTER_STAGES; VERDICT one of MILTER_VERDICTS (quarantine
 * only at eom, optionally with a reason) or an SMTP reply `4NN text` /
 * `5NN text`. The first line of SERVER and STAGE whose pairs all equal what
 * the Milter knows (client_name, client_address, helo, sender, recipient;
 * values case-insensitively) decides; none: continue. Other kinds of fact are
 * skipped. The same rules as src/engine/smtpd/facts/outside.ts.
 * Returns [{ server, stage, match: [[name, value]], verdict, line }].
 * @param {string} text
 * @param {string} [where]
 * @returns {MilterFactLine[]}
 */
export function parseMilterFacts(text, where = 'facts') {
  /** @type {MilterFactLine[]} */
  const facts = [];
  for (const { line, at, index } of factLines(text, where)) {
    if (line.split(/\s+/)[0] !== 'milter') continue;
    const arrow = line.indexOf('=>');
    if (arrow < 0) throw new Error(`${at}: milter fact needs "=> VERDICT"`);
    const [server, stage, ...words] = line.slice('milter'.length, arrow).trim().split(/\s+/);
    if (!server || !stage) throw new Error(`${at}: milter fact needs a server and a stage`);
    if (!MILTER_STAGES.includes(stage)) throw new Error(`${at}: milter stage must be one of ${MILTER_STAGES.join(' ')}: ${stage}`);
    const match = pairs(words, at);
    const verdict = line.slice(arrow + 2).trim();
    const word = verdict.split(/\s+/)[0].toLowerCase();
    if (!MILTER_VERDICTS.includes(word) && !/^[45]\d\d(?: |$)/.test(verdict))
      throw new Error(`${at}: milter verdict must be one of ${MILTER_VERDICTS.join(' ')} or an SMTP reply 4NN/5NN text: ${verdict}`);
    if (word === 'quarantine' && stage !== 'eom') throw new Error(`${at}: quarantine is a decision at eom only`);
    facts.push({ server, stage, match, verdict, line: index + 1 });
  }
  return facts;
}

/**
 * parseLogLine - { process, text } of a maillog_file line
 * ("Mon DD HH:MM:SS.uuuuuu HOST postfix/smtpd[PID]: text"); null if not one.
 * `process` keeps the syslog name (postfix/smtpd, postfix/submission/smtpd).
 * @param {string} raw
 * @returns {{ process: string; text: string } | null}
 */
export function parseLogLine(raw) {
  const m = /^\w{3} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ ([^\s[\]:]+)(?:\[\d+\])?: (.*)$/.exec(raw);
  return m ? { process: m[1], text: m[2] } : null;
}

/**
 * QUEUE_ID - Postfix's short (hex) and long queue ids as they appear in text.
 * @type {RegExp}
 */
export const QUEUE_ID = /\b(?:[0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}z[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]+)\b/g;

/**
 * normaliseLogText - a log text without inherently variable fields:
 * `delay=N, ` and `delays=a/b/c/d, ` are removed, queue ids replaced via
 * `label` (id -> "Q1"...), Postfix-made message-ids' timestamps made fixed,
 * process ids in master's warnings ("pid 123") become "pid PID".
 * @param {string} text
 * @param {(id: string) => string | undefined} [label]
 * @returns {string}
 */
export function normaliseLogText(text, label) {
  let t = text.replace(/\bdelay=[\d.]+, /g, '').replace(/\bdelays=[\d./]+, /g, '');
  t = t.replace(/<\d{14}\.([0-9A-F]+)@/g, '<YYYYMMDDhhmmss.$1@');
  t = t.replace(/\bpid \d+\b/g, 'pid PID');
  return label ? t.replace(QUEUE_ID, (id) => label(id) ?? id) : t;
}

/** RFC 5322 date-time as Postfix writes it (mail_date), e.g. "Sun, 22 Nov 2026 06:02:21 +0000 (UTC)". */
const MAIL_DATE =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), +\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}(?: \([^)]*\))?/g;

/**
 * normaliseHeader - one physical header line of a delivered message without
 * its recording-time parts: dates become DATE, Postfix-made message-ids get
 * a fixed timestamp, a delivery report's MIME boundary its time as TIME,
 * queue ids become their labels.
 * @param {string} line
 * @param {(id: string) => string | undefined} [label]
 * @returns {string}
 */
export function normaliseHeader(line, label) {
  let t = line.replace(MAIL_DATE, 'DATE');
  // A delivery report's MIME boundary is "QUEUEID.TIME/HOSTNAME".
  t = t.replace(/(boundary="[^"/]*\.)\d+\//, '$1TIME/');
  t = t.replace(/<\d{14}\.([0-9A-F]+)@/g, '<YYYYMMDDhhmmss.$1@');
  return label ? t.replace(QUEUE_ID, (id) => label(id) ?? id) : t;
}
