/*
 * NAME
 *   smtpd/restrictions/relay - relay control: is the recipient's destination ours to accept?
 * DESCRIPTION
 *   permit_auth_destination(): the recipient resolves (through
 *   trivial-rewrite) to a final destination (local, virtual alias, virtual
 *   mailbox) or to relay_domains; a source-routed address is not trusted
 *   unless allow_untrusted_routing = yes. reject_unauth_destination and
 *   defer_unauth_destination reject what it does not permit;
 *   check_relay_domains (obsolete) also permits clients in relay_domains.
 * SEE ALSO
 *   postconf(5) (smtpd_relay_restrictions, relay_domains), ADDRESS_CLASS_README
 */
import type { Checker } from './checker.ts';
import { RESOLVE_CLASS_FINAL, RESOLVE_CLASS_RELAY, RESOLVE_FLAG_FAIL, RESOLVE_FLAG_ROUTED } from './deps.ts';
import { CHECK_DUNNO, CHECK_OK, rejectDictRetry } from './reject.ts';
import { traceResolve } from './trace.ts';

/** permitAuthDestination - final delivery or relay_domains; routed addresses are not trusted. */
export function permitAuthDestination(c: Checker, recipient: string): number {
  const reply = c.cfg.resolver.resolve(c.state.sender ?? '', recipient);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, recipient);
  const at = reply.recipient.lastIndexOf('@');
  traceResolve(c, recipient, reply);
  if (at < 0) return CHECK_OK;
  if (!c.cfg.bool('allow_untrusted_routing') && reply.flags & RESOLVE_FLAG_ROUTED) return CHECK_DUNNO;
  if (reply.flags & RESOLVE_CLASS_FINAL) return CHECK_OK;
  if (reply.flags & RESOLVE_CLASS_RELAY) {
    if (c.cfg.compat.relayDomains)
      c.info(`using backwards-compatible default setting relay_domains=$mydestination to accept mail for domain "${reply.recipient.slice(at + 1)}"`);
    return CHECK_OK;
  }
  return CHECK_DUNNO;
}

export function rejectUnauthDestination(c: Checker, recipient: string, code: number, dsn: string): number {
  if (permitAuthDestination(c, recipient) === CHECK_OK) return CHECK_DUNNO;
  return c.reject('policy', code, dsn, `<${recipient}>: Relay access denied`);
}

export function checkRelayDomains(c: Checker, recipient: string, replyName: string, replyClass: string): number {
  c.warn('support for restriction "check_relay_domains" will be removed from Postfix; use "reject_unauth_destination" instead');
  if (c.cfg.relayDomains.match(c.state.name).matched) return CHECK_OK;
  if (permitAuthDestination(c, recipient) === CHECK_OK) return CHECK_OK;
  return c.reject('policy', c.cfg.int('relay_domains_reject_code'), '5.7.1', `<${replyName}>: ${replyClass} rejected: Relay access denied`);
}
