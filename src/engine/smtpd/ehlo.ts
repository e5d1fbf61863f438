/*
 * NAME
 *   smtpd/ehlo - the keywords smtpd announces in its EHLO reply
 * DESCRIPTION
 *   In smtpd's order, minus smtpd_discard_ehlo_keywords; AUTH when SASL is
 *   on, XCLIENT when the client may use it, STARTTLS when TLS is offered
 *   and not yet in use. The discarded keywords are reported in the order
 *   of Postfix's keyword table, for its "discarding EHLO keywords" line.
 */
import type { SmtpdConfig } from './checker.ts';
import type { SessionState } from './state.ts';

/**
 * What Cyrus SASL offers on Debian 12 with libsasl2-modules (a machine fact,
 * not configuration): the AUTH keyword lists these when SASL is enabled.
 */
const SASL_MECHANISMS = 'SCRAM-SHA-512 SCRAM-SHA-384 SCRAM-SHA-256 SCRAM-SHA-224 SCRAM-SHA-1 DIGEST-MD5 CRAM-MD5 NTLM PLAIN LOGIN';

const EHLO_MASK_ORDER = [
  '8bitmime',
  'auth',
  'etrn',
  'pipelining',
  'size',
  'verp',
  'vrfy',
  'xclient',
  'xforward',
  'starttls',
  'enhancedstatuscodes',
  'dsn',
  'smtputf8',
  'chunking',
];

/** ehloKeywords - the reply's lines (without 250) and the discard log text, if any. */
export function ehloKeywords(cfg: SmtpdConfig, s: SessionState, ehloDiscard: ReadonlySet<string>): { words: string[]; discarded?: string } {
  const words = [cfg.str('myhostname')];
  const on = (k: string): boolean => !ehloDiscard.has(k);
  if (on('pipelining')) words.push('PIPELINING');
  if (on('size')) words.push(cfg.int('message_size_limit') > 0 ? `SIZE ${cfg.int('message_size_limit')}` : 'SIZE');
  if (on('vrfy') && !cfg.bool('disable_vrfy_command')) words.push('VRFY');
  if (on('etrn')) words.push('ETRN');
  const tlsLevel = cfg.str('smtpd_tls_security_level');
  if (on('starttls') && !s.tls && (tlsLevel === 'may' || tlsLevel === 'encrypt' || cfg.bool('smtpd_use_tls'))) words.push('STARTTLS');
  if (on('auth') && cfg.bool('smtpd_sasl_auth_enable')) {
    words.push(`AUTH ${SASL_MECHANISMS}`);
    if (cfg.bool('broken_sasl_auth_clients')) words.push(`AUTH=${SASL_MECHANISMS}`);
  }
  if (on('xclient') && s.xclientAllowed) words.push('XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT');
  if (on('enhancedstatuscodes')) words.push('ENHANCEDSTATUSCODES');
  if (on('8bitmime')) words.push('8BITMIME');
  if (on('dsn')) words.push('DSN');
  if (cfg.bool('smtputf8_enable') && on('smtputf8')) words.push('SMTPUTF8');
  if (on('chunking')) words.push('CHUNKING');
  // Logged in the order of Postfix's keyword table (ehlo_mask.c).
  const discarded = EHLO_MASK_ORDER.filter((k) => ehloDiscard.has(k));
  const log = discarded.length && !ehloDiscard.has('silent-discard') ? discarded.map((k) => k.toUpperCase()).join(' ') : undefined;
  return { words, ...(log && { discarded: log }) };
}
