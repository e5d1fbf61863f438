/*
 * NAME
 *   smtpd/restrictions/etrn - restrictions on the ETRN domain
 * DESCRIPTION
 *   check_etrn_access: the domain of an ETRN command, then its parent
 *   domains, in an access table.
 * SEE ALSO
 *   postconf(5) (smtpd_etrn_restrictions), ETRN_README
 */
import { checkDomainAccess } from './access.ts';
import { NAME_ETRN } from './names.ts';
import { CHECK_DUNNO } from './reject.ts';
import type { RestrictionFamily } from './types.ts';

export const ETRN_RESTRICTIONS: RestrictionFamily = {
  check_etrn_access: {
    arg: 'table',
    check: (c, r) => {
      const domain = c.state.etrnName;
      return domain !== undefined ? checkDomainAccess(c, r.arg, domain, false, domain, NAME_ETRN, r.defAcl).status : CHECK_DUNNO;
    },
  },
};
