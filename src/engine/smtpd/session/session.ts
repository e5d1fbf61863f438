/*
 * NAME
 *   smtpd/session/session - one SMTP session as smtpd(8) conducts it
 * DESCRIPTION
 *   runSession() plays the client's side of a dialogue (lines as typed
 *   into telnet, optionally starting with XCLIENT) against a configured
 *   smtpd and returns every reply line, the log lines and the trace. It
 *   follows smtpd's command loop (smtpd_proto()): the start-up failures,
 *   the greeting (or the client rejection when smtpd_delay_reject = no),
 *   then for each line the error limit, unknown and forbidden commands,
 *   the access denial of a rejected client, improper pipelining, and the
 *   command's handler from the command table; at the end the
 *   per-command counts logged at disconnect.
 * SEE ALSO
 *   smtpd(8), postconf(5) (smtpd_hard_error_limit, smtpd_forbidden_commands,
 *   smtpd_forbid_unauth_pipelining)
 */
import type { SmtpdEventOf } from '../../trace/types.ts';
import { normalizeV4Mapped } from '../../util/inet.ts';
import { splitList } from '../../util/lists.ts';
import { Checker } from '../restrictions/checker.ts';
import type { SmtpdConfig } from '../restrictions/checker.ts';
import { genericChecks } from '../restrictions/generic.ts';
import { SmtpdCrash } from '../restrictions/reject.ts';
import { isHeader } from '../restrictions/table-result.ts';
import type { SessionState } from '../state.ts';
import { emptyDeferred } from '../state.ts';
import { COMMAND_TABLE, COMMANDS } from './commands.ts';
import { SessionContext, formatNamaddr } from './context.ts';
import type { ClientFacts, SessionOptions, SessionResult } from './context.ts';
import { cString, filterCommand, readRequest, validUtf8 } from './input.ts';
import { askMilters, setupSessionMilters } from './milters.ts';
import { smtpdToken } from './token.ts';
import { xclientAllowed } from './xclient.ts';

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
    classPath: [],
    tableLists: 0,
    senderRcptmapChecked: false,
    recipientRcptmapChecked: false,
    discard: false,
    milterDiscard: false,
    hold: false,
    savedBcc: [],
    prepend: [],
    errorText: '',
    errorCount: 0,
    junkCmds: 0,
    rcptOvershoot: 0,
    illegalPipelining: false,
    xclientAllowed: false,
    log: [],
    trace: [],
  };
  s.namaddr = formatNamaddr(cfg, s);
  return s;
}

const DAEMON = '/usr/lib/postfix/sbin/smtpd';

/** startFailure - smtpd never answers: killed at start-up, a start-up fatal error, or one right after the connection. */
function startFailure(ctx: SessionContext, startupLog: boolean): SessionResult | undefined {
  const { cfg, c, s } = ctx;
  const master = (text: string): void => void s.log.push({ program: 'postfix/master', text: `warning: ${text}` });
  const result = (event: 'no-start' | 'crash' | 'exit', reason: string): SessionResult => ({
    exchanges: ctx.exchanges,
    log: s.log,
    trace: [{ kind: 'session', event, reason }],
    accepted: [],
  });
  if (cfg.crash) {
    // Killed before it could log anything; master throttles the service and the client gets no banner.
    master(`process ${DAEMON} pid PID killed by signal 11`);
    master(`${DAEMON}: bad command startup -- throttling`);
    return { ...result('crash', cfg.crash), crashed: cfg.crash };
  }
  if (cfg.fatal) {
    c.info(`fatal: ${cfg.fatal.message}`);
    master(`process ${DAEMON} pid PID exit status 1`);
    master(`${DAEMON}: bad command startup -- throttling`);
    return { ...result('no-start', cfg.fatal.message), fatal: cfg.fatal.message };
  }
  if (startupLog) for (const d of cfg.startup) if (d.severity !== 'info') c.info(`${d.severity}: ${d.message}`);
  c.info(`connect from ${s.namaddr}`);
  if (cfg.connectFatal) {
    for (const d of cfg.connectFatal) c.info(`${d.severity}: ${d.message}`);
    master(`process ${DAEMON} pid PID exit status 1`);
    master(`${DAEMON}: bad command startup -- throttling`);
    const fatal = cfg.connectFatal.find((d) => d.severity === 'fatal')?.message ?? 'smtpd exits';
    return { ...result('exit', fatal), fatal };
  }
  return undefined;
}

/** Per-command counts for the disconnect line: [ok, total] by command name (or `unknown`). */
type Stats = Map<string, { ok: number; total: number }>;

/** isForbidden - smtpd_forbidden_commands names the (unknown) command. */
function isForbidden(cfg: SmtpdConfig, verb: string): boolean {
  return splitList(cfg.str('smtpd_forbidden_commands')).some((f) =>
    f.startsWith('regexp:') ? /\/\^\[\^A-Z\]\//.test(f) && /^[^A-Z]/.test(verb) : f.toLowerCase() === verb.toLowerCase(),
  );
}

/** isNoop - smtpd_noop_commands names the command: smtpd answers 250 and does nothing else. */
const isNoop = (cfg: SmtpdConfig, verb: string): boolean => splitList(cfg.str('smtpd_noop_commands')).some((n) => n.toLowerCase() === verb.toLowerCase());

/** countJunk - one more command towards smtpd_junk_command_limit; past it, each is an error. */
function countJunk(ctx: SessionContext): void {
  if (ctx.s.junkCmds++ > ctx.cfg.int('smtpd_junk_command_limit')) ctx.s.errorCount++;
}

/** dataError - SMTP_ERR_DATA: smtpd cannot go on (a table lookup failed) and hangs up. */
function dataError(ctx: SessionContext): void {
  const { cfg, c, s } = ctx;
  const reply = `421 4.3.0 ${cfg.str('myhostname')} Server local data error`;
  c.info(`${s.queueId ?? 'NOQUEUE'}: reject: ${s.where} from ${s.namaddr}: ${reply}`);
  ctx.reply(reply);
  ctx.hangup = true;
}

/** command - one client line through smtpd's command loop; true when the session ends. */
function command(ctx: SessionContext, line: string, node: SmtpdEventOf<'command'>, stats: Stats): boolean {
  const { cfg, c, s } = ctx;
  const request = readRequest(cfg, c, line);
  // Safety: protect internal interfaces against malformed UTF-8.
  if (cfg.bool('smtputf8_enable') && !validUtf8(request)) {
    ctx.reply('500 5.5.2 Error: bad UTF-8 syntax');
    s.errorCount++;
    return false;
  }
  const filtered = filterCommand(cfg, c, request);
  if ('error' in filtered) return (dataError(ctx), false);
  const text = filtered.line;
  const argv = smtpdToken(cString(text));
  if (argv[0]) node.verb = argv[0].text.toUpperCase();
  if (argv.length === 0) {
    ctx.reply('500 5.5.2 Error: bad syntax');
    s.errorCount++;
    return false;
  }
  if (isNoop(cfg, argv[0]!.text)) {
    ctx.reply('250 2.0.0 Ok');
    countJunk(ctx);
    return false;
  }
  const verb = argv[0]!.text.toLowerCase();
  const cmd = COMMAND_TABLE.get(verb);
  const stat = stats.get(cmd ? verb : 'unknown') ?? { ok: 0, total: 0 };
  stat.total++;
  stats.set(cmd ? verb : 'unknown', stat);
  if (!cmd) {
    s.where = 'UNKNOWN';
    if (isHeader(argv[0]!.text) || isForbidden(cfg, argv[0]!.text)) {
      c.warn(`non-SMTP command from ${s.namaddr}: ${escapeInput(text).slice(0, 100)}`);
      ctx.reply('221 2.7.0 Error: I can break rules, too. Goodbye.');
      return true;
    }
  }
  if (s.accessDenied !== undefined && verb !== 'quit') {
    if (s.accessDenied.slice(1, 3) === '21') ctx.reply(s.accessDenied);
    else {
      ctx.reply(`503 5.7.0 Error: access denied for ${s.namaddr}`);
      s.errorCount++;
    }
    return false;
  }
  if (!cmd) {
    const milter = askMilters(ctx, 'unknown');
    ctx.reply(milter ?? '500 5.5.2 Error: command not recognized');
    s.errorCount++;
    return false;
  }
  if (cfg.tls.enforced && !s.tls && !cmd.preTls) {
    ctx.reply('530 5.7.0 Must issue a STARTTLS command first');
    s.errorCount++;
    return false;
  }
  s.where = verb.toUpperCase();
  // A pipelining client has sent more before smtpd answered: improper unless ESMTP allows it here.
  if (ctx.options.pipelined && !s.illegalPipelining && ctx.next < ctx.lines.length && (s.protocol !== 'ESMTP' || cmd.last)) {
    const pending = ctx.lines
      .slice(ctx.next)
      .map((l) => l + '\r\n')
      .join('');
    c.info(`improper command pipelining after ${s.where} from ${s.namaddr}: ${escapeInput(pending.slice(0, 100))}`);
    s.illegalPipelining = true;
    c.step({ kind: 'note', note: 'pipelining', after: s.where });
    if (cfg.bool('smtpd_forbid_unauth_pipelining')) {
      ctx.reply('554 5.5.0 Error: SMTP protocol synchronization');
      ctx.hangup = true;
      return true;
    }
  }
  const ok = cmd.action(ctx, argv);
  if (ok === true) stat.ok++;
  else if (ok === false) s.errorCount++;
  if (cmd.junk) countJunk(ctx);
  return verb === 'quit';
}

/** disconnect - "lost connection" unless the session ended properly, then the per-command counts. */
function disconnect(ctx: SessionContext, stats: Stats): void {
  const { c, s } = ctx;
  const last = ctx.exchanges[ctx.exchanges.length - 1]!;
  if (!ctx.hangup && !last.server.some((l) => /^(221|421)/.test(l))) c.info(`lost connection after ${s.where} from ${s.namaddr}`);
  let statText = '';
  let allOk = 0;
  let allTotal = 0;
  for (const name of [...COMMANDS.map((cmd) => cmd.name), 'unknown']) {
    const st = stats.get(name);
    if (!st) continue;
    statText += ` ${name}=${st.ok}${st.ok !== st.total ? '/' + st.total : ''}`;
    allOk += st.ok;
    allTotal += st.total;
  }
  statText += ` commands=${allOk}${allOk !== allTotal || allTotal === 0 ? '/' + allTotal : ''}`;
  c.info(`disconnect from ${s.namaddr}${statText}`);
}

/** crashOf - run `fn`; the SmtpdCrash it ends in, if smtpd (or the simulator) would run out of stack. */
function crashOf(fn: () => unknown): SmtpdCrash | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof SmtpdCrash) return e;
    // Restriction classes nested deeper than the JavaScript stack allows: a limit of the simulator, said as such.
    if (e instanceof RangeError)
      return new SmtpdCrash('the simulator ran out of stack following restriction classes nested thousands deep (real smtpd goes deeper)', true);
    throw e;
  }
}

/** crashResult - smtpd died without a reply: master logs it and the client sees the connection close. */
function crashResult(ctx: SessionContext, crash: SmtpdCrash): SessionResult {
  if (crash.simulatorLimit) ctx.c.step({ kind: 'notice', text: crash.reason });
  else ctx.s.log.push({ program: 'postfix/master', text: `warning: process ${DAEMON} pid 0 killed by signal 11` });
  return { exchanges: ctx.exchanges, log: ctx.s.log, trace: ctx.s.trace, accepted: ctx.accepted, crashed: crash.reason };
}

/** runSession - play `dialogue` (client lines) against smtpd configured as `cfg`. */
export function runSession(cfg: SmtpdConfig, dialogue: string, client: ClientFacts, options: SessionOptions = {}): SessionResult {
  const s = initialState(cfg, client);
  const c = new Checker(cfg, s, genericChecks, options.trace ?? true);
  const lines = dialogue.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const ctx = new SessionContext(cfg, c, lines, options);
  const failed = startFailure(ctx, options.startupLog ?? true);
  if (failed) return failed;
  s.xclientAllowed = xclientAllowed(cfg, s);
  setupSessionMilters(ctx);
  // With smtpd_delay_reject = no a restriction class that names itself kills smtpd before its banner.
  const greetCrash = crashOf(() => ctx.greet());
  if (greetCrash) {
    c.step({ kind: 'session', event: 'crash', reason: greetCrash.reason });
    return crashResult(ctx, greetCrash);
  }

  const stats: Stats = new Map();
  for (;;) {
    // smtpd checks the error limit before it reads the next command, and says so unasked.
    if (!ctx.hangup && s.errorCount >= cfg.int('smtpd_hard_error_limit')) {
      ctx.exchange();
      ctx.reply(`421 4.7.0 ${cfg.str('myhostname')} Error: too many errors`);
      c.info(`too many errors after ${s.where} from ${s.namaddr}`);
      break;
    }
    if (ctx.next >= lines.length) break;
    if (ctx.hangup) {
      // The server has closed the connection: the client's next line gets no answer.
      ctx.exchange(lines[ctx.next++]!);
      break;
    }
    const line = lines[ctx.next++]!;
    const exchange = ctx.exchange(line);
    const node: SmtpdEventOf<'command'> = { kind: 'command', line, reply: [] };
    let done = false;
    const crashed = c.step(node, () => crashOf(() => (done = command(ctx, line, node, stats))));
    // The command's own reply (DATA's 354, not the end-of-data reply).
    node.reply = [...exchange.server];
    if (crashed) {
      node.crash = crashed.reason;
      return crashResult(ctx, crashed);
    }
    if (done) break;
  }
  disconnect(ctx, stats);
  return { exchanges: ctx.exchanges, log: s.log, trace: s.trace, accepted: ctx.accepted };
}
