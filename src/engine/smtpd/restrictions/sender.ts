/*
 * NAME
 *   smtpd/restrictions/sender - restrictions on the MAIL FROM address
 * DESCRIPTION
 *   check_sender_access (the resolved address, its domain and parents;
 *   the null sender as smtpd_null_access_lookup_key), and
 *   reject_unknown_sender_domain, reject_non_fqdn_sender,
 *   reject_unlisted_sender and reject_unverified_sender. The null sender
 *   passes the tests that need a domain. Before MAIL FROM there is nothing
 *   to check.
 * SEE ALSO
 *   postconf(5) (smtpd_sender_restrictions, smtpd_null_access_lookup_key)
 */
import type { Checker } from './checker.ts';
import { accessQuery, checkAccess, checkMailAccess } from './access.ts';
import { rejectNonFqdnAddress, rejectUnknownAddress } from './domains.ts';
import { NAME_SENDER } from './names.ts';
import { checkSenderRcptMaps } from './rcpt-maps.ts';
import { CHECK_DUNNO } from './reject.ts';
import type { RestrictionEntry, RestrictionFamily } from './types.ts';
import { rejectUnverified } from './verify.ts';

/** A test of a sender that is not the null sender. */
const nonNullSender = (test: (c: Checker, sender: string) => number): RestrictionEntry => ({
  check: (c) => (c.state.sender ? test(c, c.state.sender) : CHECK_DUNNO),
});

const unknownDomain = nonNullSender((c, sender) => rejectUnknownAddress(c, sender, sender, NAME_SENDER));

export const SENDER_RESTRICTIONS: RestrictionFamily = {
  check_sender_access: {
    arg: 'table',
    check(c, r) {
      const sender = c.state.sender;
      if (sender === undefined) return CHECK_DUNNO;
      const q = accessQuery(r, sender, NAME_SENDER);
      if (sender) return checkMailAccess(c, q, sender).status;
      return checkAccess(c, q, c.cfg.str('smtpd_null_access_lookup_key'), false).status;
    },
  },
  reject_unknown_address: unknownDomain,
  reject_unknown_sender_domain: unknownDomain,
  reject_unverified_sender: { check: (c) => rejectUnverified(c, c.state.sender, 'sender') },
  reject_non_fqdn_sender: nonNullSender((c, sender) => rejectNonFqdnAddress(c, sender, sender, NAME_SENDER)),
  reject_unlisted_sender: nonNullSender(checkSenderRcptMaps),
};
