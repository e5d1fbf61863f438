/*
 * NAME
 *   smtpd/restrictions/mx-backup - permit_mx_backup: relay for domains that list this host as a backup MX
 * DESCRIPTION
 *   Final and relay destinations pass at once (as permit_auth_destination).
 *   Otherwise the recipient domain's MX records (from the DNS facts) are split
 *   into the best preference and the rest: the request passes when this host
 *   is not a primary MX but is one of the backups (by local domain name or by
 *   one of its addresses, inet_interfaces and proxy_interfaces), and, when
 *   permit_mx_backup_networks is set, every address of every primary MX lies
 *   in it. DNS trouble turns a later rejection into a deferral.
 * SEE ALSO
 *   postconf(5) (permit_mx_backup, permit_mx_backup_networks)
 */
import { ownAddresses } from '../../resolve/local.ts';
import { DEFAULT_FACTS } from '../../config/names.ts';
import { parseAddress } from '../../util/inet.ts';
import { addressError, dnsStrerror } from '../../dns/facts.ts';
import type { DnsRecord } from '../../dns/facts.ts';
import type { Checker } from './checker.ts';
import { RESOLVE_CLASS_FINAL, RESOLVE_CLASS_LOCAL, RESOLVE_CLASS_RELAY, RESOLVE_FLAG_FAIL, RESOLVE_FLAG_ROUTED } from './deps.ts';
import { CHECK_DUNNO, CHECK_OK, rejectDictRetry } from './reject.ts';
import { dnsLookup } from './trace.ts';

const key = (addr: string): string | undefined => parseAddress(addr)?.bytes.join('.');

/** hasMyAddr - does `host` resolve to one of this machine's addresses? */
function hasMyAddr(c: Checker, host: string, replyName: string, replyClass: string, own: ReadonlySet<string>): boolean {
  const addrs = c.cfg.dns.addresses(host);
  if (typeof addrs === 'string') {
    c.deferIfReject('policy', 450, '4.4.4', `<${replyName}>: ${replyClass} rejected: Unable to look up mail exchanger host ${host}: ${addressError(addrs)}`);
    return false;
  }
  return addrs.some((a) => own.has(key(a) ?? ''));
}

function iAmMx(c: Checker, mxs: readonly DnsRecord[], replyName: string, replyClass: string, own: ReadonlySet<string>): boolean {
  const classOf = c.cfg.resolveClass;
  for (const mx of mxs) if (classOf && (classOf(mx.data) & RESOLVE_CLASS_LOCAL) !== 0 && classOf(mx.data) > 0) return true;
  return mxs.some((mx) => hasMyAddr(c, mx.data, replyName, replyClass, own));
}

function allAuthMxAddr(c: Checker, host: string, replyName: string, replyClass: string): boolean {
  const a = c.cfg.dns.lookup(host, 'A');
  const aaaa = c.cfg.dns.lookup(host, 'AAAA');
  const records = [...a.records, ...aaaa.records];
  if (!records.length) {
    const why = a.status === 'retry' || aaaa.status === 'retry' ? 'Host not found, try again' : dnsStrerror(a);
    c.deferIfReject('policy', 450, '4.4.4', `<${replyName}>: ${replyClass} rejected: Unable to look up host ${host} as mail exchanger: ${why}`);
    return false;
  }
  for (const r of records) {
    const m = c.cfg.permMxNetworks.match(host, r.data);
    if (!m.matched) {
      if (m.error) {
        c.warn(`all_auth_mx_addr: permit_mx_backup_networks lookup error for address ${r.data} for ${host}`);
        c.deferIfReject('policy', 450, '4.4.4', `<${replyName}>: ${replyClass} rejected: Unable to verify host ${host} as mail exchanger`);
      }
      return false;
    }
  }
  return true;
}

/** permitMxBackup - OK when this host is a backup MX for the recipient's domain. */
export function permitMxBackup(c: Checker, recipient: string, replyName: string, replyClass: string): number {
  const reply = c.cfg.resolver.resolve(c.state.sender ?? '', recipient);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, recipient);
  const at = reply.recipient.lastIndexOf('@');
  if (at < 0) return CHECK_OK;
  const domain = reply.recipient.slice(at + 1);
  if (!c.cfg.bool('allow_untrusted_routing') && reply.flags & RESOLVE_FLAG_ROUTED) return CHECK_DUNNO;
  if (reply.flags & RESOLVE_CLASS_FINAL) return CHECK_OK;
  if (reply.flags & RESOLVE_CLASS_RELAY) return CHECK_OK;
  if (domain.startsWith('[') && domain.endsWith(']')) return CHECK_DUNNO;
  const answer = dnsLookup(c, domain, 'MX');
  if (answer.status !== 'ok') {
    if (answer.status === 'retry')
      c.deferIfReject('policy', 450, '4.4.4', `<${replyName}>: ${replyClass} rejected: Unable to look up mail exchanger information: ${dnsStrerror(answer)}`);
    return CHECK_DUNNO;
  }
  const best = answer.records[0]!.preference;
  const primaries = answer.records.filter((r) => r.preference === best);
  const backups = answer.records.filter((r) => r.preference !== best);
  const own = new Set(ownAddresses(c.cfg.params, DEFAULT_FACTS));
  if (iAmMx(c, primaries, replyName, replyClass, own)) return CHECK_DUNNO;
  if (!backups.length || !iAmMx(c, backups, replyName, replyClass, own)) return CHECK_DUNNO;
  if (c.cfg.str('permit_mx_backup_networks').trim() && !primaries.every((mx) => allAuthMxAddr(c, mx.data, replyName, replyClass))) return CHECK_DUNNO;
  return CHECK_OK;
}
