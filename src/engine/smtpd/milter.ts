/*
 * NAME
 *   smtpd/milter - the Milter applications of a session (smtpd_milters)
 * DESCRIPTION
 *   smtpd drives its Milters with the machine cleanup shares
 *   (mail/milter8.ts); this module names it for smtpd's session code.
 * SEE ALSO
 *   MILTER_README, postconf(5) (smtpd_milters, smtpd_milter_maps, milter_default_action)
 */
export { milterAbort, milterEvent, milterMessage, milterOther, setupMilters } from '../mail/milter8.ts';
export type { MilterAttrs, MilterHost, MilterMessage, Milters } from '../mail/milter8.ts';
