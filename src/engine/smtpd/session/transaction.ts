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
import type { CommandHandler, SessionContext } from './context.ts';
import { extractAddress } from './token.ts';

export const mailCmd: CommandHandler = (ctx, argv) => {
  const { cfg, c, s } = ctx;
  if (cfg.bool('smtpd_helo_required') && s.heloName === undefined) return (ctx.reply('503 5.5.1 Error: send HELO/EHLO first'), false);
  if (s.sender !== undefined) return (ctx.reply('503 5.5.1 Error: nested MAIL command'), false);
  if (argv.length < 3 || argv[1]!.text.toLowerCase() !== 'from:') return (ctx.reply('501 5.5.4 Syntax: MAIL FROM:<address>'), false);
  if (argv[2]!.error) return (ctx.reply('501 5.1.7 Bad sender address syntax'), false);
  const ex = extractAddress(argv[2]!.text, cfg.bool('strict_rfc821_envelopes'));
  if (ex.illegal || illegalAddress(ctx, ex.address, s.recipient ?? '', true)) {
    c.warn(`Illegal address syntax from ${s.namaddr} in MAIL command: ${printable(argv[2]!.text, false)}`);
    return (ctx.reply('501 5.1.7 Bad sender address syntax'), false);
  }
  let size = 0;
  for (const opt of argv.slice(3)) {
    const o = opt.text;
    const lo = o.toLowerCase();
    if (lo === 'body=8bitmime' || lo === 'body=7bit' || (lo === 'smtputf8' && cfg.bool('smtputf8_enable'))) continue;
    if (lo.startsWith('size=')) {
      if (!/^\d+$/.test(o.slice(5))) return (ctx.reply('501 5.5.4 Bad message size syntax'), false);
      size = Number(o.slice(5));
      continue;
    }
    if (lo.startsWith('ret=')) {
      if (!['full', 'hdrs'].includes(lo.slice(4))) return (ctx.reply('501 5.5.4 Bad RET parameter syntax'), false);
      continue;
    }
    if (lo.startsWith('envid=') || lo.startsWith('auth=')) continue;
    return (ctx.reply(`555 5.5.4 Unsupported option: ${o}`), false);
  }
  const saved = s.sender;
  s.sender = ex.address;
  const sizeErr = checkSize(c, size);
  s.sender = saved;
  if (sizeErr) return (ctx.reply(sizeErr), false);
  if (!cfg.bool('smtpd_delay_reject')) {
    const err = checkMail(c, ex.address);
    if (err !== undefined) {
      ctx.mailReset();
      return (ctx.reply(err), false);
    }
  }
  s.sender = ex.address;
  ctx.reply('250 2.1.0 Ok');
  return true;
};

/** illegalAddress - smtpd_check_addr(): the resolver refuses the address syntax. */
export function illegalAddress(ctx: SessionContext, address: string, other: string, allowEmpty: boolean): boolean {
  if (address === '') return !allowEmpty;
  const r = ctx.cfg.resolver.resolve(other, address);
  if (r.flags & RESOLVE_FLAG_ERROR) return true;
  const at = r.recipient.lastIndexOf('@');
  return at >= 0 && /[^\x00-\x7f]/.test(r.recipient.slice(at + 1));
}

export const rcptCmd: CommandHandler = (ctx, argv) => {
  const { cfg, c, s } = ctx;
  if (s.sender === undefined) return (ctx.reply('503 5.5.1 Error: need MAIL command'), false);
  if (argv.length < 3 || argv[1]!.text.toLowerCase() !== 'to:') return (ctx.reply('501 5.5.4 Syntax: RCPT TO:<address>'), false);
  if (argv[2]!.error) return (ctx.reply('501 5.1.3 Bad recipient address syntax'), false);
  const ex = extractAddress(argv[2]!.text, cfg.bool('strict_rfc821_envelopes'));
  if (ex.illegal || illegalAddress(ctx, ex.address, s.sender, false)) {
    c.warn(`Illegal address syntax from ${s.namaddr} in RCPT command: ${printable(argv[2]!.text, false)}`);
    return (ctx.reply('501 5.1.3 Bad recipient address syntax'), false);
  }
  for (const opt of argv.slice(3)) {
    const lo = opt.text.toLowerCase();
    if (lo.startsWith('notify=') || lo.startsWith('orcpt=')) continue;
    return (ctx.reply(`555 5.5.4 Unsupported option: ${opt.text}`), false);
  }
  // Beyond the limit each RCPT gets 452; past smtpd_recipient_overshoot_limit of them, each is an error.
  const limit = cfg.int('smtpd_recipient_limit');
  if (limit && s.rcptCount >= limit) {
    ctx.reply('452 4.5.3 Error: too many recipients');
    return s.rcptOvershoot++ < cfg.int('smtpd_recipient_overshoot_limit');
  }
  const err = checkRcpt(c, ex.address);
  if (err !== undefined) return (ctx.reply(err), false);
  if (s.queueId === undefined) {
    s.queueId = ctx.nextQueueId();
    c.info(
      `${s.queueId}: client=${s.namaddr}${s.saslMethod ? `, sasl_method=${s.saslMethod}` : ''}${s.saslUsername ? `, sasl_username=${s.saslUsername}` : ''}`,
    );
  }
  s.rcptCount++;
  if (s.recipient === undefined) s.recipient = ex.address;
  ctx.recipients.push(ex.address);
  ctx.reply('250 2.1.5 Ok');
  return true;
};

export const dataCmd: CommandHandler = (ctx, argv) => {
  const { c, s } = ctx;
  if (s.rcptCount === 0) {
    if (s.sender === undefined) ctx.reply('503 5.5.1 Error: need RCPT command');
    else ctx.reply('554 5.5.1 Error: no valid recipients');
    return false;
  }
  if (argv.length !== 1) return (ctx.reply('501 5.5.4 Syntax: DATA'), false);
  const err = checkData(c);
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
  const eodErr = checkEod(c);
  if (eodErr !== undefined) {
    ctx.reply(eodErr);
  } else {
    const qid = s.queueId!;
    ctx.accepted.push({
      queueId: qid,
      sender: s.sender!,
      recipients: [...ctx.recipients],
      hold: s.hold,
      discard: s.discard,
      ...(s.savedFilter !== undefined && { filter: s.savedFilter }),
      ...(s.savedRedirect !== undefined && { redirect: s.savedRedirect }),
      bcc: [...s.savedBcc],
      prepended: [...s.prepend, `Received: from ${s.heloName ?? s.name} (${s.name} [${s.rfcAddr}])`],
    });
    ctx.reply(`250 2.0.0 Ok: queued as ${qid}`);
    s.errorCount = 0;
    s.junkCmds = 0;
  }
  ctx.mailReset();
  ctx.rcptReset();
  return eodErr === undefined;
};
