/*
 * NAME
 *   smtpd/restrictions/reject - rejections, deferred decisions and "whatsup" logging
 * DESCRIPTION
 *   smtpd_check_reject(), defer_if() and log_whatsup() of smtpd_check.c:
 *   format `CODE DSN text`, fall back to a safe reply on a bad code or status,
 *   turn a 5xx into the remembered DEFER_IF_REJECT reply, apply soft_bounce,
 *   log `reject:` or `reject_warning:`, and tell the caller whether the
 *   request is rejected. reject_server_error() and reject_dict_retry()
 *   leave the restriction list at once, as smtpd's longjmp() does.
 * SEE ALSO
 *   postconf(5) (soft_bounce, smtpd_reject_footer), access(5)
 */
import type { CheckVerdict } from '../../trace/types.ts';
import type { DeferredReply, ErrorClass, SessionState } from '../state.ts';
import { dsnValid } from '../../mail/dsn.ts';
import { printable } from '../../trace/printable.ts';
import { quote822Local } from '../../search/quote.ts';

/** SMTPD_CHECK_* results; negative values are table errors (DICT_ERR_*). */
export const CHECK_DUNNO = 0;
export const CHECK_OK = 1;
export const CHECK_REJECT = 2;

/** verdictOf - the SMTPD_CHECK_* status as the trace names it (a table error is a rejection). */
export const verdictOf = (status: number): CheckVerdict => (status === CHECK_OK ? 'OK' : status === CHECK_DUNNO ? 'DUNNO' : 'REJECT');

/** The parameters a rejection reads. */
export interface RejectContext {
  softBounce: boolean;
  smtputf8: boolean;
  /** Logs a line (program postfix/smtpd). */
  info(text: string): void;
  warn(text: string): void;
}

/**
 * Thrown when smtpd would crash: a restriction class that names itself
 * recurses until the process runs out of stack and dies (signal 11).
 */
export class SmtpdCrash {
  constructor(
    readonly reason: string,
    /** Not smtpd's crash but the simulator's: its own stack ran out first (restriction classes nested thousands deep). */
    readonly simulatorLimit = false,
  ) {}
}

/** Thrown to leave a restriction list at once, as smtpd's longjmp(smtpd_check_buf). */
export class CheckAbort {
  constructor(readonly status: number) {}
}

/** Who can reject: the restriction context (Checker). */
export interface Rejecter {
  reject(errorClass: ErrorClass, code: number, dsn: string, text: string): number;
}

/** rejectServerError - `451 4.3.5 Server configuration error`, leaving the restriction list. */
export function rejectServerError(c: Rejecter): never {
  throw new CheckAbort(c.reject('software', 451, '4.3.5', 'Server configuration error'));
}

/** rejectDictRetry - `451 4.3.0 <name>: Temporary lookup failure`, leaving the restriction list. */
export function rejectDictRetry(c: Rejecter, replyName: string): never {
  throw new CheckAbort(c.reject('data', 451, '4.3.0', `<${replyName}>: Temporary lookup failure`));
}

/** The external (quoted) form Postfix logs addresses in; the null address stays empty. */
export const logForm = (address: string): string => (address === '' ? '' : quote822Local(address));

/** logWhatsup - `QUEUEID: what: WHERE from NAMADDR: text; from=<> to=<> proto= helo=<>`. */
export function logWhatsup(state: SessionState, ctx: RejectContext, whatsup: string, text: string): void {
  let line = `${state.queueId ?? 'NOQUEUE'}: ${whatsup}: ${state.where} from ${state.namaddr}: ${text};`;
  if (state.sender !== undefined) line += ` from=<${logForm(state.sender)}>`;
  if (state.recipient !== undefined) line += ` to=<${logForm(state.recipient)}>`;
  if (state.protocol) line += ` proto=${state.protocol}`;
  if (state.heloName !== undefined) line += ` helo=<${state.heloName}>`;
  ctx.info(line);
}

/** smtpdCheckReject - reject (or warn), returning CHECK_REJECT or, under warn_if_reject, CHECK_DUNNO. */
export function smtpdCheckReject(state: SessionState, ctx: RejectContext, errorClass: ErrorClass, code: number, dsn: string, text: string): number {
  const warnOnly = state.warnIfReject > 0 && errorClass !== 'software' && errorClass !== 'resource' && errorClass !== 'data';
  let reply = `${code} ${dsn} ${text}`;
  if (code < 400 || code > 599) {
    ctx.warn(`SMTP reply code configuration error: ${reply}`);
    reply = '450 4.7.1 Service unavailable';
  }
  if (!dsnValid(reply.slice(4))) {
    ctx.warn(`DSN detail code configuration error: ${reply}`);
    reply = '450 4.7.1 Service unavailable';
  }
  reply = printable(truncateUtf8(reply, 510), ctx.smtputf8, ' ');
  if (!warnOnly && state.deferIfReject.active && reply[0] === '5') {
    const d = state.deferIfReject;
    state.warnIfReject = 0;
    d.active = false;
    return smtpdCheckReject(state, ctx, d.errorClass, d.code, d.dsn, d.reason);
  }
  if (ctx.softBounce && reply[0] === '5') reply = '4' + reply.slice(1);
  // The status code class follows the reply code.
  reply = reply.slice(0, 4) + reply[0] + reply.slice(5);
  state.errorText = reply;
  logWhatsup(state, ctx, warnOnly ? 'reject_warning' : 'reject', reply);
  return warnOnly ? CHECK_DUNNO : CHECK_REJECT;
}

/** deferIf - remember the first reason for a deferred decision; the restriction itself says DUNNO. */
export function deferIf(defer: DeferredReply, errorClass: ErrorClass, code: number, dsn: string, reason: string): number {
  if (!defer.active) Object.assign(defer, { active: true, errorClass, code, dsn, reason });
  return CHECK_DUNNO;
}

/** DEFER_IF_PERMIT with a tempfail action: defer_if_permit (type 1) or defer at once (type 0, or under warn_if_reject). */
export function deferIfPermit(
  state: SessionState,
  ctx: RejectContext,
  deferNow: boolean,
  errorClass: ErrorClass,
  code: number,
  dsn: string,
  reason: string,
): number {
  if (state.warnIfReject === 0 && !deferNow) return deferIf(state.deferIfPermit, errorClass, code, dsn, reason);
  return smtpdCheckReject(state, ctx, errorClass, code, dsn, reason);
}

/** Postfix truncates the reply buffer at 510 bytes. */
function truncateUtf8(text: string, bytes: number): string {
  const enc = new TextEncoder().encode(text);
  if (enc.length <= bytes) return text;
  return new TextDecoder().decode(enc.slice(0, bytes)).replace(/\uFFFD$/, '');
}
