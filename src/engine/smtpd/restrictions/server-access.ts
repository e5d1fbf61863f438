/*
 * NAME
 *   smtpd/restrictions/server-access - access by the MX, NS or A hosts of a name
 * DESCRIPTION
 *   check_{client,reverse_client_hostname,helo,sender,recipient}_{mx,ns,a}_access
 *   (check_server_access() of smtpd_check.c): the mail exchangers, name
 *   servers or addresses of the subject's domain are looked up in an access
 *   table, each by name and by address. Without MX records the domain is
 *   its own MX; without NS records the parent domains are tried. An access
 *   table must not answer OK here: the subject chose its own servers.
 *   Answers come from the DNS facts.
 * SEE ALSO
 *   postconf(5) (check_client_mx_access, ...), access(5)
 */
import { validHostaddr, validMailhostAddr } from '../../mail/valid-hostname.ts';
import type { RecordType } from '../../dns/facts.ts';
import { addressError, dnsStrerror } from '../../dns/facts.ts';
import type { Checker } from './checker.ts';
import { accessQuery, checkAddrAccess, checkDomainAccess, forbidAllowlist } from './access.ts';
import type { AccessQuery } from './types.ts';
import { NAME_CLIENT, NAME_HELO, NAME_RECIPIENT, NAME_REV_CLIENT, NAME_SENDER } from './names.ts';
import { CHECK_DUNNO } from './reject.ts';
import { traceDns } from './trace.ts';
import type { RestrictionEntry, RestrictionFamily } from './types.ts';

/** checkServerAccess - look up the MX, NS or A hosts of a domain, by name then address. */
export function checkServerAccess(c: Checker, q: AccessQuery, name: string, type: RecordType): number {
  const at = name.lastIndexOf('@');
  const domain = at >= 0 ? name.slice(at + 1) : name;
  if (domain.startsWith('[')) {
    if (type !== 'A' && type !== 'MX') return CHECK_DUNNO;
    if (!domain.endsWith(']')) return CHECK_DUNNO;
    const bare = validMailhostAddr(domain.slice(1, -1));
    if (bare === undefined) return CHECK_DUNNO;
    return checkAddrAccess(c, q, bare, false).status;
  }
  let servers: string[];
  if (type === 'A' || type === 'AAAA') {
    servers = [domain];
  } else {
    let answer = c.cfg.dns.lookup(domain, type);
    // Where the warning names the lookup: the domain, or the whole name when a parent walk ran out.
    let shown: string | undefined = domain;
    if (answer.status === 'nullmx') return CHECK_DUNNO;
    if (answer.status === 'notfound') {
      if (type === 'MX') answer = { status: 'ok', records: [{ name: domain, type: 'MX', data: domain }] };
      else if (type === 'NS') {
        let d = domain;
        shown = undefined;
        for (let dot = d.indexOf('.'); dot >= 0 && dot + 1 < d.length; dot = d.indexOf('.')) {
          d = d.slice(dot + 1);
          answer = c.cfg.dns.lookup(d, type);
          if (answer.status !== 'notfound') {
            shown = d;
            break;
          }
        }
      }
    }
    traceDns(c, shown ?? domain, type, answer);
    if (answer.status !== 'ok') {
      c.warn(`Unable to look up ${type} host for ${shown ?? name}: ${dnsStrerror(answer)}`);
      return CHECK_DUNNO;
    }
    servers = answer.records.map((r) => r.data);
  }
  for (const server of servers) {
    if (validHostaddr(server)) {
      const r = checkAddrAccess(c, q, server, false);
      if (r.status !== 0 || r.found) return r.status;
      continue;
    }
    if (type !== 'A' && type !== 'AAAA') {
      const r = checkDomainAccess(c, q, server, false);
      if (r.status !== 0 || r.found) return r.status;
    }
    const addrs = c.cfg.dns.addresses(server);
    if (typeof addrs === 'string') {
      if (type !== 'A' && type !== 'AAAA') c.warn(`Unable to look up ${type} host ${server} for ${q.replyClass} ${q.replyName}: ${addressError(addrs)}`);
      continue;
    }
    for (const a of addrs) {
      const r = checkAddrAccess(c, q, a, false);
      if (r.status !== 0 || r.found) return r.status;
    }
  }
  return CHECK_DUNNO;
}

/** Whose domain a server access restriction looks at: the subject, and the reply name and class. */
interface Subject {
  target(c: Checker): string | undefined;
  replyName(c: Checker, target: string): string;
  replyClass: string;
}

const known = (name: string): string | undefined => (name.toLowerCase() === 'unknown' ? undefined : name);
const itself = (_c: Checker, target: string): string => target;

/** Keyed by the word of the restriction's name: check_<who>_{ns,mx,a}_access. */
const SUBJECTS: Readonly<Record<string, Subject>> = {
  client: { target: (c) => known(c.state.name), replyName: (c) => c.state.namaddr, replyClass: NAME_CLIENT },
  reverse_client_hostname: { target: (c) => known(c.state.reverseName), replyName: itself, replyClass: NAME_REV_CLIENT },
  helo: { target: (c) => c.state.heloName, replyName: itself, replyClass: NAME_HELO },
  sender: { target: (c) => c.state.sender || undefined, replyName: itself, replyClass: NAME_SENDER },
  recipient: { target: (c) => c.state.recipient || undefined, replyName: itself, replyClass: NAME_RECIPIENT },
};

function serverAccess(subject: Subject, type: RecordType): RestrictionEntry {
  return {
    arg: 'table',
    check(c, r) {
      const target = subject.target(c);
      if (target === undefined) return CHECK_DUNNO;
      const status = checkServerAccess(c, accessQuery(r, subject.replyName(c, target), subject.replyClass), target, type);
      forbidAllowlist(c, r.name, status, target);
      return status;
    },
  };
}

export const SERVER_ACCESS_RESTRICTIONS: RestrictionFamily = Object.fromEntries(
  Object.entries(SUBJECTS).flatMap(([who, subject]) =>
    (['NS', 'MX', 'A'] as const).map((type) => [`check_${who}_${type.toLowerCase()}_access`, serverAccess(subject, type)]),
  ),
);
