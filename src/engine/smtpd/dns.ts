/*
 * NAME
 *   smtpd/dns - DNS facts, as smtpd's modules import them
 * DESCRIPTION
 *   The DNS facts live in src/engine/dns/facts.ts (postscreen reads them
 *   too and must not import smtpd). This keeps smtpd's imports as they were.
 * SEE ALSO
 *   src/engine/dns/facts.ts
 */
export * from '../dns/facts.ts';
