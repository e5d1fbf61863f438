/*
 * NAME
 *   smtpd/session/helo - HELO and EHLO, and the keywords smtpd announces in its EHLO reply
 * DESCRIPTION
 *   helo_cmd() and ehlo_cmd(): with smtpd_delay_reject = no the HELO
 *   restrictions run at once; the name is kept (with characters that would
 *   break the Received: header replaced by `?`), and a mail transaction in
 *   progress is reset. EHLO announces its keywords in smtpd's order, minus
 *   smtpd_discard_ehlo_keywords; AUTH when SASL is on, XCLIENT when the
 *   client may use it, STARTTLS when TLS is offered and not yet in use. The
 *   discarded keywords are reported in the order of Postfix's keyword
 *   table, for its "discarding EHLO keywords" line.
 * SEE ALSO
 *   postconf(5) (smtpd_discard_ehlo_keywords, smtpd_helo_restrictions)
 */
import { printable } from '../../trace/printable.ts';
import { splitList } from '../../util/lists.ts';
import type { SmtpdConfig } from '../restrictions/checker.ts';
import { checkHelo } from '../restrictions/stages.ts';
import type { SessionState } from '../state.ts';
import { saslActive } from '../tls-sasl.ts';
import type { CommandHandler, SessionContext } from './context.ts';
import { askMilters } from './milters.ts';
import type { SmtpToken } from './token.ts';

/**
 * What Cyrus SASL offers on Debian 12 with libsasl2-modules (a machine fact,
 * not configuration): the AUTH keyword lists these when SASL is enabled.
 */
const SASL_MECHANISMS = 'SCRAM-SHA-512 SCRAM-SHA-384 SCRAM-SHA-256 SCRAM-SHA-224 SCRAM-SHA-1 DIGEST-MD5 CRAM-MD5 NTLM PLAIN LOGIN';

const EHLO_MASK_ORDER = [
  '8bitmime',
  'auth',
  'etrn',
  'pipelining',
  'size',
  'verp',
  'vrfy',
  'xclient',
  'xforward',
  'starttls',
  'enhancedstatuscodes',
  'dsn',
  'smtputf8',
  'chunking',
];

/** ehloKeywords - the reply's lines (without 250) and the discard log text, if any. */
export function ehloKeywords(cfg: SmtpdConfig, s: SessionState, ehloDiscard: ReadonlySet<string>): { words: string[]; discarded?: string } {
  const words = [cfg.str('myhostname')];
  const on = (k: string): boolean => !ehloDiscard.has(k);
  if (on('pipelining')) words.push('PIPELINING');
  if (on('size')) words.push(cfg.int('message_size_limit') > 0 ? `SIZE ${cfg.int('message_size_limit')}` : 'SIZE');
  if (on('vrfy') && !cfg.bool('disable_vrfy_command')) words.push('VRFY');
  if (on('etrn')) words.push('ETRN');
  if (on('starttls') && !s.tls && cfg.tls.offered) words.push('STARTTLS');
  // Not to smtpd_sasl_exceptions_networks (sasl_client_exception()).
  if (on('auth') && saslActive(cfg.bool('smtpd_sasl_auth_enable'), cfg.tls, s) && !cfg.saslExceptions.match(s.name, s.addr).matched) {
    words.push(`AUTH ${SASL_MECHANISMS}`);
    if (cfg.bool('broken_sasl_auth_clients')) words.push(`AUTH=${SASL_MECHANISMS}`);
  }
  if (on('xclient') && s.xclientAllowed) words.push('XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT');
  if (on('enhancedstatuscodes')) words.push('ENHANCEDSTATUSCODES');
  if (on('8bitmime')) words.push('8BITMIME');
  if (on('dsn')) words.push('DSN');
  if (cfg.bool('smtputf8_enable') && on('smtputf8')) words.push('SMTPUTF8');
  if (on('chunking')) words.push('CHUNKING');
  // Logged in the order of Postfix's keyword table (ehlo_mask.c).
  const discarded = EHLO_MASK_ORDER.filter((k) => ehloDiscard.has(k));
  const log = discarded.length && !ehloDiscard.has('silent-discard') ? discarded.map((k) => k.toUpperCase()).join(' ') : undefined;
  return { words, ...(log && { discarded: log }) };
}

/** What EHLO leaves out after a Milter refused the client. */
const MILTER_REFUSED: ReadonlySet<string> = new Set([...EHLO_MASK_ORDER.filter((k) => k !== 'enhancedstatuscodes'), 'silent-discard']);

/** The keywords smtpd_discard_ehlo_keywords removes, lower case. */
export const ehloDiscard = (cfg: SmtpdConfig): ReadonlySet<string> => new Set(splitList(cfg.str('smtpd_discard_ehlo_keywords')).map((k) => k.toLowerCase()));

/** heloCommand - HELO (ehlo false) or EHLO. */
function heloCommand(ctx: SessionContext, argv: SmtpToken[], ehlo: boolean): boolean {
  const { cfg, c, s } = ctx;
  const verb = ehlo ? 'EHLO' : 'HELO';
  if (argv.length < 2) return (ctx.reply(`501 Syntax: ${verb} hostname`), false);
  const arg = argv
    .slice(1)
    .map((t) => t.text)
    .join(' ');
  if (!cfg.bool('smtpd_delay_reject')) {
    const err = checkHelo(c, arg);
    if (err !== undefined) return (ctx.reply(err), false);
  }
  // A Milter's refusal of HELO is kept for MAIL FROM; only 421 answers HELO itself.
  const milter = askMilters(ctx, 'helo', { helo: arg }, { heloName: printable(arg, false).replace(/[<>()\\";@]/g, '?') });
  if (milter?.startsWith('421')) return (ctx.reply(milter), false);
  ctx.mailReset();
  ctx.rcptReset();
  s.heloName = printable(arg, false).replace(/[<>()\\";@]/g, '?');
  if (ehlo) {
    s.protocol = 'ESMTP';
    // After a Milter's permanent refusal only ENHANCEDSTATUSCODES is announced, silently.
    const refused = milter?.[0] === '5';
    const { words, discarded } = ehloKeywords(cfg, s, refused ? MILTER_REFUSED : ehloDiscard(cfg));
    if (discarded) c.info(`discarding EHLO keywords: ${discarded}`);
    words.forEach((w, i) => ctx.current.server.push(`250${i + 1 < words.length ? '-' : ' '}${w}`));
  } else {
    if (s.protocol !== 'ESMTP' && s.protocol !== 'SMTP') s.protocol = 'SMTP';
    ctx.reply(`250 ${cfg.str('myhostname')}`);
  }
  return true;
}

/** helo_cmd(). */
export const heloCmd: CommandHandler = (ctx, argv) => heloCommand(ctx, argv, false);
/** ehlo_cmd(). */
export const ehloCmd: CommandHandler = (ctx, argv) => heloCommand(ctx, argv, true);
