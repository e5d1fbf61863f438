/*
 * NAME
 *   smtpd/restrictions/index - the restriction table: Postfix's restriction names and their handlers
 * DESCRIPTION
 *   The one list of the restrictions smtpd knows, by family, in the order
 *   generic_checks() tests them: generic ones, client, HELO, sender,
 *   recipient, ETRN, then those of several stages (DNS lists, server
 *   access, TLS, SASL, policy). Restriction classes smtpd defines itself
 *   (reject_sender_login_mismatch) are listed here too. Every other name
 *   in a list must be a restriction class of smtpd_restriction_classes.
 * SEE ALSO
 *   postconf(5) (smtpd_*_restrictions, smtpd_restriction_classes)
 */
import { BASIC_RESTRICTIONS } from './basic.ts';
import { CLIENT_RESTRICTIONS } from './client.ts';
import { DNSXL_RESTRICTIONS } from './dnsxl.ts';
import { ETRN_RESTRICTIONS } from './etrn.ts';
import { HELO_RESTRICTIONS } from './helo.ts';
import { POLICY_RESTRICTIONS } from './policy.ts';
import { RECIPIENT_RESTRICTIONS } from './recipient.ts';
import { SASL_CLASSES, SASL_RESTRICTIONS } from './sasl.ts';
import { SENDER_RESTRICTIONS } from './sender.ts';
import { SERVER_ACCESS_RESTRICTIONS } from './server-access.ts';
import { TLS_RESTRICTIONS } from './tls.ts';
import type { RestrictionEntry, RestrictionFamily } from './types.ts';

/** The families, in generic_checks() order. */
export const RESTRICTION_FAMILIES: readonly RestrictionFamily[] = [
  BASIC_RESTRICTIONS,
  POLICY_RESTRICTIONS,
  TLS_RESTRICTIONS,
  CLIENT_RESTRICTIONS,
  DNSXL_RESTRICTIONS,
  SERVER_ACCESS_RESTRICTIONS,
  HELO_RESTRICTIONS,
  SENDER_RESTRICTIONS,
  SASL_RESTRICTIONS,
  RECIPIENT_RESTRICTIONS,
  ETRN_RESTRICTIONS,
];

/** Every restriction by its lower-case name (names are matched case-insensitively, as strcasecmp() does). */
export const RESTRICTIONS: ReadonlyMap<string, RestrictionEntry> = new Map(RESTRICTION_FAMILIES.flatMap((family) => Object.entries(family)));

/** Restriction classes smtpd_check_init() defines itself. */
export const BUILTIN_CLASSES: Readonly<Record<string, readonly string[]>> = SASL_CLASSES;

/** Every restriction name smtpd knows besides user-defined classes (for editors and documentation). */
export const RESTRICTION_NAMES: readonly string[] = ['warn_if_reject', ...RESTRICTIONS.keys(), ...Object.keys(BUILTIN_CLASSES)];
