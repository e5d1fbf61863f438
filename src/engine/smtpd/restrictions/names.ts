/*
 * NAME
 *   smtpd/restrictions/names - the reply classes smtpd names in its rejections
 * DESCRIPTION
 *   SMTPD_NAME_* of smtpd_check.c: what a rejection says was rejected, as
 *   in `<x@example.com>: Recipient address rejected: Access denied`.
 * SEE ALSO
 *   postconf(5) (smtpd_*_restrictions), access(5)
 */

export const NAME_CLIENT = 'Client host';
export const NAME_REV_CLIENT = 'Unverified Client host';
export const NAME_CCERT = 'Client certificate';
export const NAME_SASL_USER = 'SASL login name';
export const NAME_HELO = 'Helo command';
export const NAME_SENDER = 'Sender address';
export const NAME_RECIPIENT = 'Recipient address';
export const NAME_ETRN = 'Etrn command';
export const NAME_DATA = 'Data command';
export const NAME_EOD = 'End-of-data';
