/*
 * NAME
 *   smtpd/session/commands - smtpd's command table: each SMTP command and its handler
 * DESCRIPTION
 *   As smtpd.c's smtpd_cmd_table: the commands in their table order (which
 *   is also the order of the per-command counts logged at disconnect), each
 *   with its handler and whether it must end a pipelined group (RFC 2920;
 *   SMTPD_CMD_FLAG_LAST). The small commands are here; HELO/EHLO, XCLIENT
 *   and the mail transaction have modules of their own. STARTTLS, AUTH and
 *   BDAT are not simulated: TLS and the SASL login are facts (--tls,
 *   XCLIENT LOGIN=), and a notice says so.
 * SEE ALSO
 *   smtpd(8), postconf(5) (disable_vrfy_command, fast_flush_domains, smtpd_sasl_auth_enable)
 */
import { validHostname, validMailhostLiteral } from '../../mail/valid-hostname.ts';
import { printable } from '../../trace/printable.ts';
import { checkEtrn, checkRcpt } from '../restrictions/stages.ts';
import type { CommandHandler, SessionContext } from './context.ts';
import { ehloCmd, ehloDiscard, heloCmd } from './helo.ts';
import { extractAddress } from './token.ts';
import { dataCmd, illegalAddress, mailCmd, rcptCmd } from './transaction.ts';
import { xclientCmd } from './xclient.ts';
import { saslActive } from '../tls-sasl.ts';
import { milterOther } from '../milter.ts';

/** One entry of the command table. */
export interface SmtpdCommand {
  /** The command name, lower case, as logged in the disconnect counts. */
  name: string;
  action: CommandHandler;
  /** Must end a pipelined group: more input after it is improper pipelining (SMTPD_CMD_FLAG_LAST). */
  last?: true;
  /** Allowed before STARTTLS when TLS is required (SMTPD_CMD_FLAG_PRE_TLS). */
  preTls?: true;
  /** Counts towards smtpd_junk_command_limit (SMTPD_CMD_FLAG_LIMIT). */
  junk?: true;
}

/** otherMilters - milter_other_event(): what the Milters already decided, when it refuses (4xx, 5xx). */
function otherMilters(ctx: SessionContext): string | undefined {
  const answer = ctx.s.milters && milterOther(ctx.s.milters);
  return answer?.[0] === '4' || answer?.[0] === '5' ? answer : undefined;
}

/** A command the simulator does not carry out: its reply, and a notice saying why. */
function notSimulated(ctx: SessionContext, reply: string, notice: string): false {
  ctx.c.step({ kind: 'notice', text: notice });
  ctx.reply(reply);
  return false;
}

const xforwardCmd: CommandHandler = (ctx) => (ctx.reply('550 5.7.0 Error: insufficient authorization'), false);

const starttlsCmd: CommandHandler = (ctx, argv) => {
  const { cfg, s } = ctx;
  if (argv.length !== 1) return (ctx.reply('501 5.5.4 Syntax: STARTTLS'), false);
  // Sendmail compatibility: a Milter's 4xx becomes 454.
  const milter = otherMilters(ctx);
  if (milter) return (ctx.reply(milter[0] === '4' ? '454 4.3.0 Try again later' : milter), false);
  if (s.tls) return (ctx.reply('554 5.5.1 Error: TLS already active'), false);
  if (!cfg.tls.offered || ehloDiscard(cfg).has('starttls')) return (ctx.reply('502 5.5.1 Error: command not implemented'), false);
  // Without a server certificate smtpd could not set up TLS at start-up.
  if (!cfg.tls.serverCert) return (ctx.reply('454 4.7.0 TLS not available due to local problem'), false);
  return notSimulated(ctx, '502 5.5.1 Error: command not implemented', 'STARTTLS is not simulated: whether the session is encrypted is a fact (--tls)');
};

const authCmd: CommandHandler = (ctx) => {
  if (!saslActive(ctx.cfg.bool('smtpd_sasl_auth_enable'), ctx.cfg.tls, ctx.s)) return (ctx.reply('503 5.5.1 Error: authentication not enabled'), false);
  return notSimulated(
    ctx,
    '535 5.7.8 Error: authentication failed: the simulator takes SASL logins from XCLIENT LOGIN=',
    'AUTH is not simulated: the SASL login comes from XCLIENT LOGIN=',
  );
};

const bdatCmd: CommandHandler = (ctx) =>
  notSimulated(ctx, '503 5.5.1 Error: BDAT is not simulated', 'BDAT (CHUNKING) is not simulated: send the message with DATA');

const rsetCmd: CommandHandler = (ctx, argv) => {
  if (argv.length !== 1) return (ctx.reply('501 5.5.4 Syntax: RSET'), false);
  ctx.mailReset();
  ctx.rcptReset();
  ctx.reply('250 2.0.0 Ok');
  return true;
};

const noopCmd: CommandHandler = (ctx) => (ctx.reply('250 2.0.0 Ok'), true);

const quitCmd: CommandHandler = (ctx) => (ctx.reply('221 2.0.0 Bye'), true);

/** vrfy_cmd(): the address goes through the recipient restrictions; 252, as smtpd cannot verify. */
export const vrfyCmd: CommandHandler = (ctx, argv) => {
  const { cfg, c, s } = ctx;
  if (cfg.bool('disable_vrfy_command')) return (ctx.reply('502 5.5.1 VRFY command is disabled'), false);
  const milter = otherMilters(ctx);
  const smtputf8 = cfg.bool('smtputf8_enable') && !ehloDiscard(cfg).has('smtputf8') && argv.length > 1 && argv.at(-1)!.text.toLowerCase() === 'smtputf8';
  if (argv.length < 2) return (ctx.reply(`501 5.5.4 Syntax: VRFY address${cfg.bool('smtputf8_enable') ? ' [SMTPUTF8]' : ''}`), false);
  if (milter) return (ctx.reply(milter), false);
  // Every word after VRFY is the address (collapse_args(), SMTPUTF8 included).
  const word = argv
    .slice(1)
    .map((t) => t.text)
    .join(' ');
  const ex = extractAddress(word, false);
  if (ex.illegal || illegalAddress(ctx, ex.address, s.sender ?? '', false, smtputf8)) {
    c.warn(`Illegal address syntax from ${s.namaddr} in VRFY command: ${printable(word, c.smtputf8)}`);
    return (ctx.reply('501 5.1.3 Bad recipient address syntax'), false);
  }
  if (!smtputf8 && cfg.bool('strict_smtputf8') && /[^\x00-\x7f]/.test(ex.address)) {
    ctx.mailReset();
    return (ctx.reply('553 5.6.7 Must declare SMTPUTF8 to send unicode address'), false);
  }
  const err = checkRcpt(c, ex.address);
  if (err !== undefined) return (ctx.reply(err), false);
  ctx.reply(`252 2.0.0 ${word}`);
  return true;
};

/** etrn_cmd(): the ETRN restrictions, then the flush service (fast_flush_domains). */
export const etrnCmd: CommandHandler = (ctx, argv) => {
  const { cfg, c, s } = ctx;
  if (cfg.bool('smtpd_helo_required') && s.heloName === undefined) return (ctx.reply('503 Error: send HELO/EHLO first'), false);
  const milter = otherMilters(ctx);
  if (milter) return (ctx.reply(milter), false);
  if (s.sender !== undefined) return (ctx.reply('503 Error: MAIL transaction in progress'), false);
  if (argv.length !== 2) return (ctx.reply('500 Syntax: ETRN domain'), false);
  let domain = argv[1]!.text;
  if (domain.startsWith('@') || domain.startsWith('#')) domain = domain.slice(1);
  if (!validHostname(domain) && !validMailhostLiteral(domain)) return (ctx.reply('501 Error: invalid parameter syntax'), false);
  const err = checkEtrn(c, domain);
  if (err !== undefined) return (ctx.reply(err), false);
  // The flush service serves only fast_flush_domains.
  if (cfg.fastFlushDomains.match(domain).matched) {
    ctx.reply('250 Queuing started');
    return true;
  }
  c.warn(`reject: ETRN ${domain.slice(0, 100)}... from ${s.namaddr}`);
  ctx.reply(`459 <${domain}>: service unavailable`);
  return false;
};

/** smtpd_cmd_table, in Postfix's order. */
export const COMMANDS: readonly SmtpdCommand[] = [
  { name: 'helo', action: heloCmd, last: true, preTls: true, junk: true },
  { name: 'ehlo', action: ehloCmd, last: true, preTls: true, junk: true },
  { name: 'xclient', action: xclientCmd, preTls: true },
  { name: 'xforward', action: xforwardCmd },
  { name: 'starttls', action: starttlsCmd, preTls: true },
  { name: 'auth', action: authCmd },
  { name: 'mail', action: mailCmd },
  { name: 'rcpt', action: rcptCmd },
  { name: 'data', action: dataCmd, last: true },
  { name: 'bdat', action: bdatCmd },
  { name: 'rset', action: rsetCmd, junk: true },
  { name: 'noop', action: noopCmd, last: true, preTls: true, junk: true },
  { name: 'vrfy', action: vrfyCmd, last: true, junk: true },
  { name: 'etrn', action: etrnCmd, junk: true },
  { name: 'quit', action: quitCmd, preTls: true },
];

/** The command table by name. */
export const COMMAND_TABLE: ReadonlyMap<string, SmtpdCommand> = new Map(COMMANDS.map((cmd) => [cmd.name, cmd]));
