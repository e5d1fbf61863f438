/*
 * NAME
 *   smtpd/restrictions/domains - host names, host addresses and mail domains: syntax and existence
 * DESCRIPTION
 *   reject_invalid_hostaddr, reject_invalid_hostname, reject_non_fqdn_hostname
 *   and reject_unknown_hostname (a HELO name needs an A, AAAA or MX record)
 *   for HELO; reject_non_fqdn_address, reject_unknown_address (a resolved
 *   address whose destination is not final needs a domain with an MX, A or
 *   AAAA record and no null MX) for senders and recipients. DNS answers
 *   come from the DNS facts; a temporary failure defers as the
 *   *_tempfail_action parameters say.
 * SEE ALSO
 *   postconf(5) (reject_unknown_helo_hostname, reject_unknown_sender_domain, ...)
 */
import { validHostaddr, validHostname, validMailhostAddr } from '../../mail/valid-hostname.ts';
import type { Checker } from './checker.ts';
import { RESOLVE_CLASS_FINAL, RESOLVE_FLAG_FAIL } from './deps.ts';
import { NAME_SENDER } from './names.ts';
import { CHECK_DUNNO, rejectDictRetry } from './reject.ts';
import { dnsLookup } from './trace.ts';

/** Names ending in one dot (not two) are looked at without it. */
const truncateDot = (name: string): string => (name.length > 1 && name.endsWith('.') && !name.endsWith('..') ? name.slice(0, -1) : name);

export function rejectInvalidHostaddr(c: Checker, addr: string, replyName: string, replyClass: string): number {
  const test = addr.startsWith('[') && addr.length > 2 && addr.endsWith(']') ? addr.slice(1, -1) : addr;
  if (validMailhostAddr(test) === undefined)
    return c.reject('policy', c.cfg.int('invalid_hostname_reject_code'), '5.5.2', `<${replyName}>: ${replyClass} rejected: invalid ip address`);
  return CHECK_DUNNO;
}

export function rejectInvalidHostname(c: Checker, name: string, replyName: string, replyClass: string): number {
  const test = truncateDot(name);
  if (!validHostname(test) && !validHostaddr(test))
    return c.reject('policy', c.cfg.int('invalid_hostname_reject_code'), '5.5.2', `<${replyName}>: ${replyClass} rejected: Invalid name`);
  return CHECK_DUNNO;
}

const validUtf8Hostname = (c: Checker, name: string): boolean =>
  validHostname(name) || (c.cfg.bool('smtputf8_enable') && /[^\x00-\x7f]/.test(name) && validHostname(name.replace(/[^\x00-\x7f]/g, 'x')));

export function rejectNonFqdnHostname(c: Checker, name: string, replyName: string, replyClass: string): number {
  const test = truncateDot(name);
  if (!validUtf8Hostname(c, test) || !test.includes('.'))
    return c.reject('policy', c.cfg.int('non_fqdn_reject_code'), '5.5.2', `<${replyName}>: ${replyClass} rejected: need fully-qualified hostname`);
  return CHECK_DUNNO;
}

export function rejectNonFqdnAddress(c: Checker, addr: string, replyName: string, replyClass: string): number {
  const at = addr.lastIndexOf('@');
  const domain = at >= 0 ? addr.slice(at + 1) : '';
  if (domain.startsWith('[') && domain.endsWith(']')) return CHECK_DUNNO;
  const test = truncateDot(domain);
  if (!test || !validUtf8Hostname(c, test) || !test.includes('.'))
    return c.reject('policy', c.cfg.int('non_fqdn_reject_code'), '4.5.2', `<${replyName}>: ${replyClass} rejected: need fully-qualified address`);
  return CHECK_DUNNO;
}

/** rejectUnknownHostname - a HELO name needs an A, AAAA or MX record. */
export function rejectUnknownHostname(c: Checker, name: string, replyName: string, replyClass: string): number {
  const answers = (['A', 'AAAA', 'MX'] as const).map((t) => dnsLookup(c, name, t));
  if (answers.some((a) => a.status === 'ok' || a.status === 'nullmx')) return CHECK_DUNNO;
  if (answers.some((a) => a.status === 'retry'))
    return c.deferIfPermit(c.cfg.tempfailDeferNow.unknownName, 'policy', 450, '4.7.1', `<${replyName}>: ${replyClass} rejected: Host not found`);
  return c.reject('policy', c.cfg.int('unknown_hostname_reject_code'), '4.7.1', `<${replyName}>: ${replyClass} rejected: Host not found`);
}

/** rejectUnknownMailhost - a mail domain needs an MX, A or AAAA record, and no null MX. */
export function rejectUnknownMailhost(c: Checker, name: string, replyName: string, replyClass: string): number {
  const sender = replyClass === NAME_SENDER;
  let status = dnsLookup(c, name, 'MX').status;
  if (status === 'notfound') {
    const a = [dnsLookup(c, name, 'A'), dnsLookup(c, name, 'AAAA')];
    status = a.some((x) => x.status === 'ok') ? 'ok' : a.some((x) => x.status === 'retry') ? 'retry' : 'notfound';
  }
  if (status === 'ok') return CHECK_DUNNO;
  if (status === 'nullmx')
    return c.reject(
      'policy',
      sender ? 550 : 556,
      sender ? '4.7.27' : '4.1.10',
      `<${replyName}>: ${replyClass} rejected: Domain ${name} does not accept mail (nullMX)`,
    );
  if (status === 'retry')
    return c.deferIfPermit(
      c.cfg.tempfailDeferNow.unknownAddr,
      'policy',
      450,
      sender ? '4.1.8' : '4.1.2',
      `<${replyName}>: ${replyClass} rejected: Domain not found`,
    );
  return c.reject('policy', c.cfg.int('unknown_address_reject_code'), sender ? '4.1.8' : '4.1.2', `<${replyName}>: ${replyClass} rejected: Domain not found`);
}

/** rejectUnknownAddress - resolve; final and literal destinations pass; others need DNS. */
export function rejectUnknownAddress(c: Checker, addr: string, replyName: string, replyClass: string): number {
  const s = c.state;
  const reply = c.cfg.resolver.resolve((replyClass === NAME_SENDER ? s.recipient : s.sender) ?? '', addr);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, addr);
  const at = reply.recipient.lastIndexOf('@');
  if (at < 0) return CHECK_DUNNO;
  const domain = reply.recipient.slice(at + 1);
  if (reply.flags & RESOLVE_CLASS_FINAL) return CHECK_DUNNO;
  if (domain.startsWith('[') && domain.endsWith(']')) return CHECK_DUNNO;
  return rejectUnknownMailhost(c, domain, replyName, replyClass);
}
