/*
 * NAME
 *   smtpd/session - one SMTP session as smtpd(8) conducts it
 * DESCRIPTION
 *   runSession() plays the client's side of a dialogue (lines as typed
 *   into telnet, optionally starting with XCLIENT) against a configured
 *   smtpd and returns every reply line, the log lines and the trace. It
 *   follows smtpd's command loop: the greeting (or the client rejection
 *   when smtpd_delay_reject = no), the error limits, unknown and forbidden
 *   commands, HELO/EHLO, XCLIENT, MAIL, RCPT, DATA, RSET, NOOP, VRFY,
 *   ETRN, QUIT, and the per-command statistics logged at disconnect.
 */
import type { Checker, SmtpdConfig } from './checker.ts';
import { Checker as CheckerClass } from './checker.ts';
import type { LogLine, PeerStatus, SessionState, TlsFacts } from './state.ts';
import { emptyDeferred } from './state.ts';
import type { TraceNode } from '../trace/types.ts';
import { smtpdToken } from './token.ts';
import type { SmtpToken } from './token.ts';
import { checkClient, checkHelo } from './stages.ts';
import { isHeader } from './access.ts';
import { SmtpdCrash } from './reject.ts';
import { normalizeV4Mapped } from '../util/inet.ts';
import { splitList } from '../util/lists.ts';
import { printable } from '../trace/printable.ts';
import { footerReply } from './reply.ts';
import { applyXclient } from './xclient.ts';
import { ehloKeywords } from './ehlo.ts';
import { transactionCommands } from './transaction.ts';

/** Who connects, before any XCLIENT. */
export interface ClientFacts {
  addr: string;
  /** Verified host name; omitted or `unknown` when there is none. */
  name?: string;
  nameStatus?: PeerStatus;
  reverseName?: string;
  /** The PTR name's own status: `ok` when it exists, even if it does not resolve back (then `nameStatus` is forged). */
  reverseNameStatus?: PeerStatus;
  port?: string;
  /** The session is encrypted, with what the client certificate says. */
  tls?: TlsFacts;
}

/** One exchange: the client's line (absent for the greeting) and the server's reply lines. */
export interface Exchange {
  client?: string;
  /** Message lines the client sent after DATA's 354, when this exchange is the end of data. */
  message?: string[];
  server: string[];
}

/** Where a session is: the exchange being answered, and the index of the next client line. */
export interface Cursor {
  current: Exchange;
  next: number;
}

/** What a message accepted with DATA carries beyond its envelope. */
export interface AcceptedMessage {
  queueId: string;
  sender: string;
  recipients: string[];
  hold: boolean;
  discard: boolean;
  filter?: string;
  redirect?: string;
  bcc: string[];
  /** Headers smtpd adds: PREPEND texts, then its Received: header. */
  prepended: string[];
}

export interface SessionResult {
  exchanges: Exchange[];
  log: LogLine[];
  trace: TraceNode[];
  accepted: AcceptedMessage[];
  /** smtpd could not start: the fatal error it logs; the client sees the connection close. */
  fatal?: string;
  /** smtpd died during the session (a restriction class that names itself). */
  crashed?: string;
}

export interface SessionOptions {
  /** Queue id for the n-th message of the session (1-based); Postfix's are random hex. */
  queueId?: (n: number) => string;
  /**
   * Log what smtpd logs when it starts (table open errors, ...). A real
   * smtpd process serves many sessions; only the first one shows these.
   * Default true.
   */
  startupLog?: boolean;
  /** Build the trace (default true); without it the session runs faster and `trace` is empty. */
  trace?: boolean;
  /** The client sends every line at once after the banner (a pipelining client), not one by one. */
  pipelined?: boolean;
}

/** Commands that must end a pipelined group (RFC 2920): more input after them is improper. */
const LAST_IN_GROUP = new Set(['helo', 'ehlo', 'data', 'noop', 'vrfy']);

/** escape(3): what Postfix logs of raw client input. */
function escapeInput(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else out += '\\' + c.toString(8).padStart(3, '0');
  }
  return out;
}

const CMD_ORDER = ['helo', 'ehlo', 'xclient', 'xforward', 'starttls', 'auth', 'mail', 'rcpt', 'data', 'bdat', 'rset', 'noop', 'vrfy', 'etrn', 'quit'] as const;

function namaddr(cfg: SmtpdConfig, s: SessionState): string {
  return `${s.name}[${s.addr}]${cfg.bool('smtpd_client_port_logging') ? ':' + s.port : ''}`;
}

function initialState(cfg: SmtpdConfig, client: ClientFacts): SessionState {
  const addr = normalizeV4Mapped(client.addr);
  const name = client.name && client.name !== 'unknown' ? client.name : 'unknown';
  const s: SessionState = {
    name,
    nameStatus: client.nameStatus ?? (name === 'unknown' ? 'perm' : 'ok'),
    reverseName: client.reverseName ?? name,
    reverseNameStatus: client.reverseNameStatus ?? client.nameStatus ?? (name === 'unknown' ? 'perm' : 'ok'),
    addr,
    rfcAddr: addr.includes(':') ? `IPv6:${addr}` : addr,
    port: client.port ?? '12345',
    ...(client.tls && { tls: client.tls }),
    namaddr: '',
    protocol: 'SMTP',
    rcptCount: 0,
    where: 'CONNECT',
    deferIfPermit: emptyDeferred(),
    deferIfReject: emptyDeferred(),
    deferIfPermitClient: false,
    deferIfPermitHelo: false,
    deferIfPermitSender: false,
    warnIfReject: 0,
    recursion: 0,
    senderRcptmapChecked: false,
    recipientRcptmapChecked: false,
    discard: false,
    hold: false,
    savedBcc: [],
    prepend: [],
    errorText: '',
    errorCount: 0,
    illegalPipelining: false,
    xclientAllowed: false,
    log: [],
    trace: [],
  };
  s.namaddr = namaddr(cfg, s);
  return s;
}

/** runSession - play `dialogue` (client lines) against smtpd configured as `cfg`. */
export function runSession(cfg: SmtpdConfig, dialogue: string, client: ClientFacts, options: SessionOptions = {}): SessionResult {
  const s = initialState(cfg, client);
  const c: Checker = new CheckerClass(cfg, s, options.trace ?? true);
  const exchanges: Exchange[] = [];
  const accepted: AcceptedMessage[] = [];
  const stats = new Map<string, { ok: number; total: number }>();
  let messages = 0;
  const queueId = options.queueId ?? ((n: number) => `Q${n}`);
  const lines = dialogue.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  const master = (text: string): void => void s.log.push({ program: 'postfix/master', text: `warning: ${text}` });
  const daemon = '/usr/lib/postfix/sbin/smtpd';
  if (cfg.crash) {
    // Killed before it could log anything; master throttles the service and the client gets no banner.
    master(`process ${daemon} pid PID killed by signal 11`);
    master(`${daemon}: bad command startup -- throttling`);
    return {
      exchanges: [{ server: [] }],
      log: s.log,
      trace: [{ kind: 'note', title: 'smtpd dies at start-up', detail: `it recurses until it runs out of stack: ${cfg.crash}` }],
      accepted,
      crashed: cfg.crash,
    };
  }
  if (cfg.fatal) {
    c.info(`fatal: ${cfg.fatal.message}`);
    master(`process ${daemon} pid PID exit status 1`);
    master(`${daemon}: bad command startup -- throttling`);
    return {
      exchanges: [{ server: [] }],
      log: s.log,
      trace: [{ kind: 'note', title: 'smtpd does not start', detail: cfg.fatal.message }],
      accepted,
      fatal: cfg.fatal.message,
    };
  }
  if (options.startupLog ?? true) for (const d of cfg.startup) if (d.severity !== 'info') c.info(`${d.severity}: ${d.message}`);
  c.info(`connect from ${s.namaddr}`);
  if (cfg.connectFatal) {
    for (const d of cfg.connectFatal) c.info(`${d.severity}: ${d.message}`);
    master(`process ${daemon} pid PID exit status 1`);
    master(`${daemon}: bad command startup -- throttling`);
    const fatal = cfg.connectFatal.find((d) => d.severity === 'fatal')?.message ?? 'smtpd exits';
    return { exchanges: [{ server: [] }], log: s.log, trace: [{ kind: 'note', title: 'smtpd exits after the connection', detail: fatal }], accepted, fatal };
  }
  const xclientHosts = (): boolean => cfg.xclientHosts.match(s.name, s.addr).matched;
  s.xclientAllowed = xclientHosts();

  // Where the dialogue is: the exchange being answered and the next client line.
  const io: Cursor = { current: { server: [] }, next: 0 };
  exchanges.push(io.current);
  let hangup = false;
  const reply = (text: string): void => {
    for (const line of footerReply(c, text)) io.current.server.push(line);
    if (/^(421|521)/.test(text)) hangup = true;
  };
  const ehloDiscard = new Set(splitList(cfg.str('smtpd_discard_ehlo_keywords')).map((k) => k.toLowerCase()));

  const greet = (): void => {
    if (!cfg.bool('smtpd_delay_reject')) {
      const err = c.step({ kind: 'command', title: 'connect (smtpd_delay_reject = no: client restrictions now)' }, () => checkClient(c));
      if (err !== undefined) {
        s.accessDenied = err;
        reply(err);
        s.errorCount++;
        return;
      }
    }
    reply(`220 ${cfg.str('smtpd_banner')}`);
  };
  greet();

  const mailReset = (): void => {
    s.sender = undefined;
    s.queueId = undefined;
    s.discard = false;
    s.hold = false;
    s.savedFilter = undefined;
    s.savedRedirect = undefined;
    s.savedBcc = [];
    s.prepend = [];
  };
  const rcptReset = (): void => {
    s.recipient = undefined;
    s.rcptCount = 0;
  };
  const recipients: string[] = [];

  const tx = transactionCommands({ cfg, c, s, io, lines, exchanges, accepted, recipients, reply, mailReset, rcptReset, queueId: () => queueId(++messages) });

  /** A command's outcome: success, failure, or XCLIENT's restart (counted as neither). */
  type Outcome = boolean | 'restart';
  const commands: Record<string, (argv: SmtpToken[], line: string) => Outcome> = {
    helo: (argv) => heloCmd(argv, false),
    ehlo: (argv) => heloCmd(argv, true),
    xclient: (argv) => xclientCmd(argv),
    xforward: () => (reply('550 5.7.0 Error: insufficient authorization'), false),
    starttls: () => (reply('502 5.5.1 Error: command not implemented'), false),
    auth: () => {
      if (!cfg.bool('smtpd_sasl_auth_enable')) return (reply('503 5.5.1 Error: authentication not enabled'), false);
      reply('535 5.7.8 Error: authentication failed: the simulator takes SASL logins from XCLIENT LOGIN=');
      return false;
    },
    mail: (argv) => tx.mail(argv),
    rcpt: (argv) => tx.rcpt(argv),
    data: (argv) => tx.data(argv),
    bdat: () => (reply('503 5.5.1 Error: BDAT is not simulated'), false),
    rset: (argv) => {
      if (argv.length !== 1) return (reply('501 5.5.4 Syntax: RSET'), false);
      mailReset();
      rcptReset();
      recipients.length = 0;
      reply('250 2.0.0 Ok');
      return true;
    },
    noop: () => (reply('250 2.0.0 Ok'), true),
    vrfy: (argv) => tx.vrfy(argv),
    etrn: (argv) => tx.etrn(argv),
    quit: () => (reply('221 2.0.0 Bye'), true),
  };

  function heloCmd(argv: SmtpToken[], ehlo: boolean): boolean {
    const verb = ehlo ? 'EHLO' : 'HELO';
    if (argv.length < 2) return (reply(`501 Syntax: ${verb} hostname`), false);
    const arg = argv
      .slice(1)
      .map((t) => t.text)
      .join(' ');
    if (!cfg.bool('smtpd_delay_reject')) {
      const err = checkHelo(c, arg);
      if (err !== undefined) return (reply(err), false);
    }
    mailReset();
    rcptReset();
    recipients.length = 0;
    s.heloName = printable(arg, false).replace(/[<>()\\";@]/g, '?');
    if (ehlo) {
      s.protocol = 'ESMTP';
      const { words, discarded } = ehloKeywords(cfg, s, ehloDiscard);
      if (discarded) c.info(`discarding EHLO keywords: ${discarded}`);
      words.forEach((w, i) => io.current.server.push(`250${i + 1 < words.length ? '-' : ' '}${w}`));
    } else {
      if (s.protocol !== 'ESMTP' && s.protocol !== 'SMTP') s.protocol = 'SMTP';
      reply(`250 ${cfg.str('myhostname')}`);
    }
    return true;
  }

  function xclientCmd(argv: SmtpToken[]): Outcome {
    if (s.sender !== undefined) return (reply('503 5.5.1 Error: MAIL transaction in progress'), false);
    if (argv.length < 2) return (reply('501 5.5.4 Syntax: XCLIENT attribute=value...'), false);
    if (!s.xclientAllowed) return (reply('550 5.7.0 Error: insufficient authorization'), false);
    const applied = applyXclient(
      s,
      argv.slice(1).map((t) => t.text),
    );
    if ('error' in applied) return (reply(applied.error), false);
    const { gotHelo, gotProto, gotLogin } = applied;
    s.namaddr = namaddr(cfg, s);
    s.xclientAllowed = xclientHosts();
    if (!gotHelo) s.heloName = undefined;
    if (!gotProto && s.protocol !== 'SMTP') s.protocol = 'SMTP';
    if (!gotLogin) {
      s.saslUsername = undefined;
      s.saslMethod = undefined;
    }
    mailReset();
    rcptReset();
    recipients.length = 0;
    c.step({
      kind: 'note',
      title: `XCLIENT: the client is now ${s.namaddr}${s.heloName ? `, helo=${s.heloName}` : ''}${s.saslUsername ? `, login=${s.saslUsername}` : ''}`,
    });
    // smtpd starts over with a new greeting.
    s.accessDenied = undefined;
    greet();
    return 'restart';
  }

  const forbidden = splitList(cfg.str('smtpd_forbidden_commands'));
  const isForbidden = (verb: string): boolean =>
    forbidden.some((f) => (f.startsWith('regexp:') ? /\/\^\[\^A-Z\]\//.test(f) && /^[^A-Z]/.test(verb) : f.toLowerCase() === verb.toLowerCase()));

  for (;;) {
    // smtpd checks the error limit before it reads the next command, and says so unasked.
    if (!hangup && s.errorCount >= cfg.int('smtpd_hard_error_limit')) {
      io.current = { server: [] };
      exchanges.push(io.current);
      reply(`421 4.7.0 ${cfg.str('myhostname')} Error: too many errors`);
      c.info(`too many errors after ${s.where} from ${s.namaddr}`);
      break;
    }
    if (io.next >= lines.length) break;
    if (hangup) {
      // The server has closed the connection: the client's next line gets no answer.
      exchanges.push({ client: lines[io.next++]!, server: [] });
      break;
    }
    const line = lines[io.next++]!;
    io.current = { client: line, server: [] };
    exchanges.push(io.current);
    const exchange = io.current;
    const argv = smtpdToken(line);
    const node: TraceNode = { kind: 'command', title: line };
    let crashed: SmtpdCrash | undefined;
    const done = c.step(node, () => {
      try {
        if (argv.length === 0) {
          reply('500 5.5.2 Error: bad syntax');
          s.errorCount++;
          return false;
        }
        const verb = argv[0]!.text.toLowerCase();
        const known = (CMD_ORDER as readonly string[]).includes(verb);
        const stat = stats.get(known ? verb : 'unknown') ?? { ok: 0, total: 0 };
        stat.total++;
        stats.set(known ? verb : 'unknown', stat);
        if (!known) {
          s.where = 'UNKNOWN';
          if (isHeader(argv[0]!.text) || isForbidden(argv[0]!.text)) {
            c.warn(`non-SMTP command from ${s.namaddr}: ${line.slice(0, 100)}`);
            reply('221 2.7.0 Error: I can break rules, too. Goodbye.');
            return true;
          }
        }
        if (s.accessDenied !== undefined && verb !== 'quit') {
          if (s.accessDenied.slice(1, 3) === '21') reply(s.accessDenied);
          else {
            reply(`503 5.7.0 Error: access denied for ${s.namaddr}`);
            s.errorCount++;
          }
          return false;
        }
        if (!known) {
          reply('500 5.5.2 Error: command not recognized');
          s.errorCount++;
          return false;
        }
        s.where = verb === 'data' ? 'DATA' : verb.toUpperCase();
        // A pipelining client has sent more before smtpd answered: improper unless ESMTP allows it here.
        if (options.pipelined && !s.illegalPipelining && io.next < lines.length && (s.protocol !== 'ESMTP' || LAST_IN_GROUP.has(verb))) {
          const pending = lines
            .slice(io.next)
            .map((l) => l + '\r\n')
            .join('');
          c.info(`improper command pipelining after ${s.where} from ${s.namaddr}: ${escapeInput(pending.slice(0, 100))}`);
          s.illegalPipelining = true;
          c.step({ kind: 'note', title: `improper command pipelining after ${s.where}`, detail: 'reject_unauth_pipelining will reject from now on' });
          if (cfg.bool('smtpd_forbid_unauth_pipelining')) {
            reply('554 5.5.0 Error: SMTP protocol synchronization');
            hangup = true;
            return true;
          }
        }
        const ok = commands[verb]!(argv, line);
        if (ok === true) stat.ok++;
        else if (ok === false) s.errorCount++;
        return verb === 'quit';
      } catch (e) {
        if (!(e instanceof SmtpdCrash)) throw e;
        crashed = e;
        return true;
      }
    });
    // The command's own reply (DATA's 354, not the end-of-data reply).
    node.result = exchange.server[0]?.slice(0, 3);
    if (crashed) {
      // The process dies without a reply; master logs it and the client sees the connection close.
      node.result = 'crash';
      node.detail = `smtpd runs out of stack: ${crashed.reason}`;
      s.log.push({ program: 'postfix/master', text: 'warning: process /usr/lib/postfix/sbin/smtpd pid 0 killed by signal 11' });
      return { exchanges, log: s.log, trace: s.trace, accepted, crashed: crashed.reason };
    }
    if (done) break;
  }
  const last = exchanges[exchanges.length - 1]!;
  if (!hangup && !last.server.some((l) => /^(221|421)/.test(l))) c.info(`lost connection after ${s.where} from ${s.namaddr}`);
  let statText = '';
  let allOk = 0;
  let allTotal = 0;
  for (const name of [...CMD_ORDER, 'unknown']) {
    const st = stats.get(name);
    if (!st) continue;
    statText += ` ${name}=${st.ok}${st.ok !== st.total ? '/' + st.total : ''}`;
    allOk += st.ok;
    allTotal += st.total;
  }
  statText += ` commands=${allOk}${allOk !== allTotal || allTotal === 0 ? '/' + allTotal : ''}`;
  c.info(`disconnect from ${s.namaddr}${statText}`);
  return { exchanges, log: s.log, trace: s.trace, accepted };
}
