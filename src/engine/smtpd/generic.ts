/*
 * NAME
 *   smtpd/generic - evaluate one restriction list (generic_checks)
 * DESCRIPTION
 *   Walks a list in order: `warn_if_reject` applies to the next
 *   restriction, a bare `type:table` means the stage's default access
 *   check, restriction classes recurse, and the first OK or REJECT ends
 *   the list (as does having both deferred decisions raised, or DISCARD).
 *   An unknown name is a server configuration error, as in Postfix.
 *   Every restriction is recorded as a trace step with its verdict.
 */
import type { Checker } from './checker.ts';
import { CHECK_DUNNO, CHECK_OK, CHECK_REJECT, SmtpdCrash } from './reject.ts';
import {
  NAME_CLIENT,
  NAME_ETRN,
  NAME_HELO,
  NAME_RECIPIENT,
  NAME_REV_CLIENT,
  NAME_SASL_USER,
  NAME_SENDER,
  checkAccess,
  checkDomainAccess,
  checkMailAccess,
  checkNamadrAccess,
  rejectDictRetry,
  rejectServerError,
  smtpdAclPermit,
} from './access.ts';
import * as R from './restrictions.ts';
import { checkServerAccess, permitDnswlAddr, permitDnswlDomain, rejectRblAddr, rejectRblDomain } from './dnsxl.ts';
import { splitList } from '../util/lists.ts';
import { permitMxBackup } from './mx-backup.ts';
import { checkCcertAccess, permitTlsClientcerts, rejectPlaintextSession } from './tls.ts';
import type { RecordType } from './dns.ts';

const ACCESS_COMMANDS = [
  'check_client_access',
  'check_reverse_client_hostname_access',
  'check_helo_access',
  'check_sender_access',
  'check_recipient_access',
  'check_etrn_access',
];

/** Restrictions that need a `type:table` argument, and the DNS type of the server ones. */
const SERVER_ACCESS: Readonly<Record<string, { type: RecordType; who: 'client' | 'reverse' | 'helo' | 'sender' | 'recipient' }>> = {
  check_client_ns_access: { type: 'NS', who: 'client' },
  check_client_mx_access: { type: 'MX', who: 'client' },
  check_client_a_access: { type: 'A', who: 'client' },
  check_reverse_client_hostname_ns_access: { type: 'NS', who: 'reverse' },
  check_reverse_client_hostname_mx_access: { type: 'MX', who: 'reverse' },
  check_reverse_client_hostname_a_access: { type: 'A', who: 'reverse' },
  check_helo_ns_access: { type: 'NS', who: 'helo' },
  check_helo_mx_access: { type: 'MX', who: 'helo' },
  check_helo_a_access: { type: 'A', who: 'helo' },
  check_sender_ns_access: { type: 'NS', who: 'sender' },
  check_sender_mx_access: { type: 'MX', who: 'sender' },
  check_sender_a_access: { type: 'A', who: 'sender' },
  check_recipient_ns_access: { type: 'NS', who: 'recipient' },
  check_recipient_mx_access: { type: 'MX', who: 'recipient' },
  check_recipient_a_access: { type: 'A', who: 'recipient' },
};

/** Every restriction name smtpd knows besides classes (for the UI and for documentation). */
export const RESTRICTION_NAMES: readonly string[] = [
  'warn_if_reject',
  'permit',
  'defer',
  'reject',
  'reject_unauth_pipelining',
  'check_policy_service',
  'defer_if_permit',
  'defer_if_reject',
  'sleep',
  'reject_plaintext_session',
  'reject_unknown_client_hostname',
  'reject_unknown_client',
  'reject_unknown_reverse_client_hostname',
  'permit_inet_interfaces',
  'permit_mynetworks',
  ...ACCESS_COMMANDS,
  'reject_maps_rbl',
  'reject_rbl_client',
  'reject_rbl',
  'permit_dnswl_client',
  'reject_rhsbl_client',
  'permit_rhswl_client',
  'reject_rhsbl_reverse_client',
  'check_ccert_access',
  'check_sasl_access',
  ...Object.keys(SERVER_ACCESS),
  'reject_invalid_helo_hostname',
  'reject_invalid_hostname',
  'reject_unknown_helo_hostname',
  'reject_unknown_hostname',
  'permit_naked_ip_address',
  'reject_non_fqdn_helo_hostname',
  'reject_non_fqdn_hostname',
  'reject_rhsbl_helo',
  'reject_unknown_address',
  'reject_unknown_sender_domain',
  'reject_unverified_sender',
  'reject_non_fqdn_sender',
  'reject_authenticated_sender_login_mismatch',
  'reject_known_sender_login_mismatch',
  'reject_unauthenticated_sender_login_mismatch',
  'reject_sender_login_mismatch',
  'reject_rhsbl_sender',
  'reject_unlisted_sender',
  'permit_mx_backup',
  'permit_auth_destination',
  'reject_unauth_destination',
  'defer_unauth_destination',
  'check_relay_domains',
  'permit_sasl_authenticated',
  'permit_tls_all_clientcerts',
  'permit_tls_clientcerts',
  'reject_unknown_recipient_domain',
  'reject_non_fqdn_recipient',
  'reject_rhsbl_recipient',
  'check_recipient_maps',
  'reject_unlisted_recipient',
  'reject_multi_recipient_bounce',
  'reject_unverified_recipient',
];

function isMapCommand(c: Checker, name: string, command: string, list: readonly string[], i: number): boolean {
  if (name.toLowerCase() !== command) return false;
  const arg = list[i + 1];
  if (arg === undefined || !arg.includes(':')) {
    c.warn(`restriction ${command}: bad argument "${arg ?? ''}": need maptype:mapname`);
    rejectServerError(c);
  }
  return true;
}

function forbidAllowlist(c: Checker, name: string, status: number, target: string): void {
  if (!c.state.discard && status === CHECK_OK) {
    c.warn(`restriction ${name} returns OK for ${target}`);
    c.warn('this is not allowed for security reasons');
    c.warn('use DUNNO instead of OK if you want to make an exception');
    rejectServerError(c);
  }
}

const verdict = (status: number): string => (status === CHECK_OK ? 'OK' : status === CHECK_REJECT ? 'REJECT' : 'DUNNO');

/** The parameters of reject_unverified_sender and reject_unverified_recipient. */
const UNVERIFIED = {
  sender: {
    deferCode: 'unverified_sender_defer_code',
    rejectCode: 'unverified_sender_reject_code',
    deferNow: 'unverifiedFrom',
    reason: 'unverified_sender_reject_reason',
  },
  recipient: {
    deferCode: 'unverified_recipient_defer_code',
    rejectCode: 'unverified_recipient_reject_code',
    deferNow: 'unverifiedRcpt',
    reason: 'unverified_recipient_reject_reason',
  },
} as const;

/** rejectUnverified - reject_unverified_sender/_recipient for `addr` (nothing to check when empty or absent). */
function rejectUnverified(c: Checker, addr: string | undefined, who: keyof typeof UNVERIFIED): number {
  if (!addr) return CHECK_DUNNO;
  const u = UNVERIFIED[who];
  // NAME_* are read here, not in UNVERIFIED: they come through an import cycle.
  return R.rejectUnverifiedAddress(
    c,
    addr,
    addr,
    who === 'sender' ? NAME_SENDER : NAME_RECIPIENT,
    c.cfg.int(u.deferCode),
    c.cfg.int(u.rejectCode),
    c.cfg.tempfailDeferNow[u.deferNow],
    c.cfg.str(u.reason),
  );
}

/** genericChecks - evaluate `restrictions` for `replyName` of `replyClass`. */
export function genericChecks(c: Checker, restrictions: readonly string[], replyName: string, replyClass: string, defAcl: string | undefined): number {
  const s = c.state;
  // Postfix has no limit here; a class that names itself recurses until smtpd dies.
  if (s.recursion > 500) throw new SmtpdCrash(`restriction list recursion: ${restrictions.join(', ')}`);
  const savedRecursion = s.recursion++;
  let status = CHECK_DUNNO;
  try {
    for (let i = 0; i < restrictions.length; i++) {
      if (s.discard) break;
      let name = restrictions[i]!;
      if (name.toLowerCase() === 'warn_if_reject') {
        if (s.warnIfReject === 0) s.warnIfReject = s.recursion;
        c.step({ kind: 'restriction', title: 'warn_if_reject', detail: 'the next restriction only warns' });
        continue;
      }
      // A bare `type:table` is the stage's default access check (Postfix rewinds to it).
      let evalList = restrictions;
      let at = i;
      const bare = name.includes(':');
      if (bare) {
        if (defAcl === undefined) {
          c.warn(
            `specify one of (check_client_access, check_reverse_client_hostname_access, check_helo_access, check_sender_access, check_recipient_access, check_etrn_access) before ${replyClass} restriction "${name}"`,
          );
          rejectServerError(c);
        }
        evalList = [defAcl, name];
        at = 0;
        name = defAcl;
      }
      const node = { kind: 'restriction' as const, title: name, result: '' };
      const outcome = c.step(node, () => evaluate(c, name, evalList, at, replyName, replyClass, defAcl))!;
      status = outcome.status;
      if (outcome.consumed && !bare) i += outcome.consumed;
      node.title = outcome.title ?? node.title;
      node.result = verdict(status);
      if (status < 0) {
        if (status === -2) rejectDictRetry(c, replyName);
        rejectServerError(c);
      }
      if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
      if (status !== 0) break;
      if (s.deferIfPermit.active && s.deferIfReject.active) break;
    }
  } finally {
    s.recursion = savedRecursion;
  }
  if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
  return status;
}

interface Outcome {
  status: number;
  /** How many arguments after the name were used. */
  consumed?: number;
  title?: string;
}

function evaluate(c: Checker, name: string, list: readonly string[], i: number, replyName: string, replyClass: string, defAcl: string | undefined): Outcome {
  const s = c.state;
  const lower = name.toLowerCase();
  const next = list[i + 1];
  const withArg = (fn: (arg: string) => number): Outcome => {
    if (next === undefined) {
      c.warn(`restriction ${lower} requires domain name argument`);
      return { status: CHECK_DUNNO };
    }
    return { status: fn(next), consumed: 1, title: `${name} ${next}` };
  };
  const map = (fn: (table: string) => number): Outcome => ({ status: fn(list[i + 1]!), consumed: 1, title: `${name} ${list[i + 1]}` });
  const unknownName = (n: string | undefined): boolean => n === undefined || n.toLowerCase() === 'unknown';
  const sasl = c.cfg.bool('smtpd_sasl_auth_enable');

  switch (lower) {
    case 'permit': {
      const st = smtpdAclPermit(c, name, replyClass, replyName, '');
      if (next !== undefined) c.warn(`restriction \`${next}' after \`permit' is ignored`);
      return { status: st };
    }
    case 'defer': {
      const st = c.reject('policy', c.cfg.int('defer_code'), '4.3.2', `<${replyName}>: ${replyClass} rejected: Try again later`);
      if (next !== undefined && s.warnIfReject === 0) c.warn(`restriction \`${next}' after \`defer' is ignored`);
      return { status: st };
    }
    case 'reject': {
      const st = c.reject('policy', c.cfg.int('reject_code'), '5.7.1', `<${replyName}>: ${replyClass} rejected: Access denied`);
      if (next !== undefined && s.warnIfReject === 0) c.warn(`restriction \`${next}' after \`reject' is ignored`);
      return { status: st };
    }
    case 'reject_unauth_pipelining':
      if (s.illegalPipelining)
        return { status: c.reject('protocol', 503, '5.5.0', `<${replyName}>: ${replyClass} rejected: Improper use of SMTP command pipelining`) };
      return { status: CHECK_DUNNO };
    case 'check_policy_service':
      if (next === undefined || !next.includes(':')) {
        c.warn('restriction check_policy_service must be followed by transport:server');
        rejectServerError(c);
      }
      return { status: R.checkPolicyService(c, next, replyName, replyClass, defAcl), consumed: 1, title: `${name} ${next}` };
    case 'defer_if_permit':
      return { status: c.deferIfPermit(false, 'policy', 450, '4.7.0', `<${replyName}>: ${replyClass} rejected: defer_if_permit requested`) };
    case 'defer_if_reject':
      c.deferIfReject('policy', 450, '4.7.0', `<${replyName}>: ${replyClass} rejected: defer_if_reject requested`);
      return { status: CHECK_DUNNO };
    case 'sleep':
      if (next === undefined || !/^\d+$/.test(next)) {
        c.warn('restriction sleep must be followed by number');
        rejectServerError(c);
      }
      return { status: CHECK_DUNNO, consumed: 1, title: `sleep ${next} (the client waits ${next} s)` };
    case 'reject_plaintext_session':
      return { status: rejectPlaintextSession(c) };
    case 'reject_unknown_client_hostname':
    case 'reject_unknown_client':
      return { status: R.rejectUnknownClient(c) };
    case 'reject_unknown_reverse_client_hostname':
      return { status: R.rejectUnknownReverseName(c) };
    case 'permit_inet_interfaces': {
      const own = ['127.0.0.1', '::1'].includes(s.addr);
      return { status: own ? smtpdAclPermit(c, name, NAME_CLIENT, s.namaddr, '') : CHECK_DUNNO };
    }
    case 'permit_mynetworks': {
      const st = R.permitMynetworks(c);
      return { status: st === CHECK_OK ? smtpdAclPermit(c, name, NAME_CLIENT, s.namaddr, '') : st };
    }
    case 'reject_maps_rbl': {
      c.warn('support for restriction "reject_maps_rbl" will be removed from Postfix; use "reject_rbl_client domain-name" instead');
      let st = CHECK_DUNNO;
      for (const d of splitList(c.cfg.str('maps_rbl_domains'))) if ((st = rejectRblAddr(c, d, s.addr, NAME_CLIENT)) !== CHECK_DUNNO) break;
      return { status: st };
    }
    case 'reject_rbl_client':
    case 'reject_rbl':
      return withArg((d) => rejectRblAddr(c, d, s.addr, NAME_CLIENT));
    case 'permit_dnswl_client':
      return withArg((d) => {
        const st = permitDnswlAddr(c, d, s.addr, NAME_CLIENT);
        return st === CHECK_OK ? smtpdAclPermit(c, name, NAME_CLIENT, s.namaddr, '') : st;
      });
    case 'reject_rhsbl_client':
      return withArg((d) => (unknownName(s.name) ? CHECK_DUNNO : rejectRblDomain(c, d, s.name, NAME_CLIENT)));
    case 'permit_rhswl_client':
      return withArg((d) => {
        if (unknownName(s.name)) return CHECK_DUNNO;
        const st = permitDnswlDomain(c, d, s.name, NAME_CLIENT);
        return st === CHECK_OK ? smtpdAclPermit(c, name, NAME_CLIENT, s.namaddr, '') : st;
      });
    case 'reject_rhsbl_reverse_client':
      return withArg((d) => (unknownName(s.reverseName) ? CHECK_DUNNO : rejectRblDomain(c, d, s.reverseName, NAME_REV_CLIENT)));
    case 'check_ccert_access':
      if (isMapCommand(c, name, lower, list, i)) return map((t) => checkCcertAccess(c, t, defAcl));
      break;
    case 'check_sasl_access':
      if (isMapCommand(c, name, lower, list, i))
        return map((t) => {
          if (!sasl) {
            c.warn(`restriction \`${name}' ignored: no SASL support`);
            return CHECK_DUNNO;
          }
          if (!s.saslUsername) return CHECK_DUNNO;
          return checkAccess(c, t, s.saslUsername, false, s.saslUsername, NAME_SASL_USER, defAcl).status;
        });
      break;
    case 'check_client_access':
      if (isMapCommand(c, name, lower, list, i)) return map((t) => checkNamadrAccess(c, t, s.name, s.addr, s.namaddr, NAME_CLIENT, defAcl));
      break;
    case 'check_reverse_client_hostname_access':
      if (isMapCommand(c, name, lower, list, i))
        return map((t) => {
          const st = checkNamadrAccess(c, t, s.reverseName, s.addr, s.reverseName, NAME_REV_CLIENT, defAcl);
          forbidAllowlist(c, name, st, s.reverseName);
          return st;
        });
      break;
    case 'check_helo_access':
      if (isMapCommand(c, name, lower, list, i))
        return map((t) => (s.heloName !== undefined ? checkDomainAccess(c, t, s.heloName, false, s.heloName, NAME_HELO, defAcl).status : CHECK_DUNNO));
      break;
    case 'reject_invalid_helo_hostname':
    case 'reject_invalid_hostname':
      if (s.heloName === undefined) return { status: CHECK_DUNNO };
      return {
        status: s.heloName.startsWith('[')
          ? R.rejectInvalidHostaddr(c, s.heloName, s.heloName, NAME_HELO)
          : R.rejectInvalidHostname(c, s.heloName, s.heloName, NAME_HELO),
      };
    case 'reject_unknown_helo_hostname':
    case 'reject_unknown_hostname':
      if (s.heloName === undefined) return { status: CHECK_DUNNO };
      return {
        status: s.heloName.startsWith('[')
          ? R.rejectInvalidHostaddr(c, s.heloName, s.heloName, NAME_HELO)
          : R.rejectUnknownHostname(c, s.heloName, s.heloName, NAME_HELO),
      };
    case 'permit_naked_ip_address': {
      c.warn('restriction permit_naked_ip_address is deprecated. Use permit_mynetworks or permit_sasl_authenticated instead');
      let st = CHECK_DUNNO;
      if (s.heloName !== undefined && /^[0-9.:]*$/.test(s.heloName) && (st = R.rejectInvalidHostaddr(c, s.heloName, s.heloName, NAME_HELO)) === 0)
        st = smtpdAclPermit(c, name, NAME_HELO, s.heloName, '');
      return { status: st };
    }
    case 'reject_non_fqdn_helo_hostname':
    case 'reject_non_fqdn_hostname':
      if (s.heloName === undefined) return { status: CHECK_DUNNO };
      return {
        status: s.heloName.startsWith('[')
          ? R.rejectInvalidHostaddr(c, s.heloName, s.heloName, NAME_HELO)
          : R.rejectNonFqdnHostname(c, s.heloName, s.heloName, NAME_HELO),
      };
    case 'reject_rhsbl_helo':
      return withArg((d) => (s.heloName !== undefined ? rejectRblDomain(c, d, s.heloName, NAME_HELO) : CHECK_DUNNO));
    case 'check_sender_access':
      if (isMapCommand(c, name, lower, list, i))
        return map((t) => {
          if (s.sender === undefined) return CHECK_DUNNO;
          if (s.sender) return checkMailAccess(c, t, s.sender, s.sender, NAME_SENDER, defAcl).status;
          return checkAccess(c, t, c.cfg.str('smtpd_null_access_lookup_key'), false, s.sender, NAME_SENDER, defAcl).status;
        });
      break;
    case 'reject_unknown_address':
    case 'reject_unknown_sender_domain':
      return { status: s.sender ? R.rejectUnknownAddress(c, s.sender, s.sender, NAME_SENDER) : CHECK_DUNNO };
    case 'reject_unverified_sender':
      return { status: rejectUnverified(c, s.sender, 'sender') };
    case 'reject_non_fqdn_sender':
      return { status: s.sender ? R.rejectNonFqdnAddress(c, s.sender, s.sender, NAME_SENDER) : CHECK_DUNNO };
    case 'reject_authenticated_sender_login_mismatch':
    case 'reject_known_sender_login_mismatch':
    case 'reject_unauthenticated_sender_login_mismatch': {
      if (!sasl) {
        c.warn(`restriction \`${name}' ignored: no SASL support`);
        return { status: CHECK_DUNNO };
      }
      if (!s.sender) return { status: CHECK_DUNNO };
      if (lower === 'reject_authenticated_sender_login_mismatch') return { status: R.rejectAuthSenderLoginMismatch(c, s.sender, false) };
      if (lower === 'reject_unauthenticated_sender_login_mismatch') return { status: R.rejectUnauthSenderLoginMismatch(c, s.sender) };
      return { status: s.saslUsername !== undefined ? R.rejectAuthSenderLoginMismatch(c, s.sender, true) : R.rejectUnauthSenderLoginMismatch(c, s.sender) };
    }
    case 'reject_rhsbl_sender':
      return withArg((d) => (s.sender ? rejectRblDomain(c, d, s.sender, NAME_SENDER) : CHECK_DUNNO));
    case 'reject_unlisted_sender':
      return { status: s.sender ? R.checkSenderRcptMaps(c, s.sender) : CHECK_DUNNO };
    case 'check_recipient_access':
      if (isMapCommand(c, name, lower, list, i))
        return map((t) => (s.recipient !== undefined ? checkMailAccess(c, t, s.recipient, s.recipient, NAME_RECIPIENT, defAcl).status : CHECK_DUNNO));
      break;
    case 'permit_mx_backup': {
      if (s.recipient === undefined) return { status: CHECK_DUNNO };
      const st = permitMxBackup(c, s.recipient, s.recipient, NAME_RECIPIENT);
      return { status: st === CHECK_OK ? smtpdAclPermit(c, name, NAME_RECIPIENT, s.recipient, '') : st };
    }
    case 'permit_auth_destination': {
      if (s.recipient === undefined) return { status: CHECK_DUNNO };
      const st = R.permitAuthDestination(c, s.recipient);
      return { status: st === CHECK_OK ? smtpdAclPermit(c, name, NAME_RECIPIENT, s.recipient, '') : st };
    }
    case 'reject_unauth_destination':
      return { status: s.recipient !== undefined ? R.rejectUnauthDestination(c, s.recipient, c.cfg.int('relay_domains_reject_code'), '5.7.1') : CHECK_DUNNO };
    case 'defer_unauth_destination':
      return {
        status: s.recipient !== undefined ? R.rejectUnauthDestination(c, s.recipient, c.cfg.int('relay_domains_reject_code') - 100, '4.7.1') : CHECK_DUNNO,
      };
    case 'check_relay_domains': {
      let st = s.recipient !== undefined ? R.checkRelayDomains(c, s.recipient, s.recipient, NAME_RECIPIENT) : CHECK_DUNNO;
      if (st === CHECK_OK) st = smtpdAclPermit(c, name, NAME_RECIPIENT, s.recipient ?? '', '');
      if (next !== undefined && s.warnIfReject === 0) c.warn(`restriction \`${next}' after \`check_relay_domains' is ignored`);
      return { status: st };
    }
    case 'permit_sasl_authenticated':
      if (sasl && s.saslUsername !== undefined) return { status: smtpdAclPermit(c, name, NAME_CLIENT, s.namaddr, '') };
      return { status: CHECK_DUNNO };
    case 'permit_tls_all_clientcerts':
    case 'permit_tls_clientcerts': {
      const st = permitTlsClientcerts(c, lower === 'permit_tls_all_clientcerts');
      return { status: st === CHECK_OK ? smtpdAclPermit(c, name, NAME_CLIENT, s.namaddr, '') : st };
    }
    case 'reject_unknown_recipient_domain':
      return { status: s.recipient !== undefined ? R.rejectUnknownAddress(c, s.recipient, s.recipient, NAME_RECIPIENT) : CHECK_DUNNO };
    case 'reject_non_fqdn_recipient':
      return { status: s.recipient !== undefined ? R.rejectNonFqdnAddress(c, s.recipient, s.recipient, NAME_RECIPIENT) : CHECK_DUNNO };
    case 'reject_rhsbl_recipient':
      return withArg((d) => (s.recipient !== undefined ? rejectRblDomain(c, d, s.recipient, NAME_RECIPIENT) : CHECK_DUNNO));
    case 'check_recipient_maps':
    case 'reject_unlisted_recipient':
      return { status: s.recipient ? R.checkRecipientRcptMaps(c, s.recipient) : CHECK_DUNNO };
    case 'reject_multi_recipient_bounce':
      if (s.sender === '' && s.rcptCount > (s.where !== 'RCPT' ? 1 : 0))
        return {
          status: c.reject(
            'policy',
            c.cfg.int('multi_recipient_bounce_reject_code'),
            '5.5.3',
            `<${replyName}>: ${replyClass} rejected: Multi-recipient bounce`,
          ),
        };
      return { status: CHECK_DUNNO };
    case 'reject_unverified_recipient':
      return { status: rejectUnverified(c, s.recipient, 'recipient') };
    case 'check_etrn_access':
      if (isMapCommand(c, name, lower, list, i))
        return map((t) => (s.etrnName !== undefined ? checkDomainAccess(c, t, s.etrnName, false, s.etrnName, NAME_ETRN, defAcl).status : CHECK_DUNNO));
      break;
  }
  const server = SERVER_ACCESS[lower];
  if (server && isMapCommand(c, name, lower, list, i)) {
    return map((t) => {
      const target =
        server.who === 'client'
          ? unknownName(s.name)
            ? undefined
            : s.name
          : server.who === 'reverse'
            ? unknownName(s.reverseName)
              ? undefined
              : s.reverseName
            : server.who === 'helo'
              ? s.heloName
              : server.who === 'sender'
                ? s.sender || undefined
                : s.recipient || undefined;
      if (target === undefined) return CHECK_DUNNO;
      const rn = server.who === 'client' ? s.namaddr : target;
      const rc =
        server.who === 'client'
          ? NAME_CLIENT
          : server.who === 'reverse'
            ? NAME_REV_CLIENT
            : server.who === 'helo'
              ? NAME_HELO
              : server.who === 'sender'
                ? NAME_SENDER
                : NAME_RECIPIENT;
      const st = checkServerAccess(c, t, target, server.type, rn, rc, defAcl);
      forbidAllowlist(c, name, st, target);
      return st;
    });
  }
  const cls = c.cfg.classes.get(name);
  if (cls) {
    return { status: genericChecks(c, cls, replyName, replyClass, defAcl), title: `${name} (restriction class: ${cls.join(', ')})` };
  }
  c.warn(`unknown smtpd restriction: "${name}"`);
  rejectServerError(c);
}
