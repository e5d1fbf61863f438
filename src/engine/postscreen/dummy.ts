/*
 * NAME
 *   postscreen/dummy - the dummy SMTP engine and the deep protocol tests
 * DESCRIPTION
 *   psc_smtpd_tests(): after the pre-greeting tests, a client that must
 *   still pass the "deep" tests (pipelining, non-SMTP commands, bare
 *   newlines), or that postscreen will not hand over (denylisted with
 *   enforce, a failed test with enforce, an allowlist veto), talks to
 *   postscreen's own SMTP engine. It greets (not a client that talked
 *   first), answers HELO, EHLO (without PIPELINING), MAIL, RSET, NOOP,
 *   VRFY, ETRN and QUIT, rejects every recipient (450 4.3.2, or the reply
 *   of the failed test), and ends the session at DATA or BDAT. The deep
 *   tests pass at the first RCPT; a client that passes must come back, as
 *   postscreen cannot hand over a connection it has talked on.
 *
 *   The client's input is read as postscreen reads it: byte by byte, a
 *   command ends at LF (CR LF, or a bare LF), and "pipelining" means more
 *   input was already waiting when a command was complete.
 * SEE ALSO
 *   postscreen(8), Postfix src/postscreen/postscreen_smtpd.c
 */
import { quote822Local } from '../search/index.ts';
import { escape } from '../util/escape.ts';
import type { PostscreenTestName } from '../trace/types.ts';
import { anyFail, beginPhase, conclude, drop, endpoint, enforce, formatDelta, info, note, send } from './session.ts';
import type { Session } from './session.ts';
import { DEEP_TESTS } from './tests.ts';

type Handler = (s: Session, args: string) => 'destroy' | void;

interface Command {
  name: string;
  handler?: Handler;
  /** Off: the engine says "command not recognized". */
  enabled: boolean;
  /** Allowed before STARTTLS when TLS is required. */
  preTls?: boolean;
  /** Carries a payload (BDAT): exempt from the pipelining test. */
  payload?: boolean;
}

/** mystrtok(&ptr, " "): the next word and what follows the space after it. */
function nextToken(text: string): [string | undefined, string] {
  let i = 0;
  while (text[i] === ' ') i++;
  if (i >= text.length) return [undefined, ''];
  let j = i;
  while (j < text.length && text[j] !== ' ') j++;
  return [text.slice(i, j), text.slice(j + 1)];
}

/** psc_extract_addr(): the address of MAIL FROM:/RCPT TO:, unquoted, without a source route. */
function extractAddr(text: string): string {
  let i = 0;
  while (text[i] === ' ') i++;
  let stop = ' ';
  if (text[i] === '<') {
    i++;
    stop = '>';
  }
  let out = '';
  let inQuote = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (!inQuote && c === stop) break;
    if (c === '"') inQuote = !inQuote;
    else {
      if (c === '\\' && ++i >= text.length) break;
      out += text[i];
    }
  }
  const colon = out.indexOf(':');
  return out.startsWith('@') && colon >= 0 ? out.slice(colon + 1) : out;
}

const external = (addr: string): string => (addr === '' ? '' : quote822Local(addr));

function ehloReply(s: Session): string[] {
  const c = s.cfg;
  const words: string[] = [];
  const on = (w: string): boolean => !c.ehloDiscard.has(w.toLowerCase());
  if (on('size')) words.push(c.messageSizeLimit > 0 ? `SIZE ${c.messageSizeLimit}` : 'SIZE');
  if (on('vrfy') && !c.ehloNoVrfy) words.push('VRFY');
  if (on('etrn')) words.push('ETRN');
  if (on('starttls') && c.useTls) words.push('STARTTLS');
  if (on('enhancedstatuscodes')) words.push('ENHANCEDSTATUSCODES');
  if (on('8bitmime')) words.push('8BITMIME');
  if (on('dsn')) words.push('DSN');
  if (c.smtputf8 && on('smtputf8')) words.push('SMTPUTF8');
  if (on('chunking')) words.push('CHUNKING');
  const lines = [c.myhostname, ...words];
  return lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`);
}

const COMMANDS: readonly Command[] = [
  {
    name: 'HELO',
    enabled: true,
    preTls: true,
    handler(s, args) {
      const [helo] = nextToken(args);
      if (helo === undefined) return send(s, '501 Syntax: HELO hostname');
      s.helo = helo;
      s.sender = undefined;
      send(s, `250 ${s.cfg.myhostname}`);
    },
  },
  {
    name: 'EHLO',
    enabled: true,
    preTls: true,
    handler(s, args) {
      const [helo] = nextToken(args);
      if (helo === undefined) return send(s, '501 Syntax: EHLO hostname');
      s.helo = helo;
      s.sender = undefined;
      s.protocol = 'ESMTP';
      for (const l of ehloReply(s)) send(s, l);
    },
  },
  {
    name: 'STARTTLS',
    enabled: true,
    preTls: true,
    handler(s, args) {
      if (nextToken(args)[0] !== undefined) return send(s, '501 Syntax: EHLO hostname');
      if (!s.cfg.useTls) return send(s, '502 5.5.1 Error: command not implemented');
      note(s, { kind: 'note', title: 'STARTTLS', result: 'not simulated', detail: 'the TLS handshake through tlsproxy(8) is not simulated' });
      send(s, '454 4.7.0 TLS not available due to local problem');
    },
  },
  { name: 'XCLIENT', enabled: false },
  { name: 'XFORWARD', enabled: false },
  { name: 'AUTH', enabled: false },
  {
    name: 'MAIL',
    enabled: true,
    handler(s, args) {
      if (s.cfg.heloRequired && s.helo === undefined) return send(s, '503 5.5.1 Error: send HELO/EHLO first');
      if (s.sender !== undefined) return send(s, '503 5.5.1 Error: nested MAIL command');
      const colon = args.indexOf(':');
      if (colon < 0) return send(s, '501 5.5.4 Syntax: MAIL FROM:<address>');
      s.sender = extractAddr(args.slice(colon + 1));
      send(s, '250 2.1.0 Ok');
    },
  },
  {
    name: 'RCPT',
    enabled: true,
    handler(s, args) {
      if (s.sender === undefined) return send(s, '503 5.5.1 Error: need MAIL command');
      const colon = args.indexOf(':');
      if (colon < 0) return send(s, '501 5.5.4 Syntax: RCPT TO:<address>');
      const rcpt = extractAddr(args.slice(colon + 1));
      const reply = s.cfg.softBounce ? soften(s.rcptReply) : s.rcptReply;
      info(
        s,
        `NOQUEUE: reject: RCPT from ${endpoint(s)}: ${reply}; from=<${external(s.sender)}>, to=<${external(rcpt)}>, proto=${s.protocol ?? 'SMTP'}, helo=<${s.helo ?? ''}>`,
      );
      send(s, s.rcptReply);
    },
  },
  {
    name: 'DATA',
    enabled: true,
    handler(s, args) {
      info(s, `DATA without valid RCPT from ${endpoint(s)}`);
      if (nextToken(args)[0] !== undefined) drop(s, '501 5.5.4 Syntax: DATA');
      else if (s.sender === undefined) drop(s, '503 5.5.1 Error: need RCPT command');
      else drop(s, '554 5.5.1 Error: no valid recipients');
      return 'destroy';
    },
  },
  {
    name: 'BDAT',
    enabled: true,
    payload: true,
    handler(s, args) {
      info(s, `BDAT without valid RCPT from ${endpoint(s)}`);
      if (s.cfg.ehloDiscard.has('chunking')) drop(s, '502 5.5.1 Error: command not implemented');
      else if (nextToken(args)[0] === undefined) drop(s, '501 5.5.4 Syntax: BDAT count [LAST]');
      else if (s.sender === undefined) drop(s, '554 5.5.1 Error: need MAIL command');
      else drop(s, '554 5.5.1 Error: no valid recipients');
      return 'destroy';
    },
  },
  {
    name: 'RSET',
    enabled: true,
    handler(s) {
      s.sender = undefined;
      send(s, '250 2.0.0 Ok');
    },
  },
  { name: 'NOOP', enabled: true, preTls: true, handler: (s) => send(s, '250 2.0.0 Ok') },
  {
    name: 'VRFY',
    enabled: true,
    handler(s, args) {
      if (nextToken(args)[0] === undefined) return send(s, '501 5.5.4 Syntax: VRFY address');
      if (s.cfg.disableVrfy) return send(s, '502 5.5.1 VRFY command is disabled');
      send(s, s.rcptReply);
    },
  },
  {
    name: 'ETRN',
    enabled: true,
    handler(s, args) {
      if (s.cfg.heloRequired && s.helo === undefined) return send(s, '503 5.5.1 Error: send HELO/EHLO first');
      if (nextToken(args)[0] === undefined) return send(s, '500 Syntax: ETRN domain');
      send(s, '458 Unable to queue messages');
    },
  },
  {
    name: 'QUIT',
    enabled: true,
    preTls: true,
    handler(s) {
      drop(s, '221 2.0.0 Bye');
      return 'destroy';
    },
  },
];

function soften(reply: string): string {
  let r = reply;
  if (r[0] === '5') r = '4' + r.slice(1);
  if (r[4] === '5') r = r.slice(0, 4) + '4' + r.slice(5);
  return r;
}

/** printable(3) with '?': what the log shows of a command word. */
const printable = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');

/** isHeader - is_header(): a command word that looks like `Name:`. */
const isHeader = (word: string): boolean => /^[!-9;-~]+[ \t]*:/.test(word);

/**
 * deepFailure - a deep test failed: log, then the test's action. Returns true
 * when the session ended (drop).
 */
function deepFailure(s: Session, test: PostscreenTestName, text: string, dropReply: string): boolean {
  const f = s.flags[test];
  info(s, text);
  f.fail = true;
  f.pass = false;
  s.info.expires[test] = 'disabled';
  f.done = true;
  s.failed.add(test);
  const action = s.cfg.action[test];
  if (action !== 'ignore') s.decidedBy ??= test;
  note(s, { kind: 'test', title: `${test} test`, result: `fail (${action})`, detail: text });
  if (action === 'drop') {
    drop(s, dropReply);
    return true;
  }
  if (action === 'enforce') enforce(s, '550 5.5.1 Protocol error');
  else {
    // ignore: allowlisted until the shortest TTL of any test runs out.
    f.fail = false;
    f.pass = true;
    s.info.expires[test] = s.now + s.cfg.minTtl;
  }
  return false;
}

/** runDummy - psc_smtpd_tests() and the command loop over the client's input. */
export function runDummy(s: Session): void {
  beginPhase(s, 'tests after SMTP handshake');
  if (s.x21) for (const t of DEEP_TESTS) s.flags[t].todo = false;
  else if (anyFail(s)) for (const t of DEEP_TESTS) s.flags[t].todo = true;
  note(s, { kind: 'stage', title: 'dummy SMTP engine', detail: `deep tests to do: ${DEEP_TESTS.filter((t) => s.flags[t].todo).join(', ') || 'none'}` });
  if (!s.flags.pregreet.fail) send(s, `220 ${s.cfg.banner}`);
  let buffer = '';
  let cr = false;
  let count = 0;
  let where = 'CONNECT';
  const todo = (t: PostscreenTestName): boolean => s.flags[t].todo && !s.flags[t].done;
  for (let seg = 0; seg < s.input.length; seg++) {
    const { text, exchange } = s.input[seg]!;
    s.consumed = seg + 1;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      s.current = exchange[Math.min(i, exchange.length - 1)]!;
      if (!cr && buffer.length >= s.cfg.lineLimit) {
        info(s, `COMMAND LENGTH LIMIT from ${endpoint(s)} after ${where}`);
        return drop(s, `421 ${s.cfg.myhostname} Service unavailable - try again later`);
      }
      buffer += ch;
      let line: string | undefined;
      if (cr && ch === '\n') line = buffer.slice(0, -2);
      else if (ch === '\n') {
        if (todo('bare newline')) {
          const shown = escape(buffer.slice(0, -1).slice(0, 100));
          if (deepFailure(s, 'bare newline', `BARE NEWLINE from ${endpoint(s)} after ${shown}`, '521 5.5.1 Protocol error')) return;
        }
        line = buffer.slice(0, -1);
      }
      cr = ch === '\r';
      if (line === undefined) continue;
      buffer = '';
      cr = false;
      const [word = '', args] = nextToken(line);
      const savedWhere = where;
      const cmd = COMMANDS.find((c) => c.name === word.toUpperCase());
      where = cmd ? cmd.name : 'UNIMPLEMENTED';
      const pending = text.slice(i + 1);
      if (s.x21 && cmd?.name !== 'QUIT') return drop(s, s.finalReply);
      if (todo('non-smtp command') && !cmd && (isHeader(word) || (s.cfg.forbidden?.match(word).matched ?? false))) {
        const shown = `NON-SMTP COMMAND from ${endpoint(s)} after ${savedWhere}: ${printable(word).slice(0, 100)} ${escape(args.slice(0, 100))}`;
        if (deepFailure(s, 'non-smtp command', shown, '521 5.7.0 Error: I can break rules, too. Goodbye.')) return;
      }
      if (!cmd?.payload && todo('pipelining') && pending !== '') {
        const shown = `COMMAND PIPELINING from ${endpoint(s)} after ${printable(word).slice(0, 100)}: ${escape(pending.slice(0, 100))}`;
        if (deepFailure(s, 'pipelining', shown, '521 5.5.1 Protocol error')) return;
      }
      if (cmd?.name === 'RCPT')
        for (const t of ['bare newline', 'non-smtp command', 'pipelining'] as const) {
          const f = s.flags[t];
          if (f.todo && !f.pass && !f.fail) {
            f.pass = true;
            s.info.expires[t] = s.now + s.cfg.ttl[t];
            note(s, { kind: 'test', title: `${t} test`, result: 'pass', detail: 'the client got to RCPT TO' });
          }
        }
      if (++count > s.cfg.commandLimit && cmd?.name !== 'QUIT') {
        info(s, `COMMAND COUNT LIMIT from ${endpoint(s)} after ${savedWhere}`);
        s.decidedBy ??= 'command count limit';
        return drop(s, `421 ${s.cfg.myhostname} Service unavailable - try again later`);
      }
      if (!cmd || !cmd.enabled || !cmd.handler) send(s, '502 5.5.2 Error: command not recognized');
      else if (s.cfg.enforceTls && !cmd.preTls) send(s, '530 5.7.0 Must issue a STARTTLS command first');
      else if (cmd.handler(s, args) === 'destroy') return;
    }
  }
  // The client is done and hangs up.
  s.hangup = true;
  s.noForward = true;
  info(s, `HANGUP after ${formatDelta(s.now - s.phaseStart)} from ${endpoint(s)} in ${s.phase}`);
  conclude(s);
}
