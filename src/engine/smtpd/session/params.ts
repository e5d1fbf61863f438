/*
 * NAME
 *   smtpd/session/params - the ESMTP parameters of MAIL FROM and RCPT TO
 * DESCRIPTION
 *   mailParameters() and rcptParameters() check what follows the address
 *   the way mail_cmd() and rcpt_cmd() do, in the order the client gave
 *   them: BODY=, SIZE= (digits; more than a file can hold is refused),
 *   SMTPUTF8, AUTH= (once; <> is no sender), XVERP (for
 *   smtpd_authorized_verp_clients), the DSN parameters RET= (FULL or
 *   HDRS, once) and ENVID= (xtext, printable, once), NOTIFY= (NEVER alone,
 *   or SUCCESS, FAILURE, DELAY; once) and ORCPT= (TYPE;xtext, utf-8 with
 *   \x{...} escapes; once). DSN parameters are refused when
 *   smtpd_discard_ehlo_keywords hides DSN. Anything else is "Unsupported
 *   option". The first problem is the reply.
 * SEE ALSO
 *   smtpd(8), RFC 3461 (DSN), RFC 1870 (SIZE), RFC 6531 (SMTPUTF8),
 *   postconf(5) (smtpd_authorized_verp_clients, smtpd_discard_ehlo_keywords)
 */
import { printable } from '../../trace/printable.ts';
import type { SessionContext } from './context.ts';
import { ehloDiscard } from './helo.ts';
import type { SmtpToken } from './token.ts';

/** xtextUnquote - RFC 3461 xtext (`+XX` hex escapes); undefined when malformed. */
export function xtextUnquote(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '+') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else out += text[i];
  }
  return out;
}

/** uxtextUnquote - RFC 6533 unitext (`\x{HEX}` escapes); undefined when malformed. */
function uxtextUnquote(text: string): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('\\x{', i)) {
      const end = text.indexOf('}', i + 3);
      const hex = end < 0 ? '' : text.slice(i + 3, end);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) return undefined;
      out += String.fromCodePoint(parseInt(hex, 16));
      i = end;
    } else out += text[i];
  }
  return out;
}

/** allprint - non-empty printable ASCII. */
const allprint = (text: string): boolean => /^[\x20-\x7e]+$/.test(text);

/** The largest size a queue file can have (off_t). */
const MAX_SIZE = 2n ** 63n - 1n;

/** What MAIL FROM's parameters ask for. */
export interface MailParameters {
  size: number;
  /** AUTH=: the sender the client says authenticated (printable), unless <>. */
  saslSender?: string;
  /** XVERP: the delimiters. */
  verp?: string;
}

/** dsnDisabled - the client was not offered DSN: its parameters are refused. */
const dsnDisabled = (ctx: SessionContext): boolean => ehloDiscard(ctx.cfg).has('dsn');

/** verpDelimsOk - two characters from verp_delimiter_filter (verp_delims_verify()). */
function verpDelimsOk(ctx: SessionContext, delims: string): boolean {
  const filter = ctx.cfg.str('verp_delimiter_filter');
  return delims.length === 2 && [...delims].every((ch) => filter.includes(ch));
}

/** mailParameters - MAIL FROM's parameters, or the reply that refuses them. */
export function mailParameters(ctx: SessionContext, params: readonly SmtpToken[], smtputf8: boolean): MailParameters | { reply: string } {
  const { cfg, s } = ctx;
  const out: MailParameters = { size: 0 };
  let ret = false;
  let envid = false;
  let auth = false;
  const dsnOff = dsnDisabled(ctx);
  for (const p of params) {
    const arg = p.text;
    const lo = arg.toLowerCase();
    if (lo === 'body=8bitmime' || lo === 'body=7bit') continue;
    if (lo.startsWith('size=')) {
      if (!/^\d*$/.test(arg.slice(5))) return { reply: '501 5.5.4 Bad message size syntax' };
      const size = BigInt(arg.slice(5) || '0');
      if (size > MAX_SIZE) return { reply: '552 5.3.4 Message size exceeds file system imposed limit' };
      out.size = Number(size);
    } else if (smtputf8 && lo === 'smtputf8') {
      // Processed before the address.
    } else if (lo.startsWith('auth=')) {
      if (auth) return { reply: '503 5.5.4 Error: multiple AUTH= options' };
      if (arg.slice(5) !== '<>') {
        auth = true;
        out.saslSender = printable(arg.slice(5), false);
      }
    } else if ((lo === 'xverp' || lo.startsWith('xverp=')) && cfg.verpClients.match(s.name, s.addr).matched) {
      out.verp = lo === 'xverp' ? cfg.str('default_verp_delimiters') : arg.slice(6);
      if (lo !== 'xverp' && !verpDelimsOk(ctx, out.verp))
        return { reply: `501 5.5.4 Error: XVERP needs two characters from ${cfg.str('verp_delimiter_filter')}` };
    } else if (lo.startsWith('ret=')) {
      if (dsnOff) return { reply: '501 5.7.1 DSN support is disabled' };
      if (ret || !['full', 'hdrs'].includes(lo.slice(4))) return { reply: '501 5.5.4 Bad RET parameter syntax' };
      ret = true;
    } else if (lo.startsWith('envid=')) {
      if (dsnOff) return { reply: '501 5.7.1 DSN support is disabled' };
      const value = xtextUnquote(arg.slice(6));
      if (envid || value === undefined || !allprint(value)) return { reply: '501 5.5.4 Bad ENVID parameter syntax' };
      envid = true;
    } else return { reply: `555 5.5.4 Unsupported option: ${arg}` };
  }
  return out;
}

const NOTIFY = ['never', 'success', 'failure', 'delay'];

/** rcptParameters - RCPT TO's parameters: undefined when they are fine, else the reply that refuses them. */
export function rcptParameters(ctx: SessionContext, params: readonly SmtpToken[]): string | undefined {
  let notify = false;
  let orcpt = false;
  const dsnOff = dsnDisabled(ctx);
  for (const p of params) {
    const arg = p.text;
    const lo = arg.toLowerCase();
    if (lo.startsWith('notify=')) {
      if (dsnOff) return '501 5.7.1 DSN support is disabled';
      const names = arg
        .slice(7)
        .split(/[, \t\r\n]+/)
        .filter(Boolean);
      const unknown = names.find((n) => !NOTIFY.includes(n.toLowerCase()));
      // dsn_notify_mask(): an unknown name is warned about; NEVER goes alone.
      if (unknown !== undefined) ctx.c.warn(`unknown DSN NOTIFY command value "${unknown}" in "${arg.slice(7)}"`);
      const mask = new Set(names.map((n) => n.toLowerCase()));
      const ok = unknown === undefined && mask.size > 0 && (!mask.has('never') || mask.size === 1);
      if (notify || !ok) return '501 5.5.4 Error: Bad NOTIFY parameter syntax';
      notify = true;
    } else if (lo.startsWith('orcpt=')) {
      if (dsnOff) return '501 5.7.1 DSN support is disabled';
      const value = arg.slice(6);
      const semi = value.indexOf(';');
      const type = semi < 0 ? '' : value.slice(0, semi);
      const coded = semi < 0 ? undefined : value.slice(semi + 1);
      const decoded = coded === undefined ? undefined : type.toLowerCase() === 'utf-8' ? uxtextUnquote(coded) : xtextUnquote(coded);
      if (orcpt || type === '' || decoded === undefined) return '501 5.5.4 Error: Bad ORCPT parameter syntax';
      orcpt = true;
    } else return `555 5.5.4 Unsupported option: ${arg}`;
  }
  return undefined;
}
