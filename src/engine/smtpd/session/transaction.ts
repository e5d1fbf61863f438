/*
 * NAME
 *   smtpd/session/transaction - MAIL, RCPT and DATA as smtpd answers them
 * DESCRIPTION
 *   The commands of a mail transaction, each as smtpd.c does it: syntax
 *   and parameter checks, the address extracted and sanity-checked by the
 *   resolver, the restriction stage (with smtpd_delay_reject), the queue
 *   file opened at the first accepted recipient (its "client=" line), the
 *   message read after DATA's 354, and the actions delegated to cleanup
 *   carried on the accepted message.
 * SEE ALSO
 *   smtpd(8), postconf(5) (smtpd_recipient_limit, message_size_limit, strict_rfc821_envelopes)
 */
import { printable } from '../../trace/printable.ts';
import { RESOLVE_FLAG_ERROR } from '../restrictions/deps.ts';
import { checkData, checkEod, checkMail, checkRcpt, checkSize } from '../restrictions/stages.ts';
import { cleanupReply, primaryHeader, sizeExceeded } from './cleanup.ts';
import type { AcceptedMessage, CommandHandler, SessionContext } from './context.ts';
import { ehloDiscard } from './helo.ts';
import { mailParameters, rcptParameters } from './params.ts';
import { askMilters, messageMilters } from './milters.ts';
import { extractAddress } from './token.ts';

/** unbracket - an address argument as a Milter reads it, without its angle brackets. */
const unbracket = (word: string): string => word.replace(/^<(.*)>$/, '$1');

export const mailCmd: CommandHandler = (ctx, argv) => {
  const { cfg, c, s } = ctx;
  if (cfg.bool('smtpd_helo_required') && s.heloName === undefined) return (ctx.reply('503 5.5.1 Error: send HELO/EHLO first'), false);
  if (s.sender !== undefined) return (ctx.reply('503 5.5.1 Error: nested MAIL command'), false);
  if (argv.length < 3 || argv[1]!.text.toLowerCase() !== 'from:') return (ctx.reply('501 5.5.4 Syntax: MAIL FROM:<address>'), false);
  if (argv[2]!.error) return (ctx.reply('501 5.1.7 Bad sender address syntax'), false);
  // SMTPUTF8 decides which address syntax is allowed, so it is looked at first.
  const utf8Offered = cfg.bool('smtputf8_enable') && !ehloDiscard(cfg).has('smtputf8');
  const smtputf8 = utf8Offered && argv.slice(3).some((t) => t.text.toLowerCase() === 'smtputf8');
  const ex = extractAddress(argv[2]!.text, cfg.bool('strict_rfc821_envelopes'));
  if (ex.illegal || illegalAddress(ctx, ex.address, s.recipient ?? '', true, smtputf8)) {
    c.warn(`Illegal address syntax from ${s.namaddr} in MAIL command: ${printable(argv[2]!.text, c.smtputf8)}`);
    return (ctx.reply('501 5.1.7 Bad sender address syntax'), false);
  }
  const params = mailParameters(ctx, argv.slice(3), utf8Offered);
  if ('reply' in params) return (ctx.reply(params.reply), false);
  const saved = s.sender;
  s.sender = ex.address;
  const sizeErr = checkSize(c, params.size);
  s.sender = saved;
  if (sizeErr) return (ctx.reply(sizeErr), false);
  if (params.verp !== undefined && ex.address === '') return (ctx.reply('503 5.5.4 Error: XVERP requires non-null sender'), false);
  if (!cfg.bool('smtpd_delay_reject')) {
    const err = checkMail(c, ex.address);
    if (err !== undefined) {
      ctx.mailReset();
      return (ctx.reply(err), false);
    }
  }
  const milter = askMilters(ctx, 'mail', { sender: unbracket(argv[2]!.text), recipient: '' }, { sender: ex.address });
  if (milter !== undefined) {
    ctx.mailReset();
    return (ctx.reply(milter), false);
  }
  // Historically Postfix accepts a non-ASCII sender without SMTPUTF8, unless strict_smtputf8 says otherwise.
  if (!smtputf8 && ex.address !== '' && /[^\x00-\x7f]/.test(ex.address)) {
    if (cfg.bool('strict_smtputf8')) return (ctx.reply('553 5.6.7 Must declare SMTPUTF8 to send unicode address'), false);
    if (cfg.compat.smtputf8Enable)
      c.info(`using backwards-compatible default setting smtputf8_enable=no to accept non-ASCII sender address "${ex.address}" from ${s.namaddr}`);
  }
  s.sender = ex.address;
  s.smtputf8 = smtputf8;
  if (params.saslSender !== undefined) s.saslSender = params.saslSender;
  ctx.reply('250 2.1.0 Ok');
  return true;
};

/** illegalAddress - smtpd_check_addr(): the resolver refuses the address, or a non-ASCII domain without SMTPUTF8. */
export function illegalAddress(ctx: SessionContext, address: string, other: string, allowEmpty: boolean, smtputf8: boolean): boolean {
  if (address === '') return !allowEmpty;
  const r = ctx.cfg.resolver.resolve(other, address);
  if (r.flags & RESOLVE_FLAG_ERROR) return true;
  const at = r.recipient.lastIndexOf('@');
  return !smtputf8 && at >= 0 && /[^\x00-\x7f]/.test(r.recipient.slice(at + 1));
}

export const rcptCmd: CommandHandler = (ctx, argv) => {
  const { cfg, c, s } = ctx;
  if (s.sender === undefined) return (ctx.reply('503 5.5.1 Error: need MAIL command'), false);
  if (argv.length < 3 || argv[1]!.text.toLowerCase() !== 'to:') return (ctx.reply('501 5.5.4 Syntax: RCPT TO:<address>'), false);
  if (argv[2]!.error) return (ctx.reply('501 5.1.3 Bad recipient address syntax'), false);
  const ex = extractAddress(argv[2]!.text, cfg.bool('strict_rfc821_envelopes'));
  if (ex.illegal || illegalAddress(ctx, ex.address, s.sender, false, s.smtputf8 === true)) {
    c.warn(`Illegal address syntax from ${s.namaddr} in RCPT command: ${printable(argv[2]!.text, c.smtputf8)}`);
    return (ctx.reply('501 5.1.3 Bad recipient address syntax'), false);
  }
  const paramErr = rcptParameters(ctx, argv.slice(3));
  if (paramErr !== undefined) return (ctx.reply(paramErr), false);
  // Beyond the limit each RCPT gets 452; past smtpd_recipient_overshoot_limit of them, each is an error.
  const limit = cfg.int('smtpd_recipient_limit');
  if (limit && s.rcptCount >= limit) {
    ctx.reply('452 4.5.3 Error: too many recipients');
    return s.rcptOvershoot++ < cfg.int('smtpd_recipient_overshoot_limit');
  }
  // The Milters hear of a recipient only when the restrictions accept it.
  const err = checkRcpt(c, ex.address) ?? askMilters(ctx, 'rcpt', { recipient: unbracket(argv[2]!.text) }, { recipient: ex.address });
  if (err !== undefined) return (ctx.reply(err), false);
  if (s.queueId === undefined) {
    s.queueId = ctx.nextQueueId();
    const sasl = [
      s.saslMethod && `, sasl_method=${s.saslMethod}`,
      s.saslUsername && `, sasl_username=${s.saslUsername}`,
      s.saslSender && `, sasl_sender=${s.saslSender}`,
    ];
    c.info(`${s.queueId}: client=${s.namaddr}${sasl.filter(Boolean).join('')}`);
  }
  s.rcptCount++;
  if (s.recipient === undefined) s.recipient = ex.address;
  ctx.recipients.push(ex.address);
  ctx.reply('250 2.1.5 Ok');
  return true;
};

/** endOfData - the message size, the end-of-data restrictions, then cleanup; the reply of a refusal, else the message is accepted. */
function endOfData(ctx: SessionContext, message: string[]): string | undefined {
  const { cfg, c, s } = ctx;
  if (sizeExceeded(cfg, message)) {
    c.warn(`${s.queueId ?? 'NOQUEUE'}: queue file size limit exceeded`);
    return '552 5.3.4 Error: message file too big';
  }
  const eodErr = checkEod(c);
  if (eodErr !== undefined) return eodErr;
  const msg: AcceptedMessage = {
    queueId: s.queueId!,
    sender: s.sender!,
    recipients: [...ctx.recipients],
    hold: s.hold,
    discard: s.discard || s.milterDiscard,
    ...(s.savedFilter !== undefined && { filter: s.savedFilter }),
    ...(s.savedRedirect !== undefined && { redirect: s.savedRedirect }),
    bcc: [...s.savedBcc],
    prepended: [...s.prepend, `Received: from ${s.heloName ?? s.name} (${s.name} [${s.rfcAddr}])`],
    headers: primaryHeader(message),
  };
  const verdict = cleanupReply(cfg, msg, message, {
    sender: s.sender!,
    recipients: ctx.recipients,
    name: s.name,
    reverseName: s.reverseName,
    addr: s.addr,
    port: s.port,
    ...(s.heloName !== undefined && { helo: s.heloName }),
    protocol: s.protocol,
    myhostname: cfg.str('myhostname'),
  });
  if (verdict.closeSize !== undefined)
    c.step({
      kind: 'notice',
      text: `the queue file is about ${verdict.closeSize} bytes against message_size_limit ${cfg.int('message_size_limit')}: an estimate, real Postfix may differ by a few bytes`,
    });
  // The Milters see the message in cleanup, after cleanup's own checks.
  const reply = verdict.reply ?? messageMilters(ctx, message);
  if (reply === undefined) ctx.accepted.push({ ...msg, hold: s.hold, discard: s.discard || s.milterDiscard });
  return reply;
}

export const dataCmd: CommandHandler = (ctx, argv) => {
  const { c, s } = ctx;
  if (s.rcptCount === 0) {
    if (s.sender === undefined) ctx.reply('503 5.5.1 Error: need RCPT command');
    else ctx.reply('554 5.5.1 Error: no valid recipients');
    return false;
  }
  if (argv.length !== 1) return (ctx.reply('501 5.5.4 Syntax: DATA'), false);
  const err = checkData(c) ?? askMilters(ctx, 'data');
  if (err !== undefined) return (ctx.reply(err), false);
  ctx.reply('354 End data with <CR><LF>.<CR><LF>');
  const message: string[] = [];
  while (ctx.next < ctx.lines.length) {
    const l = ctx.lines[ctx.next++]!;
    if (l === '.') break;
    message.push(l.startsWith('.') ? l.slice(1) : l);
  }
  ctx.exchange('.', message);
  s.where = 'END-OF-MESSAGE';
  const reply = endOfData(ctx, message);
  ctx.reply(reply ?? `250 2.0.0 Ok: queued as ${s.queueId!}`);
  if (reply === undefined) {
    s.errorCount = 0;
    s.junkCmds = 0;
  }
  ctx.mailReset();
  ctx.rcptReset();
  return reply === undefined;
};
