/*
 * NAME
 *   smtpd/restrictions/recipient - restrictions on the RCPT TO address
 * DESCRIPTION
 *   check_recipient_access, relay control (permit_auth_destination,
 *   reject_unauth_destination, defer_unauth_destination, the obsolete
 *   check_relay_domains, permit_mx_backup), address tests
 *   (reject_unknown_recipient_domain, reject_non_fqdn_recipient),
 *   recipient validation (reject_unlisted_recipient), address verification
 *   (reject_unverified_recipient) and reject_multi_recipient_bounce. In
 *   the DATA stages of a message with several recipients, there is no
 *   recipient to check.
 * SEE ALSO
 *   postconf(5) (smtpd_recipient_restrictions, smtpd_relay_restrictions)
 */
import type { Checker } from './checker.ts';
import { accessQuery, checkMailAccess } from './access.ts';
import { ignoredAfter } from './basic.ts';
import { rejectNonFqdnAddress, rejectUnknownAddress } from './domains.ts';
import { permitMxBackup } from './mx-backup.ts';
import { NAME_RECIPIENT } from './names.ts';
import { checkRecipientRcptMaps } from './rcpt-maps.ts';
import { CHECK_DUNNO, CHECK_OK } from './reject.ts';
import { checkRelayDomains, permitAuthDestination, rejectUnauthDestination } from './relay.ts';
import { smtpdAclPermit, smtpdAclPermitted } from './table-result.ts';
import type { RestrictionCall, RestrictionEntry, RestrictionFamily } from './types.ts';
import { rejectUnverified } from './verify.ts';

/** A test of the recipient, when there is one. */
const withRecipient = (test: (c: Checker, recipient: string, r: RestrictionCall) => number): RestrictionEntry => ({
  check: (c, r) => (c.state.recipient !== undefined ? test(c, c.state.recipient, r) : CHECK_DUNNO),
});

/** A test that permits a recipient, logged by smtpd_acl_permit(). */
const permitRecipient = (test: (c: Checker, recipient: string) => number): RestrictionEntry =>
  withRecipient((c, recipient, r) => smtpdAclPermitted(c, test(c, recipient), r.name, NAME_RECIPIENT, recipient));

const unlisted = withRecipient((c, recipient) => (recipient ? checkRecipientRcptMaps(c, recipient) : CHECK_DUNNO));

export const RECIPIENT_RESTRICTIONS: RestrictionFamily = {
  check_recipient_access: {
    arg: 'table',
    check: (c, r) => {
      const rcpt = c.state.recipient;
      return rcpt !== undefined ? checkMailAccess(c, accessQuery(r, rcpt, NAME_RECIPIENT), rcpt).status : CHECK_DUNNO;
    },
  },
  permit_mx_backup: permitRecipient((c, recipient) => permitMxBackup(c, recipient, recipient, NAME_RECIPIENT)),
  permit_auth_destination: permitRecipient(permitAuthDestination),
  reject_unauth_destination: withRecipient((c, recipient) => rejectUnauthDestination(c, recipient, c.cfg.int('relay_domains_reject_code'), '5.7.1')),
  defer_unauth_destination: withRecipient((c, recipient) => rejectUnauthDestination(c, recipient, c.cfg.int('relay_domains_reject_code') - 100, '4.7.1')),
  check_relay_domains: {
    check(c, r) {
      const rcpt = c.state.recipient;
      let status = rcpt !== undefined ? checkRelayDomains(c, rcpt, rcpt, NAME_RECIPIENT) : CHECK_DUNNO;
      if (status === CHECK_OK) status = smtpdAclPermit(c, r.name, NAME_RECIPIENT, rcpt ?? '', '');
      ignoredAfter(c, r, 'check_relay_domains', false);
      return status;
    },
  },
  reject_unknown_recipient_domain: withRecipient((c, recipient) => rejectUnknownAddress(c, recipient, recipient, NAME_RECIPIENT)),
  reject_non_fqdn_recipient: withRecipient((c, recipient) => rejectNonFqdnAddress(c, recipient, recipient, NAME_RECIPIENT)),
  check_recipient_maps: unlisted,
  reject_unlisted_recipient: unlisted,
  reject_multi_recipient_bounce: {
    check(c, r) {
      const s = c.state;
      if (s.sender === '' && s.rcptCount > (s.where !== 'RCPT' ? 1 : 0))
        return c.reject(
          'policy',
          c.cfg.int('multi_recipient_bounce_reject_code'),
          '5.5.3',
          `<${r.replyName}>: ${r.replyClass} rejected: Multi-recipient bounce`,
        );
      return CHECK_DUNNO;
    },
  },
  reject_unverified_recipient: { check: (c) => rejectUnverified(c, c.state.recipient, 'recipient') },
};
