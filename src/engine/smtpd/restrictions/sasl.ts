/*
 * NAME
 *   smtpd/restrictions/sasl - restrictions on the SASL login
 * DESCRIPTION
 *   permit_sasl_authenticated, check_sasl_access (the login name in an
 *   access table), and the sender ownership tests over
 *   smtpd_sender_login_maps: reject_authenticated_sender_login_mismatch (a
 *   logged-in client must own the sender), reject_known_sender_login_mismatch
 *   (only senders the table knows), reject_unauthenticated_sender_login_mismatch
 *   (an owned sender needs a login). reject_sender_login_mismatch is a
 *   built-in restriction class of the first and the last. Without
 *   smtpd_sasl_auth_enable they are warned about and do nothing. The
 *   simulator takes the login from XCLIENT LOGIN=.
 * SEE ALSO
 *   SASL_README, postconf(5) (smtpd_sender_login_maps)
 */
import { splitList } from '../../util/lists.ts';
import type { Checker } from './checker.ts';
import { accessQuery, checkAccess } from './access.ts';
import { MA_FIND_DEFAULT, RESOLVE_FLAG_FAIL } from './deps.ts';
import type { MapsAnswer } from './deps.ts';
import { NAME_CLIENT, NAME_SASL_USER } from './names.ts';
import { CHECK_DUNNO, rejectDictRetry } from './reject.ts';
import { smtpdAclPermit } from './table-result.ts';
import { traceLookups } from './trace.ts';
import type { RestrictionCall, RestrictionEntry, RestrictionFamily } from './types.ts';
import { saslActive } from '../tls-sasl.ts';

/** The owners smtpd_sender_login_maps gives for the (resolved) sender. */
function senderOwners(c: Checker, sender: string): MapsAnswer | undefined {
  const maps = c.cfg.senderLoginMaps;
  if (!maps) return undefined;
  const reply = c.cfg.resolver.resolve(c.state.recipient ?? '', sender);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, sender);
  const answer = c.cfg.resolver.addrFind(maps, reply.recipient, MA_FIND_DEFAULT);
  traceLookups(c, answer);
  if (answer.status === 'error') rejectDictRetry(c, sender);
  return answer;
}

/** rejectAuthSenderLoginMismatch - a logged-in client must own the sender address. */
export function rejectAuthSenderLoginMismatch(c: Checker, sender: string, allowUnknown: boolean): number {
  const login = c.state.saslUsername;
  if (!c.cfg.senderLoginMaps || login === undefined) return CHECK_DUNNO;
  const answer = senderOwners(c, sender)!;
  let found = false;
  if (answer.status === 'found') {
    found = splitList(answer.value!).some((owner) => owner.toLowerCase() === login.toLowerCase());
  } else if (allowUnknown) return CHECK_DUNNO;
  if (!found) return c.reject('policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not owned by user ${login}`);
  return CHECK_DUNNO;
}

/** rejectUnauthSenderLoginMismatch - an owned sender address needs a logged-in client. */
export function rejectUnauthSenderLoginMismatch(c: Checker, sender: string): number {
  if (!c.cfg.senderLoginMaps || c.state.saslUsername !== undefined) return CHECK_DUNNO;
  if (senderOwners(c, sender)!.status === 'found') return c.reject('policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not logged in`);
  return CHECK_DUNNO;
}

/** A restriction that needs SASL: without smtpd_sasl_auth_enable it is warned about and does nothing. */
const withSasl = (check: (c: Checker, r: RestrictionCall) => number, arg?: 'table'): RestrictionEntry => ({
  ...(arg && { arg }),
  check(c, r) {
    if (!c.cfg.bool('smtpd_sasl_auth_enable')) {
      c.warn(`restriction \`${r.name}' ignored: no SASL support`);
      return CHECK_DUNNO;
    }
    return check(c, r);
  },
});

/** A sender ownership test (nothing to test for the null sender). */
const loginMismatch = (test: (c: Checker, sender: string) => number): RestrictionEntry =>
  withSasl((c) => (c.state.sender ? test(c, c.state.sender) : CHECK_DUNNO));

export const SASL_RESTRICTIONS: RestrictionFamily = {
  // Only when SASL is active in the session (smtpd_tls_auth_only without TLS: it is not).
  permit_sasl_authenticated: {
    check: (c, r) =>
      saslActive(c.cfg.bool('smtpd_sasl_auth_enable'), c.cfg.tls, c.state) && c.state.saslUsername !== undefined
        ? smtpdAclPermit(c, r.name, NAME_CLIENT, c.state.namaddr, '')
        : CHECK_DUNNO,
  },
  check_sasl_access: withSasl((c, r) => {
    const login = c.state.saslUsername;
    return login ? checkAccess(c, accessQuery(r, login, NAME_SASL_USER), login, false).status : CHECK_DUNNO;
  }, 'table'),
  reject_authenticated_sender_login_mismatch: loginMismatch((c, sender) => rejectAuthSenderLoginMismatch(c, sender, false)),
  reject_unauthenticated_sender_login_mismatch: loginMismatch(rejectUnauthSenderLoginMismatch),
  reject_known_sender_login_mismatch: loginMismatch((c, sender) =>
    c.state.saslUsername !== undefined ? rejectAuthSenderLoginMismatch(c, sender, true) : rejectUnauthSenderLoginMismatch(c, sender),
  ),
};

/** Restriction classes smtpd_check_init() defines itself. */
export const SASL_CLASSES: Readonly<Record<string, readonly string[]>> = {
  reject_sender_login_mismatch: ['reject_authenticated_sender_login_mismatch', 'reject_unauthenticated_sender_login_mismatch'],
};
