/*
 * NAME
 *   smtpd/restrictions/basic - the generic restrictions: permit, defer, reject and friends
 * DESCRIPTION
 *   The restrictions generic_checks() lists first, usable in every stage:
 *   permit, defer and reject (whatever follows them is ignored, with a
 *   warning), reject_unauth_pipelining, defer_if_permit and
 *   defer_if_reject (deferred decisions), and sleep (the client waits;
 *   the simulator only records it).
 * SEE ALSO
 *   postconf(5) (smtpd_*_restrictions, defer_code, reject_code)
 */
import type { Checker } from './checker.ts';
import { CHECK_DUNNO } from './reject.ts';
import { smtpdAclPermit } from './table-result.ts';
import type { RestrictionCall, RestrictionFamily } from './types.ts';

/** "restriction `x' after `permit' is ignored" (after defer and reject only when not under warn_if_reject). */
export function ignoredAfter(c: Checker, r: RestrictionCall, what: string, evenWhenWarning: boolean): void {
  if (r.following !== undefined && (evenWhenWarning || c.state.warnIfReject === 0)) c.warn(`restriction \`${r.following}' after \`${what}' is ignored`);
}

export const BASIC_RESTRICTIONS: RestrictionFamily = {
  permit: {
    check(c, r) {
      const status = smtpdAclPermit(c, r.name, r.replyClass, r.replyName, '');
      ignoredAfter(c, r, 'permit', true);
      return status;
    },
  },
  defer: {
    check(c, r) {
      const status = c.reject('policy', c.cfg.int('defer_code'), '4.3.2', `<${r.replyName}>: ${r.replyClass} rejected: Try again later`);
      ignoredAfter(c, r, 'defer', false);
      return status;
    },
  },
  reject: {
    check(c, r) {
      const status = c.reject('policy', c.cfg.int('reject_code'), '5.7.1', `<${r.replyName}>: ${r.replyClass} rejected: Access denied`);
      ignoredAfter(c, r, 'reject', false);
      return status;
    },
  },
  reject_unauth_pipelining: {
    check: (c, r) =>
      c.state.illegalPipelining
        ? c.reject('protocol', 503, '5.5.0', `<${r.replyName}>: ${r.replyClass} rejected: Improper use of SMTP command pipelining`)
        : CHECK_DUNNO,
  },
  defer_if_permit: {
    check: (c, r) => c.deferIfPermit(false, 'policy', 450, '4.7.0', `<${r.replyName}>: ${r.replyClass} rejected: defer_if_permit requested`),
  },
  defer_if_reject: {
    check: (c, r) => c.deferIfReject('policy', 450, '4.7.0', `<${r.replyName}>: ${r.replyClass} rejected: defer_if_reject requested`),
  },
  // The client would wait `arg` seconds; the simulator does not.
  sleep: { arg: 'number', check: () => CHECK_DUNNO },
};
