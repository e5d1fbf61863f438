/*
 * NAME
 *   expect/format - expectation files: what a configuration must do, written by hand
 * SYNOPSIS
 *   const file = parseExpectations(text, 'tests/relay.expect');
 *   file.items          sessions, addresses and lookups, each with its line
 *   file.diagnostics    bad lines, located (never a throw)
 * DESCRIPTION
 *   One small line-oriented text file holds what a postmaster expects of a
 *   configuration. Three statements start at column 0; indented lines
 *   belong to the statement above (as in main.cf, where white space at the
 *   start of a line continues the previous one). `#` at column 0 starts a
 *   comment; blank lines separate statements.
 *
 *   session NAME [client=ADDR[,NAME]] [service=NAME] [tls] [ccert=FPR[,PKEYFPR]]
 *           [ccert-verified] [pipelined]
 *       COMMAND [=> REPLY]          one per line, as typed into telnet
 *       DATA => 354                 then the message, indented like the rest,
 *       Subject: hi                 up to a line with a single dot
 *       . => 250
 *     REPLY is CODE [DSN] [TEXT]: `5xx` matches any 5 code; TEXT, when
 *     given, must match one line of the reply, `*` matching any run of
 *     characters. A first line `=> CODE ...` is the greeting.
 *
 *   address ADDRESS [from=SENDER] [to=RCPT] [final=RCPT,...] [class=CLASS]
 *           [transport=TRANSPORT[:NEXTHOP]] [nexthop=NEXTHOP] [orig_to=ADDR]
 *           [relay=RELAY] [dsn=D.D.D] [status=STATUS] [(TEXT)]
 *     sendmail -bv ADDRESS: `final` is the set of final recipients; the
 *     other keys hold for the final recipient `to` (or for every one when
 *     `to` is absent), with the names of the mail log's delivery record
 *     (`to=<...>, orig_to=<...>, relay=..., dsn=..., status=... (text)`)
 *     and trivial-rewrite's class, transport and nexthop.
 *
 *   lookup [-f] TYPE:NAME KEY => VALUE | not found
 *     postmap [-f] -q KEY TYPE:NAME.
 *
 *   The data is plain and serialisable: the page keeps it, a worker checks it.
 * SEE ALSO
 *   smtpd(8), sendmail(1) -bv, postmap(1) -q, access(5), transport(5)
 */
import type { Diagnostic } from '../trace/types.ts';

import { DEFAULT_SENDER } from './types.ts';
import type { AddressExpectation, ExpectFile, Expectation, LookupExpectation, ReplyPattern, SessionExpectation, SessionLine } from './types.ts';

const REPLY_CODE = /^[2-5][0-9xX][0-9xX]$/;
const DSN = /^[245]\.\d{1,3}\.\d{1,3}$/;
const CLASSES = ['local', 'virtual_alias', 'virtual_mailbox', 'relay', 'default'];
const STATUSES = ['deliverable', 'undeliverable', 'unknown'];

/** parseReply - `CODE [DSN] [TEXT]` as an expectation, or an error message. */
export function parseReply(source: string): ReplyPattern | string {
  const text = source.trim();
  const m = /^(\S+)(?:\s+(\S+))?(?:\s+(.*))?$/.exec(text);
  if (!m || !REPLY_CODE.test(m[1]!)) return `expected a reply code (250, 5xx ...), not "${text}"`;
  const code = m[1]!.toLowerCase();
  if (m[2] !== undefined && DSN.test(m[2])) {
    if (m[2][0] !== code[0] && code[0] !== 'x') return `enhanced status code ${m[2]} does not go with ${code}`;
    return { code, dsn: m[2], ...(m[3] !== undefined && { text: m[3] }), source: text };
  }
  const rest = [m[2], m[3]].filter((x) => x !== undefined).join(' ');
  return { code, ...(rest !== '' && { text: rest }), source: text };
}

/** splitArrow - `LEFT => RIGHT` at the last ` => `; right undefined when there is none. */
function splitArrow(text: string): { left: string; right?: string } {
  const arrow = /(^|\s)=>(?=\s|$)/g;
  let at = -1;
  for (let m; (m = arrow.exec(text));) at = m.index + m[1]!.length;
  if (at < 0) return { left: text.trimEnd() };
  return { left: text.slice(0, at).trimEnd(), right: text.slice(at + 2).trim() };
}

/** tokens - white-space separated words; `{...}` and `(...)` groups are one word each. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let depth = 0;
    let paren = 0;
    const start = i;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '{') depth++;
      else if (c === '}') depth = Math.max(0, depth - 1);
      else if (c === '(' && i === start) paren = 1;
      else if (c === '(' && paren) paren++;
      else if (c === ')' && paren) paren--;
      else if (/\s/.test(c) && depth === 0 && paren === 0) break;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

/** stripAngles - `<a@b>` -> `a@b`; `<>` -> ``. */
const stripAngles = (s: string): string => (s.startsWith('<') && s.endsWith('>') ? s.slice(1, -1) : s);

interface RawStatement {
  line: number;
  head: string;
  /** The indented lines after it, as written (with their line numbers); blank lines as ''. */
  body: { line: number; text: string }[];
}

/** statements - split the file into statements (column-0 lines with their indented followers). */
function statements(lines: string[], problem: (line: number, message: string) => void): RawStatement[] {
  const out: RawStatement[] = [];
  let current: RawStatement | undefined;
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw.trim() === '') {
      current?.body.push({ line: n, text: '' });
      return;
    }
    if (/^\s/.test(raw)) {
      if (current) current.body.push({ line: n, text: raw });
      else problem(n, 'indented line outside a statement (session, address or lookup)');
      return;
    }
    if (raw.startsWith('#')) return;
    current = { line: n, head: raw, body: [] };
    out.push(current);
  });
  for (const s of out) while (s.body.length && s.body[s.body.length - 1]!.text === '') s.body.pop();
  return out;
}

/** continued - the continuation lines of an address or lookup statement, comments left out. */
const continued = (st: RawStatement): string[] => st.body.map((b) => b.text.trim()).filter((t) => t !== '' && !t.startsWith('#'));

/** parseExpectations - an expectation file; never throws, bad lines become diagnostics. */
export function parseExpectations(text: string, file = 'expect'): ExpectFile {
  const diagnostics: Diagnostic[] = [];
  const problem = (line: number, message: string, severity: Diagnostic['severity'] = 'error'): void => void diagnostics.push({ severity, message, file, line });
  const items: Expectation[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sessionNames = new Set<string>();
  for (const st of statements(lines, problem)) {
    const verb = /^\S+/.exec(st.head)![0];
    const rest = st.head.slice(verb.length);
    if (verb === 'session') {
      const s = parseSession(st, rest, problem);
      if (!s) continue;
      if (sessionNames.has(s.name)) problem(st.line, `session "${s.name}" is defined twice in this file`);
      else sessionNames.add(s.name);
      items.push(s);
    } else if (verb === 'address') {
      const joined = [rest, ...continued(st)].join(' ');
      const a = parseAddress(st.line, joined, (m) => problem(st.line, m));
      if (a) items.push(a);
    } else if (verb === 'lookup') {
      const joined = [rest, ...continued(st)].join(' ');
      const l = parseLookup(st.line, joined, (m) => problem(st.line, m));
      if (l) items.push(l);
    } else problem(st.line, `unknown statement "${verb}": expected session, address or lookup`);
  }
  return { file, items, diagnostics };
}

type Problem = (line: number, message: string, severity?: Diagnostic['severity']) => void;

function parseSession(st: RawStatement, rest: string, problem: Problem): SessionExpectation | undefined {
  const words = tokens(rest);
  const name = words.shift();
  if (name === undefined || name.includes('=')) return void problem(st.line, 'a session needs a name: session NAME [client=ADDR] ...');
  const s: SessionExpectation = { kind: 'session', line: st.line, name, pipelined: false, lines: [] };
  let ccert: { fingerprint: string; pkeyFingerprint?: string } | undefined;
  let verified = false;
  let tls = false;
  for (const w of words) {
    const eq = w.indexOf('=');
    const [key, value] = eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
    if (key === 'client' && value) {
      const [addr, host] = value.split(',');
      s.client = { addr: addr!, ...(host && { name: host }) };
    } else if (key === 'service' && value) s.service = value;
    else if (key === 'ccert' && value) {
      const [fingerprint, pkey] = value.split(',');
      ccert = { fingerprint: fingerprint!, ...(pkey && { pkeyFingerprint: pkey }) };
    } else if (w === 'tls') tls = true;
    else if (w === 'ccert-verified') verified = true;
    else if (w === 'pipelined') s.pipelined = true;
    else return void problem(st.line, `unknown session option "${w}": expected client=, service=, tls, ccert=, ccert-verified or pipelined`);
  }
  if (tls || ccert || verified) s.tls = ccert ? { ccert: { ...ccert, verified } } : {};

  // The body: its indentation is that of its first line; message lines keep anything beyond it.
  const first = st.body.find((b) => b.text !== '');
  if (!first) return void problem(st.line, `session "${name}" has no commands`);
  const indent = /^\s*/.exec(first.text)![0];
  let inMessage = false;
  let messageStart = 0;
  for (const b of st.body) {
    if (inMessage) {
      const text = b.text === '' ? '' : b.text.startsWith(indent) ? b.text.slice(indent.length) : undefined;
      if (text === undefined) {
        problem(b.line, 'message line indented less than the session');
        continue;
      }
      const dot = /^\.(?:\s+=>(?:\s+(.*?))?)?\s*$/.exec(text);
      if (dot) {
        inMessage = false;
        const l: SessionLine = { line: b.line, text: '.' };
        if (dot[1] !== undefined || /=>/.test(text)) {
          const reply = parseReply(dot[1] ?? '');
          if (typeof reply === 'string') problem(b.line, reply);
          else l.expect = reply;
        }
        s.lines.push(l);
      } else s.lines.push({ line: b.line, text, message: true });
      continue;
    }
    const text = b.text.trim();
    if (text === '') continue;
    if (text.startsWith('#')) {
      if (/^#\s*(client:|pipelined\b)/i.test(text))
        problem(b.line, `"${text}" is a comment here: write it on the session line (client=ADDR, pipelined)`, 'warning');
      continue;
    }
    const { left, right } = splitArrow(text);
    let expect: ReplyPattern | undefined;
    if (right !== undefined) {
      const reply = parseReply(right);
      if (typeof reply === 'string') {
        problem(b.line, right === '' ? 'nothing after "=>": expected a reply code' : reply);
        continue;
      }
      expect = reply;
    }
    if (left === '') {
      if (s.lines.length || s.greeting || !expect) problem(b.line, 'a line without a command may only be the first, "=> 220 ...", the greeting');
      else s.greeting = { line: b.line, expect };
      continue;
    }
    if (/^bdat\b/i.test(left)) {
      problem(b.line, 'BDAT is not supported: use DATA');
      continue;
    }
    s.lines.push({ line: b.line, text: left, ...(expect && { expect }) });
    // A DATA that is expected to get 354 (or whose reply is not given) is followed by the message.
    if (/^data$/i.test(left) && (!expect || expect.code.startsWith('3'))) {
      inMessage = true;
      messageStart = b.line;
    }
  }
  if (inMessage) problem(messageStart, 'the message after DATA has no line with a single dot: it is never ended', 'warning');
  if (s.pipelined && !/^quit$/i.test(s.lines[s.lines.length - 1]?.text ?? '')) problem(st.line, 'a pipelined session must end with QUIT');
  if (!s.lines.some((l) => l.expect) && !s.greeting) problem(st.line, `session "${name}" expects nothing: add "=> CODE" to a command`, 'warning');
  return s;
}

function parseAddress(line: number, text: string, problem: (message: string) => void): AddressExpectation | undefined {
  const words = tokens(text);
  const address = words.shift();
  if (address === undefined || /^[a-z_]+=/.test(address)) return void problem('an address statement needs the address: address ADDRESS key=value ...');
  const a: AddressExpectation = { kind: 'address', line, address: stripAngles(address), sender: DEFAULT_SENDER, checks: {} };
  for (const w of words) {
    if (w.startsWith('(') && w.endsWith(')')) {
      a.checks.text = w.slice(1, -1);
      continue;
    }
    const eq = w.indexOf('=');
    if (eq < 0) return void problem(`expected key=value or (text), not "${w}"`);
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    switch (key) {
      case 'from':
        a.sender = stripAngles(value);
        break;
      case 'to':
        a.to = stripAngles(value);
        break;
      case 'final':
        a.final = value === '' ? [] : value.split(',').map(stripAngles);
        break;
      case 'transport': {
        // transport(5) notation: transport:nexthop.
        const colon = value.indexOf(':');
        if (colon < 0) a.checks.transport = value;
        else {
          a.checks.transport = value.slice(0, colon);
          a.checks.nexthop = value.slice(colon + 1);
        }
        break;
      }
      case 'class':
        if (!CLASSES.includes(value)) return void problem(`unknown address class "${value}": expected ${CLASSES.join(', ')}`);
        a.checks.class = value;
        break;
      case 'dsn':
        if (!DSN.test(value)) return void problem(`bad dsn "${value}": expected an enhanced status code like 5.1.1`);
        a.checks.dsn = value;
        break;
      case 'status': {
        if (!STATUSES.includes(value)) return void problem(`unknown status "${value}": expected ${STATUSES.join(', ')}`);
        a.checks.status = value;
        break;
      }
      case 'orig_to':
        a.checks.orig_to = stripAngles(value);
        break;
      case 'nexthop':
      case 'relay':
        a.checks[key] = value;
        break;
      default:
        return void problem(`unknown key "${key}": expected from, to, final, class, transport, nexthop, orig_to, relay, dsn or status`);
    }
  }
  if (!a.final && Object.keys(a.checks).length === 0) return void problem(`nothing expected of ${address}: add final=, class=, transport=, status= ...`);
  return a;
}

function parseLookup(line: number, text: string, problem: (message: string) => void): LookupExpectation | undefined {
  const { left, right } = splitArrow(text);
  if (right === undefined) return void problem('expected: lookup TYPE:NAME KEY => VALUE (or => not found)');
  let body = left.trim();
  let noFold = false;
  if (/^-f\s/.test(body)) {
    noFold = true;
    body = body.slice(2).trim();
  }
  const map = tokens(body)[0];
  if (map === undefined || !/^[a-z0-9_]+:/i.test(map)) return void problem(`expected a table TYPE:NAME, not "${map ?? ''}"`);
  const key = body.slice(map.length).trim();
  if (key === '') return void problem(`no key to look up in ${map}`);
  if (right === '') return void problem('nothing after "=>": expected the value, or "not found"');
  return { kind: 'lookup', line, map, key, noFold, ...(right !== 'not found' && { value: right }) };
}
