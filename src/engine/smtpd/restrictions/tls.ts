/*
 * NAME
 *   smtpd/restrictions/tls - restrictions on TLS facts: client certificates and plaintext sessions
 * DESCRIPTION
 *   The simulator runs no TLS. Whether the session is encrypted and what
 *   client certificate was shown are facts the user supplies; these checks
 *   read them as smtpd reads its TLS context: permit_tls_all_clientcerts
 *   (a verified certificate), permit_tls_clientcerts (the certificate or
 *   public-key fingerprint in relay_clientcerts), check_ccert_access (the
 *   fingerprints in an access table) and reject_plaintext_session.
 * SEE ALSO
 *   TLS_README, postconf(5) (relay_clientcerts, smtpd_tls_ask_ccert)
 */
import type { Checker } from './checker.ts';
import { checkAccess } from './access.ts';
import { NAME_CCERT, NAME_CLIENT } from './names.ts';
import { CHECK_DUNNO, CHECK_OK, rejectServerError } from './reject.ts';
import { smtpdAclPermitted } from './table-result.ts';
import { traceLookups } from './trace.ts';
import type { RestrictionEntry, RestrictionFamily } from './types.ts';

const askCcert = (c: Checker): boolean => c.cfg.bool('smtpd_tls_ask_ccert');

/** traceTls - the TLS facts a restriction reads. */
function traceTls(c: Checker): void {
  if (!c.tracing) return;
  const tls = c.state.tls;
  const cert = tls?.ccert;
  c.step({
    kind: 'fact',
    fact: 'tls',
    encrypted: tls !== undefined,
    ...(cert && { fingerprint: cert.fingerprint, verified: cert.verified }),
    ...(cert?.pkeyFingerprint !== undefined && { pkeyFingerprint: cert.pkeyFingerprint }),
  });
}

/** Under a legacy compatibility level the digest is md5, and smtpd says so when it is used. */
function noteDigest(c: Checker): void {
  if (c.cfg.compat.tlsFingerprintDigest)
    c.info('using backwards-compatible default setting smtpd_tls_fingerprint_digest=md5 to compute certificate fingerprints');
}

export function rejectPlaintextSession(c: Checker): number {
  traceTls(c);
  if (!c.state.tls) return c.reject('policy', c.cfg.int('plaintext_reject_code'), '4.7.1', 'Session encryption is required');
  return CHECK_DUNNO;
}

/** permitTlsClientcerts - OK for a verified certificate (all) or a listed fingerprint. */
export function permitTlsClientcerts(c: Checker, all: boolean): number {
  const tls = c.state.tls;
  traceTls(c);
  if (!tls) return CHECK_DUNNO;
  const cert = tls.ccert;
  if (cert?.verified && all) return CHECK_OK;
  if (cert) {
    noteDigest(c);
    const maps = c.cfg.relayClientCerts;
    for (const print of [cert.fingerprint, cert.pkeyFingerprint ?? '']) {
      if (!maps) break;
      const r = maps.find(print, false);
      traceLookups(c, r);
      if (r.status === 'found') return CHECK_OK;
      if (r.status === 'error') {
        c.warn(`relay_clientcerts: lookup error for fingerprint '${cert.fingerprint}', pkey fingerprint ${cert.pkeyFingerprint ?? ''}`);
        return -1;
      }
    }
  } else if (!askCcert(c)) {
    c.warn(`${all ? 'permit_tls_all_clientcerts' : 'permit_tls_clientcerts'} is requested, but "smtpd_tls_ask_ccert = no"`);
  }
  return CHECK_DUNNO;
}

/** checkCcertAccess - the certificate fingerprint, then the public-key fingerprint, in `table`. */
export function checkCcertAccess(c: Checker, table: string, defAcl: string | undefined): number {
  const cert = c.state.tls?.ccert;
  traceTls(c);
  if (!c.cfg.maps.has(table)) {
    c.warn(`See earlier parsing error messages for '${table}`);
    rejectServerError(c);
  }
  if (!cert) {
    if (!askCcert(c)) c.warn('check_ccert_access is requested, but "smtpd_tls_ask_ccert = no"');
    return CHECK_DUNNO;
  }
  let status = CHECK_DUNNO;
  for (const print of [cert.fingerprint, cert.pkeyFingerprint]) {
    if (print === undefined) continue;
    noteDigest(c);
    status = checkAccess(c, { table, replyName: cert.commonName ?? '', replyClass: NAME_CCERT, defAcl }, print, false).status;
    if (status !== CHECK_DUNNO) break;
  }
  return status;
}

/** permit_tls_clientcerts and permit_tls_all_clientcerts. */
const permitClientcerts = (all: boolean): RestrictionEntry => ({
  check: (c, r) => smtpdAclPermitted(c, permitTlsClientcerts(c, all), r.name, NAME_CLIENT, c.state.namaddr),
});

export const TLS_RESTRICTIONS: RestrictionFamily = {
  reject_plaintext_session: { check: rejectPlaintextSession },
  permit_tls_clientcerts: permitClientcerts(false),
  permit_tls_all_clientcerts: permitClientcerts(true),
  check_ccert_access: { arg: 'table', check: (c, r) => checkCcertAccess(c, r.arg, r.defAcl) },
};
