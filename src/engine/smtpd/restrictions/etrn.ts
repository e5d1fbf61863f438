/*
 * NAME
 *   smtpd/restrictions/etrn - restrictions on the ETRN domain
 * DESCRIPTION
 *   check_etrn_access: the domain of an ETRN command, then its parent
 *   domains, in an access table.
 * SEE ALSO
 *   postconf(5) (smtpd_etrn_restrictions), ETRN_README
 */
import { domainAccess } from './access.ts';
import { NAME_ETRN } from './names.ts';
import type { RestrictionFamily } from './types.ts';

export const ETRN_RESTRICTIONS: RestrictionFamily = {
  check_etrn_access: domainAccess((c) => c.state.etrnName, NAME_ETRN),
};
