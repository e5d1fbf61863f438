/*
 * NAME
 *   smtpd/restrictions/client - restrictions on the client's name and address
 * DESCRIPTION
 *   reject_unknown_client_hostname (the name must resolve back to the
 *   address), reject_unknown_reverse_client_hostname (there must be a PTR
 *   name), permit_inet_interfaces, permit_mynetworks, and the access
 *   tables check_client_access (name and parents, then address and
 *   networks) and check_reverse_client_hostname_access (the unverified PTR name,
 *   which must never be answered with OK).
 * SEE ALSO
 *   postconf(5) (smtpd_client_restrictions, mynetworks), access(5)
 */
import type { Checker } from './checker.ts';
import { accessQuery, checkNamadrAccess, forbidAllowlist } from './access.ts';
import { NAME_CLIENT, NAME_REV_CLIENT } from './names.ts';
import { CHECK_DUNNO, CHECK_OK } from './reject.ts';
import { smtpdAclPermitted } from './table-result.ts';
import type { RestrictionFamily } from './types.ts';

export function rejectUnknownReverseName(c: Checker): number {
  const s = c.state;
  if (s.reverseNameStatus !== 'ok')
    return c.reject(
      'policy',
      s.reverseNameStatus === 'perm' ? c.cfg.int('unknown_client_reject_code') : 450,
      '4.7.1',
      `Client host rejected: cannot find your reverse hostname, [${s.addr}]`,
    );
  return CHECK_DUNNO;
}

export function rejectUnknownClient(c: Checker): number {
  const s = c.state;
  if (s.nameStatus !== 'ok')
    return c.reject(
      'policy',
      s.nameStatus === 'perm' || s.nameStatus === 'forged' ? c.cfg.int('unknown_client_reject_code') : 450,
      '4.7.25',
      `Client host rejected: cannot find your hostname, [${s.addr}]`,
    );
  return CHECK_DUNNO;
}

export function permitMynetworks(c: Checker): number {
  const s = c.state;
  const m = c.cfg.mynetworks.match(s.name, s.addr);
  if (c.tracing) {
    const source = c.cfg.params.source('mynetworks');
    c.step({
      kind: 'list',
      parameter: 'mynetworks',
      subject: [s.name, s.addr],
      matched: m.matched,
      ...(source && { source }),
      ...(m.trace && { trace: m.trace }),
    });
  }
  if (m.matched) {
    if (c.cfg.compat.mynetworksStyle) {
      // The new default (host only) would not have matched every client the legacy one does.
      if (!(s.addr === '127.0.0.1' || s.addr === '::1'))
        c.info(`using backwards-compatible default setting mynetworks_style=${c.cfg.str('mynetworks_style')} to permit request from client "${s.namaddr}"`);
    }
    return CHECK_OK;
  }
  if (m.error) return -1;
  return CHECK_DUNNO;
}

export const CLIENT_RESTRICTIONS: RestrictionFamily = {
  reject_unknown_client_hostname: { check: rejectUnknownClient },
  reject_unknown_client: { check: rejectUnknownClient },
  reject_unknown_reverse_client_hostname: { check: rejectUnknownReverseName },
  permit_inet_interfaces: {
    check: (c, r) => smtpdAclPermitted(c, ['127.0.0.1', '::1'].includes(c.state.addr) ? CHECK_OK : CHECK_DUNNO, r.name, NAME_CLIENT, c.state.namaddr),
  },
  permit_mynetworks: { check: (c, r) => smtpdAclPermitted(c, permitMynetworks(c), r.name, NAME_CLIENT, c.state.namaddr) },
  check_client_access: {
    arg: 'table',
    check: (c, r) => checkNamadrAccess(c, accessQuery(r, c.state.namaddr, NAME_CLIENT), c.state.name, c.state.addr),
  },
  check_reverse_client_hostname_access: {
    arg: 'table',
    check(c, r) {
      const s = c.state;
      const status = checkNamadrAccess(c, accessQuery(r, s.reverseName, NAME_REV_CLIENT), s.reverseName, s.addr);
      forbidAllowlist(c, r.name, status, s.reverseName);
      return status;
    },
  },
};
