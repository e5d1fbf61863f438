/*
 * NAME
 *   smtpd/transaction - MAIL, RCPT, DATA, VRFY and ETRN as smtpd answers them
 * DESCRIPTION
 *   The commands of a mail transaction, each as smtpd.c does it: syntax
 *   and parameter checks, the address extracted and sanity-checked by the
 *   resolver, the restriction stage (with smtpd_delay_reject), the queue
 *   file opened at the first accepted recipient (its "client=" line), the
 *   message read after DATA's 354, and the actions delegated to cleanup
 *   carried on the accepted message.
 */
import type { Checker, SmtpdConfig } from './checker.ts';
import type { SessionState } from './state.ts';
import type { AcceptedMessage, Cursor, Exchange } from './session.ts';
import type { SmtpToken } from './token.ts';
import { extractAddress } from './token.ts';
import { checkData, checkEod, checkEtrn, checkMail, checkRcpt, checkSize } from './stages.ts';
import { RESOLVE_FLAG_ERROR } from './deps.ts';
import { validHostname, validMailhostLiteral } from '../mail/valid-hostname.ts';
import { printable } from '../trace/printable.ts';

/** What the transaction commands share with the session that runs them. */
export interface TransactionRun {
  cfg: SmtpdConfig;
  c: Checker;
  s: SessionState;
  io: Cursor;
  lines: readonly string[];
  exchanges: Exchange[];
  accepted: AcceptedMessage[];
  /** The envelope recipients accepted so far. */
  recipients: string[];
  reply(text: string): void;
  mailReset(): void;
  rcptReset(): void;
  /** The next queue id. */
  queueId(): string;
}

/** transactionCommands - the handlers; each returns whether the command succeeded. */
export function transactionCommands(run: TransactionRun): Record<'mail' | 'rcpt' | 'data' | 'vrfy' | 'etrn', (argv: SmtpToken[]) => boolean> {
  const { cfg, c, s, io, lines, exchanges, accepted, recipients, reply, mailReset, rcptReset } = run;

  function mailCmd(argv: SmtpToken[]): boolean {
    if (cfg.bool('smtpd_helo_required') && s.heloName === undefined) return (reply('503 5.5.1 Error: send HELO/EHLO first'), false);
    if (s.sender !== undefined) return (reply('503 5.5.1 Error: nested MAIL command'), false);
    if (argv.length < 3 || argv[1]!.text.toLowerCase() !== 'from:') return (reply('501 5.5.4 Syntax: MAIL FROM:<address>'), false);
    if (argv[2]!.error) return (reply('501 5.1.7 Bad sender address syntax'), false);
    const ex = extractAddress(argv[2]!.text, cfg.bool('strict_rfc821_envelopes'));
    if (ex.illegal || illegalAddress(ex.address, s.recipient ?? '', true)) {
      c.warn(`Illegal address syntax from ${s.namaddr} in MAIL command: ${printable(argv[2]!.text, false)}`);
      return (reply('501 5.1.7 Bad sender address syntax'), false);
    }
    let size = 0;
    for (const opt of argv.slice(3)) {
      const o = opt.text;
      const lo = o.toLowerCase();
      if (lo === 'body=8bitmime' || lo === 'body=7bit' || (lo === 'smtputf8' && cfg.bool('smtputf8_enable'))) continue;
      if (lo.startsWith('size=')) {
        if (!/^\d+$/.test(o.slice(5))) return (reply('501 5.5.4 Bad message size syntax'), false);
        size = Number(o.slice(5));
        continue;
      }
      if (lo.startsWith('ret=')) {
        if (!['full', 'hdrs'].includes(lo.slice(4))) return (reply('501 5.5.4 Bad RET parameter syntax'), false);
        continue;
      }
      if (lo.startsWith('envid=') || lo.startsWith('auth=')) continue;
      return (reply(`555 5.5.4 Unsupported option: ${o}`), false);
    }
    const saved = s.sender;
    s.sender = ex.address;
    const sizeErr = checkSize(c, size);
    s.sender = saved;
    if (sizeErr) return (reply(sizeErr), false);
    if (!cfg.bool('smtpd_delay_reject')) {
      const err = checkMail(c, ex.address);
      if (err !== undefined) {
        mailReset();
        return (reply(err), false);
      }
    }
    s.sender = ex.address;
    reply('250 2.1.0 Ok');
    return true;
  }

  /** smtpd_check_addr: the resolver refuses the address syntax. */
  function illegalAddress(address: string, other: string, allowEmpty: boolean): boolean {
    if (address === '') return !allowEmpty;
    const r = cfg.resolver.resolve(other, address);
    if (r.flags & RESOLVE_FLAG_ERROR) return true;
    const at = r.recipient.lastIndexOf('@');
    return at >= 0 && /[^\x00-\x7f]/.test(r.recipient.slice(at + 1));
  }

  function rcptCmd(argv: SmtpToken[]): boolean {
    if (s.sender === undefined) return (reply('503 5.5.1 Error: need MAIL command'), false);
    if (argv.length < 3 || argv[1]!.text.toLowerCase() !== 'to:') return (reply('501 5.5.4 Syntax: RCPT TO:<address>'), false);
    if (argv[2]!.error) return (reply('501 5.1.3 Bad recipient address syntax'), false);
    const ex = extractAddress(argv[2]!.text, cfg.bool('strict_rfc821_envelopes'));
    if (ex.illegal || illegalAddress(ex.address, s.sender, false)) {
      c.warn(`Illegal address syntax from ${s.namaddr} in RCPT command: ${printable(argv[2]!.text, false)}`);
      return (reply('501 5.1.3 Bad recipient address syntax'), false);
    }
    for (const opt of argv.slice(3)) {
      const lo = opt.text.toLowerCase();
      if (lo.startsWith('notify=') || lo.startsWith('orcpt=')) continue;
      return (reply(`555 5.5.4 Unsupported option: ${opt.text}`), false);
    }
    const limit = cfg.int('smtpd_recipient_limit');
    if (limit && s.rcptCount >= limit) return (reply('452 4.5.3 Error: too many recipients'), true);
    const err = checkRcpt(c, ex.address);
    if (err !== undefined) return (reply(err), false);
    if (s.queueId === undefined) {
      s.queueId = run.queueId();
      c.info(
        `${s.queueId}: client=${s.namaddr}${s.saslMethod ? `, sasl_method=${s.saslMethod}` : ''}${s.saslUsername ? `, sasl_username=${s.saslUsername}` : ''}`,
      );
    }
    s.rcptCount++;
    if (s.recipient === undefined) s.recipient = ex.address;
    recipients.push(ex.address);
    reply('250 2.1.5 Ok');
    return true;
  }

  function dataCmd(argv: SmtpToken[]): boolean {
    if (s.rcptCount === 0) {
      if (s.sender === undefined) reply('503 5.5.1 Error: need RCPT command');
      else reply('554 5.5.1 Error: no valid recipients');
      return false;
    }
    if (argv.length !== 1) return (reply('501 5.5.4 Syntax: DATA'), false);
    const err = checkData(c);
    if (err !== undefined) return (reply(err), false);
    reply('354 End data with <CR><LF>.<CR><LF>');
    const message: string[] = [];
    while (io.next < lines.length) {
      const l = lines[io.next++]!;
      if (l === '.') break;
      message.push(l.startsWith('.') ? l.slice(1) : l);
    }
    io.current = { client: '.', message, server: [] };
    exchanges.push(io.current);
    s.where = 'END-OF-MESSAGE';
    const eodErr = checkEod(c);
    if (eodErr !== undefined) {
      reply(eodErr);
    } else {
      const qid = s.queueId!;
      accepted.push({
        queueId: qid,
        sender: s.sender!,
        recipients: [...recipients],
        hold: s.hold,
        discard: s.discard,
        ...(s.savedFilter !== undefined && { filter: s.savedFilter }),
        ...(s.savedRedirect !== undefined && { redirect: s.savedRedirect }),
        bcc: [...s.savedBcc],
        prepended: [...s.prepend, `Received: from ${s.heloName ?? s.name} (${s.name} [${s.rfcAddr}])`],
      });
      reply(`250 2.0.0 Ok: queued as ${qid}`);
      s.errorCount = 0;
    }
    mailReset();
    rcptReset();
    recipients.length = 0;
    return eodErr === undefined;
  }

  function vrfyCmd(argv: SmtpToken[]): boolean {
    if (cfg.bool('disable_vrfy_command')) return (reply('502 5.5.1 VRFY command is disabled'), false);
    if (argv.length < 2) return (reply(`501 5.5.4 Syntax: VRFY address${cfg.bool('smtputf8_enable') ? ' [SMTPUTF8]' : ''}`), false);
    const word = argv
      .slice(1)
      .map((t) => t.text)
      .join(' ');
    const ex = extractAddress(word, false);
    if (ex.illegal || illegalAddress(ex.address, s.sender ?? '', false)) {
      c.warn(`Illegal address syntax from ${s.namaddr} in VRFY command: ${printable(word, false)}`);
      return (reply('501 5.1.3 Bad recipient address syntax'), false);
    }
    const err = checkRcpt(c, ex.address);
    if (err !== undefined) return (reply(err), false);
    reply(`252 2.0.0 ${word}`);
    return true;
  }

  function etrnCmd(argv: SmtpToken[]): boolean {
    if (cfg.bool('smtpd_helo_required') && s.heloName === undefined) return (reply('503 Error: send HELO/EHLO first'), false);
    if (s.sender !== undefined) return (reply('503 Error: MAIL transaction in progress'), false);
    if (argv.length !== 2) return (reply('500 Syntax: ETRN domain'), false);
    let domain = argv[1]!.text;
    if (domain.startsWith('@') || domain.startsWith('#')) domain = domain.slice(1);
    if (!validHostname(domain) && !validMailhostLiteral(domain)) return (reply('501 Error: invalid parameter syntax'), false);
    const err = checkEtrn(c, domain);
    if (err !== undefined) return (reply(err), false);
    // The flush service serves only fast_flush_domains.
    if (cfg.fastFlushDomains.match(domain).matched) {
      reply('250 Queuing started');
      return true;
    }
    c.warn(`reject: ETRN ${domain.slice(0, 100)}... from ${s.namaddr}`);
    reply(`459 <${domain}>: service unavailable`);
    return false;
  }

  return { mail: mailCmd, rcpt: rcptCmd, data: dataCmd, vrfy: vrfyCmd, etrn: etrnCmd };
}
