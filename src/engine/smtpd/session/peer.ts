/*
 * NAME
 *   smtpd/session/peer - the client's host name as smtpd finds it
 * DESCRIPTION
 *   smtpd_peer's lookup: the PTR name of the address (the reverse name),
 *   kept as the verified name only when one of its addresses is the
 *   client's; otherwise the name is `unknown` with status forged (or
 *   temporary on a DNS failure). 127.0.0.1 and ::1 are `localhost`, as in
 *   /etc/hosts, unless the DNS facts say otherwise.
 * SEE ALSO
 *   smtpd(8) (smtpd_peer), postconf(5) (reject_unknown_client_hostname)
 */
import type { DnsFacts } from '../../dns/facts.ts';
import type { PeerStatus } from '../state.ts';

export interface PeerFacts {
  name: string;
  nameStatus: PeerStatus;
  reverseName: string;
  reverseNameStatus: PeerStatus;
  /** What smtpd logs when the name does not resolve back. */
  warning?: string;
}

function ptrName(addr: string): string {
  if (!addr.includes(':')) return addr.split('.').reverse().join('.') + '.in-addr.arpa';
  const full = addr.toLowerCase();
  const [h, t] = full.split('::') as [string, string | undefined];
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  const groups = t !== undefined ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
  return [...groups.map((g) => g.padStart(4, '0')).join('')].reverse().join('.') + '.ip6.arpa';
}

/** lookupPeer - name, reverse name and their statuses for a client address. */
export function lookupPeer(dns: DnsFacts, addr: string): PeerFacts {
  const ptr = dns.lookup(ptrName(addr), 'PTR');
  let name: string | undefined;
  if (ptr.status === 'retry') return { name: 'unknown', nameStatus: 'temp', reverseName: 'unknown', reverseNameStatus: 'temp' };
  if (ptr.status === 'ok') name = ptr.records[0]!.data;
  else if (addr === '127.0.0.1' || addr === '::1') name = 'localhost';
  if (name === undefined) return { name: 'unknown', nameStatus: 'perm', reverseName: 'unknown', reverseNameStatus: 'perm' };
  const forward = name === 'localhost' && dns.addresses(name) === 'notfound' ? ['127.0.0.1', '::1'] : dns.addresses(name);
  // The reverse name stands, but is not verified: the name is `unknown`, and smtpd says why.
  const unverified = (nameStatus: PeerStatus, why: string): PeerFacts => ({
    name: 'unknown',
    nameStatus,
    reverseName: name,
    reverseNameStatus: 'ok',
    warning: `hostname ${name} does not resolve to address ${addr}${why}`,
  });
  if (forward === 'retry') return unverified('temp', ': Temporary failure in name resolution');
  if (forward === 'notfound') return unverified('forged', ': Name or service not known');
  if (!forward.includes(addr.toLowerCase())) return unverified('forged', '');
  return { name, nameStatus: 'ok', reverseName: name, reverseNameStatus: 'ok' };
}
