/*
 * NAME
 *   smtpd/restrictions/helo - restrictions on the HELO/EHLO name
 * DESCRIPTION
 *   check_helo_access (the name and its parent domains), and the syntax
 *   and DNS tests: reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname,
 *   reject_unknown_helo_hostname (an address literal `[...]` is checked as
 *   an address by all three), and the deprecated permit_naked_ip_address.
 *   Without HELO there is nothing to check.
 * SEE ALSO
 *   postconf(5) (smtpd_helo_restrictions, smtpd_helo_required)
 */
import type { Checker } from './checker.ts';
import { domainAccess } from './access.ts';
import { rejectInvalidHostaddr, rejectInvalidHostname, rejectNonFqdnHostname, rejectUnknownHostname } from './domains.ts';
import { NAME_HELO } from './names.ts';
import { CHECK_DUNNO } from './reject.ts';
import { smtpdAclPermit } from './table-result.ts';
import type { RestrictionEntry, RestrictionFamily } from './types.ts';

/** A test of the HELO name; an address literal is tested as an address. */
function heloNameTest(test: (c: Checker, name: string, replyName: string, replyClass: string) => number): RestrictionEntry {
  return {
    check(c) {
      const helo = c.state.heloName;
      if (helo === undefined) return CHECK_DUNNO;
      return helo.startsWith('[') ? rejectInvalidHostaddr(c, helo, helo, NAME_HELO) : test(c, helo, helo, NAME_HELO);
    },
  };
}

const invalid = heloNameTest(rejectInvalidHostname);
const unknown = heloNameTest(rejectUnknownHostname);
const nonFqdn = heloNameTest(rejectNonFqdnHostname);

export const HELO_RESTRICTIONS: RestrictionFamily = {
  check_helo_access: domainAccess((c) => c.state.heloName, NAME_HELO),
  reject_invalid_helo_hostname: invalid,
  reject_invalid_hostname: invalid,
  reject_unknown_helo_hostname: unknown,
  reject_unknown_hostname: unknown,
  reject_non_fqdn_helo_hostname: nonFqdn,
  reject_non_fqdn_hostname: nonFqdn,
  permit_naked_ip_address: {
    check(c, r) {
      c.warn('restriction permit_naked_ip_address is deprecated. Use permit_mynetworks or permit_sasl_authenticated instead');
      const helo = c.state.heloName;
      let status = CHECK_DUNNO;
      if (helo !== undefined && /^[0-9.:]*$/.test(helo) && (status = rejectInvalidHostaddr(c, helo, helo, NAME_HELO)) === 0)
        status = smtpdAclPermit(c, r.name, NAME_HELO, helo, '');
      return status;
    },
  },
};
