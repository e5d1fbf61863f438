/*
 * NAME
 *   smtpd/tls-sasl - what TLS and SASL smtpd offers a session, from its parameters and the TLS fact
 * DESCRIPTION
 *   smtpd settles its TLS policy at start-up: smtpd_tls_security_level
 *   (when set) decides whether STARTTLS is offered (`may`, `encrypt`) and
 *   required (`encrypt`), else the legacy smtpd_use_tls and
 *   smtpd_enforce_tls do; required TLS implies smtpd_tls_auth_only. TLS can
 *   only start when a server certificate is configured, otherwise smtpd
 *   warns at start-up and answers STARTTLS with 454.
 *
 *   SASL is active in a session (smtpd_sasl_is_active()) when
 *   smtpd_sasl_auth_enable is on and either the session is encrypted (a
 *   fact the user supplies) or smtpd_tls_auth_only is off. Only an active
 *   SASL announces AUTH (not to smtpd_sasl_exceptions_networks), accepts the
 *   AUTH command and lets permit_sasl_authenticated match; a login that
 *   XCLIENT gave is still the session's login (logged, and checked by the
 *   sender login restrictions, which need only smtpd_sasl_auth_enable).
 * SEE ALSO
 *   postconf(5) (smtpd_tls_security_level, smtpd_tls_auth_only, smtpd_sasl_auth_enable,
 *   smtpd_sasl_exceptions_networks), SASL_README, TLS_README
 */
import type { SessionState } from './state.ts';

/** The TLS policy smtpd settles at start-up. */
export interface TlsPolicy {
  /** STARTTLS is offered (smtpd_use_tls, or security level may/encrypt). */
  offered: boolean;
  /** TLS is required before mail (smtpd_enforce_tls, or security level encrypt). */
  enforced: boolean;
  /** AUTH only after STARTTLS (smtpd_tls_auth_only, or TLS required). */
  authOnly: boolean;
  /** A server certificate is configured, so a handshake could start. */
  serverCert: boolean;
}

/** What the TLS policy reads. */
interface TlsParameters {
  bool(name: 'smtpd_use_tls' | 'smtpd_enforce_tls' | 'smtpd_tls_wrappermode' | 'smtpd_tls_auth_only'): boolean;
  str(name: 'smtpd_tls_security_level' | 'smtpd_tls_cert_file' | 'smtpd_tls_eccert_file' | 'smtpd_tls_dcert_file' | 'smtpd_tls_chain_files'): string;
}

/** What smtpd_tls_security_level may say for the server; secure, verify and fingerprint mean encrypt (with a warning). */
const SERVER_LEVELS: Readonly<Record<string, 'none' | 'may' | 'encrypt' | 'unsupported'>> = {
  none: 'none',
  may: 'may',
  encrypt: 'encrypt',
  fingerprint: 'unsupported',
  verify: 'unsupported',
  secure: 'unsupported',
};

/** levelProblem - what smtpd says at start-up about smtpd_tls_security_level, if anything. */
export function levelProblem(p: TlsParameters): { severity: 'warning' | 'fatal'; message: string } | undefined {
  const raw = p.str('smtpd_tls_security_level').trim();
  if (!raw || p.bool('smtpd_tls_wrappermode')) return undefined;
  const kind = SERVER_LEVELS[raw.toLowerCase()];
  if (kind === undefined) return { severity: 'fatal', message: `Invalid TLS level "${raw}"` };
  if (kind === 'unsupported') return { severity: 'warning', message: `smtpd_tls_security_level: unsupported TLS level "${raw}", using "encrypt"` };
  return undefined;
}

/** tlsPolicy - smtpd's TLS settings, as its start-up leaves them. */
export function tlsPolicy(p: TlsParameters): TlsPolicy {
  let offered = p.bool('smtpd_use_tls');
  let enforced = p.bool('smtpd_enforce_tls');
  const wrapper = p.bool('smtpd_tls_wrappermode');
  const level = p.str('smtpd_tls_security_level').trim().toLowerCase();
  if (!wrapper && level && SERVER_LEVELS[level]) {
    offered = level !== 'none';
    enforced = level !== 'none' && level !== 'may';
  }
  enforced ||= wrapper;
  offered ||= enforced;
  // smtpd_tls_cert_file = none asks for anonymous TLS without a certificate.
  const serverCert = (['smtpd_tls_cert_file', 'smtpd_tls_eccert_file', 'smtpd_tls_dcert_file', 'smtpd_tls_chain_files'] as const).some(
    (n) => p.str(n).trim() !== '',
  );
  return { offered, enforced, authOnly: p.bool('smtpd_tls_auth_only') || enforced, serverCert };
}

/** saslActive - smtpd_sasl_is_active(): SASL is enabled and allowed in this session. */
export const saslActive = (enabled: boolean, tls: TlsPolicy, s: SessionState): boolean => enabled && (s.tls !== undefined || !tls.authOnly);
