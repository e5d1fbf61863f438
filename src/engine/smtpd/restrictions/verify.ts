/*
 * NAME
 *   smtpd/restrictions/verify - reject_unverified_sender and reject_unverified_recipient
 * DESCRIPTION
 *   reject_unverified_address(): what the verify(8) service knows about an
 *   address, from the verify facts (no fact: a probe is in progress). An
 *   undeliverable address is rejected with unverified_*_reject_code, a
 *   deferred or unknown one with unverified_*_defer_code (as a
 *   DEFER_IF_PERMIT unless unverified_*_tempfail_action = defer).
 * SEE ALSO
 *   ADDRESS_VERIFICATION_README, postconf(5) (unverified_recipient_reject_code, ...)
 */
import { SENDER_DSN } from '../../mail/dsn.ts';
import type { Checker } from './checker.ts';
import { NAME_RECIPIENT, NAME_SENDER } from './names.ts';
import { CHECK_DUNNO } from './reject.ts';

/** rejectUnverifiedAddress - the verify service's answer, from the facts. */
export function rejectUnverifiedAddress(
  c: Checker,
  addr: string,
  replyName: string,
  replyClass: string,
  dcode: number,
  rcode: number,
  deferNow: boolean,
  altReply: string,
): number {
  const fact = c.cfg.facts.verify.get(addr.toLowerCase());
  if (c.tracing)
    c.step({
      kind: 'fact',
      fact: 'verify',
      address: addr,
      status: fact ? fact.status : 'pending',
      ...(fact?.text && { text: fact.text }),
      ...(fact && { source: { file: c.cfg.facts.file, line: fact.line } }),
    });
  const dsnDefault = replyClass === NAME_SENDER ? SENDER_DSN : '4.1.1';
  let code = 0;
  let why = fact?.text ?? 'Address verification in progress';
  if (!fact || fact.status === 'deferred') code = dcode;
  else if (fact.status === 'undeliverable') code = rcode;
  if (code >= 400 && altReply) why = altReply;
  if (Math.floor(code / 100) === 4)
    return c.deferIfPermit(deferNow, 'policy', code, dsnDefault, `<${replyName}>: ${replyClass} rejected: unverified address: ${why.slice(0, 250)}`);
  if (code >= 500) return c.reject('policy', code, dsnDefault, `<${replyName}>: ${replyClass} rejected: undeliverable address: ${why}`);
  return CHECK_DUNNO;
}

/** The parameters of reject_unverified_sender and reject_unverified_recipient. */
const UNVERIFIED = {
  sender: {
    replyClass: NAME_SENDER,
    deferCode: 'unverified_sender_defer_code',
    rejectCode: 'unverified_sender_reject_code',
    deferNow: 'unverifiedFrom',
    reason: 'unverified_sender_reject_reason',
  },
  recipient: {
    replyClass: NAME_RECIPIENT,
    deferCode: 'unverified_recipient_defer_code',
    rejectCode: 'unverified_recipient_reject_code',
    deferNow: 'unverifiedRcpt',
    reason: 'unverified_recipient_reject_reason',
  },
} as const;

/** rejectUnverified - reject_unverified_sender/_recipient for `addr` (nothing to check when empty or absent). */
export function rejectUnverified(c: Checker, addr: string | undefined, who: keyof typeof UNVERIFIED): number {
  if (!addr) return CHECK_DUNNO;
  const u = UNVERIFIED[who];
  return rejectUnverifiedAddress(
    c,
    addr,
    addr,
    u.replyClass,
    c.cfg.int(u.deferCode),
    c.cfg.int(u.rejectCode),
    c.cfg.tempfailDeferNow[u.deferNow],
    c.cfg.str(u.reason),
  );
}
