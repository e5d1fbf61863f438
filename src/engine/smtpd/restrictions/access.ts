/*
 * NAME
 *   smtpd/restrictions/access - the access table searches of smtpd_check.c
 * DESCRIPTION
 *   check_access (one key), check_domain_access (a host name, then its
 *   parent domains as smtpd_access_maps in parent_domain_matches_subdomains
 *   says), check_addr_access (an address, then its shorter networks),
 *   check_namadr_access (name first, then address) and check_mail_access
 *   (a resolved address: user+ext@domain, user@domain, domain and
 *   parents, user@). The first answer goes to check_table_result(); a
 *   table that fails answers "451 4.3.5 Server configuration error".
 * SEE ALSO
 *   access(5), postconf(5) (parent_domain_matches_subdomains)
 */
import { validHostaddr } from '../../mail/valid-hostname.ts';
import type { Checker } from './checker.ts';
import {
  MA_FIND_DOMAIN,
  MA_FIND_FULL,
  MA_FIND_LOCALPART_AT,
  MA_FIND_NOEXT,
  MA_FIND_PDDMDS,
  MA_FIND_PDMS,
  RESOLVE_FLAG_FAIL,
  RESOLVE_FLAG_ROUTED,
} from './deps.ts';
import type { AccessMaps, MapsAnswer } from './deps.ts';
import { NAME_RECIPIENT, NAME_SENDER } from './names.ts';
import { CHECK_DUNNO, CHECK_OK, rejectDictRetry, rejectServerError } from './reject.ts';
import { checkTableResult } from './table-result.ts';
import { recordLookups } from './trace.ts';
import type { AccessQuery, RestrictionCall, RestrictionEntry } from './types.ts';

/** accessQuery - the query of a `type:table` restriction. */
export const accessQuery = (r: RestrictionCall, replyName: string, replyClass: string): AccessQuery => ({
  table: r.arg,
  replyName,
  replyClass,
  defAcl: r.defAcl,
});

/** The result of one access check, and whether any key was found. */
export interface AccessOutcome {
  status: number;
  found: boolean;
}

function mapsOf(c: Checker, table: string): AccessMaps | undefined {
  const maps = c.cfg.maps.get(table);
  if (!maps) c.warn(`check_access: unexpected dictionary: ${table}`);
  return maps;
}

/** A table search that failed: Postfix answers "451 4.3.5 Server configuration error" through the table result. */
const SERVER_ERROR_VALUE = '451 4.3.5 Server configuration error';

/** The search found nothing (yet). */
const NOT_FOUND: AccessOutcome = { status: CHECK_DUNNO, found: false };

/** answered - what a found value, or a failed table (`value` undefined), does. */
function answered(c: Checker, q: AccessQuery, value: string | undefined, datum: string): AccessOutcome {
  return { status: checkTableResult(c, q, value ?? SERVER_ERROR_VALUE, datum), found: true };
}

/** The outcome of one lookup: answered when found or failed, undefined to go on searching. */
function lookupOutcome(c: Checker, q: AccessQuery, answer: MapsAnswer, datum: string): AccessOutcome | undefined {
  recordLookups(c, answer);
  if (answer.status === 'notfound') return undefined;
  return answered(c, q, answer.status === 'found' ? answer.value! : undefined, datum);
}

/** checkAccess - one key, no search magic. */
export function checkAccess(c: Checker, q: AccessQuery, name: string, partial: boolean): AccessOutcome {
  const maps = mapsOf(c, q.table);
  if (!maps) return answered(c, q, undefined, name);
  return lookupOutcome(c, q, maps.find(name, partial), name) ?? NOT_FOUND;
}

/** checkDomainAccess - the name, then its parent domains (`.parent` or `parent` per smtpd_access_maps style). */
export function checkDomainAccess(c: Checker, q: AccessQuery, domain: string, partial: boolean): AccessOutcome {
  const maps = mapsOf(c, q.table);
  if (!maps) return answered(c, q, undefined, domain);
  let name = domain;
  let maybeNumerical = true;
  let fixedOnly = partial;
  while (name !== '') {
    const outcome = lookupOutcome(c, q, maps.find(name, fixedOnly), domain);
    if (outcome) return outcome;
    // No subdomain magic for numerical host names.
    if (maybeNumerical && (maybeNumerical = validHostaddr(domain))) break;
    const dot = name.indexOf('.', 1);
    if (dot < 0) break;
    name = c.cfg.accessParentStyle ? name.slice(dot + 1) : name.slice(dot);
    fixedOnly = true;
  }
  return NOT_FOUND;
}

/** checkAddrAccess - the address, then its shorter networks (octets for IPv4, fields for IPv6). */
export function checkAddrAccess(c: Checker, q: AccessQuery, address: string, partial: boolean): AccessOutcome {
  const maps = mapsOf(c, q.table);
  if (!maps) return answered(c, q, undefined, address);
  const delim = address.includes(':') ? ':' : '.';
  let addr = address;
  let fixedOnly = partial;
  for (;;) {
    const outcome = lookupOutcome(c, q, maps.find(addr, fixedOnly), address);
    if (outcome) return outcome;
    fixedOnly = true;
    const cut = addr.lastIndexOf(delim);
    if (cut < 0) break;
    addr = addr.slice(0, cut);
  }
  return NOT_FOUND;
}

/** checkNamadrAccess - the host name (and parents), then the address (and networks). */
export function checkNamadrAccess(c: Checker, q: AccessQuery, name: string, addr: string): number {
  const byName = checkDomainAccess(c, q, name, false);
  if (byName.status !== 0 || byName.found) return byName.status;
  return checkAddrAccess(c, q, addr, false).status;
}

/** checkMailAccess - a sender or recipient: resolve it, then search user+ext@domain, user@domain, domain, parents, user@. */
export function checkMailAccess(c: Checker, q: AccessQuery, addr: string): AccessOutcome {
  const s = c.state;
  const reply = c.cfg.resolver.resolve((q.replyClass === NAME_SENDER ? s.recipient : s.sender) ?? '', addr);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, addr);
  if (!reply.recipient.includes('@')) {
    c.warn(`check_mail_access: no @domain in address: ${reply.recipient}`);
    return NOT_FOUND;
  }
  const maps = mapsOf(c, q.table);
  if (!maps) return answered(c, q, undefined, reply.recipient);
  const strategy = MA_FIND_FULL | MA_FIND_NOEXT | MA_FIND_DOMAIN | MA_FIND_LOCALPART_AT | (c.cfg.accessParentStyle ? MA_FIND_PDMS : MA_FIND_PDDMDS);
  const outcome = lookupOutcome(c, q, c.cfg.resolver.addrFind(maps, reply.recipient, strategy), reply.recipient);
  if (!outcome) return NOT_FOUND;
  // A source-routed recipient is too suspicious for OK.
  const suspicious = !c.cfg.bool('allow_untrusted_routing') && (reply.flags & RESOLVE_FLAG_ROUTED) !== 0 && q.replyClass === NAME_RECIPIENT;
  return outcome.status === CHECK_OK && suspicious ? { status: CHECK_DUNNO, found: true } : outcome;
}

/** forbidAllowlist - an access table must not answer OK for a name the client controls (forbid_allowlist). */
export function forbidAllowlist(c: Checker, name: string, status: number, target: string): void {
  if (!c.state.discard && status === CHECK_OK) {
    c.warn(`restriction ${name} returns OK for ${target}`);
    c.warn('this is not allowed for security reasons');
    c.warn('use DUNNO instead of OK if you want to make an exception');
    rejectServerError(c);
  }
}

/** domainAccess - a `type:table` restriction on a host or domain name of the session (nothing to check without one). */
export function domainAccess(subject: (c: Checker) => string | undefined, replyClass: string): RestrictionEntry {
  return {
    arg: 'table',
    check(c, r) {
      const name = subject(c);
      return name !== undefined ? checkDomainAccess(c, accessQuery(r, name, replyClass), name, false).status : CHECK_DUNNO;
    },
  };
}
