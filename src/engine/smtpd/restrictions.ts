/*
 * NAME
 *   smtpd/restrictions - the built-in restrictions that need no table of their own
 * DESCRIPTION
 *   Client, HELO, sender and recipient tests of smtpd_check.c: host name
 *   and address syntax, DNS existence (from the DNS facts), relay control
 *   (permit_auth_destination and reject_unauth_destination through the
 *   shared resolver), recipient validation per address class, SASL login
 *   ownership, address verification, and check_policy_service.
 */
import type { Checker } from './checker.ts';
import {
  MA_FIND_DEFAULT,
  RESOLVE_CLASS_ALIAS,
  RESOLVE_CLASS_FINAL,
  RESOLVE_CLASS_LOCAL,
  RESOLVE_CLASS_MASK,
  RESOLVE_CLASS_RELAY,
  RESOLVE_CLASS_VIRTUAL,
  RESOLVE_FLAG_FAIL,
  RESOLVE_FLAG_ROUTED,
} from './deps.ts';
import type { AccessMaps } from './deps.ts';
import { CHECK_DUNNO, CHECK_OK } from './reject.ts';
import { NAME_RECIPIENT, NAME_SENDER, checkTableResult, rejectDictRetry, rejectServerError } from './access.ts';
import { dsnSplit, smtpdDsnFix, SENDER_DSN } from '../mail/dsn.ts';
import { validHostaddr, validHostname, validMailhostAddr } from '../mail/valid-hostname.ts';
import { splitList } from '../util/lists.ts';
import { classOf } from '../resolve/resolve.ts';

/** Names ending in one dot (not two) are looked at without it. */
const truncateDot = (name: string): string => (name.length > 1 && name.endsWith('.') && !name.endsWith('..') ? name.slice(0, -1) : name);

export function rejectUnknownReverseName(c: Checker): number {
  const s = c.state;
  if (s.reverseNameStatus !== 'ok')
    return c.reject(
      'policy',
      s.reverseNameStatus === 'perm' ? c.cfg.int('unknown_client_reject_code') : 450,
      '4.7.1',
      `Client host rejected: cannot find your reverse hostname, [${s.addr}]`,
    );
  return CHECK_DUNNO;
}

export function rejectUnknownClient(c: Checker): number {
  const s = c.state;
  if (s.nameStatus !== 'ok')
    return c.reject(
      'policy',
      s.nameStatus === 'perm' || s.nameStatus === 'forged' ? c.cfg.int('unknown_client_reject_code') : 450,
      '4.7.25',
      `Client host rejected: cannot find your hostname, [${s.addr}]`,
    );
  return CHECK_DUNNO;
}

export function permitMynetworks(c: Checker): number {
  const s = c.state;
  const m = c.cfg.mynetworks.match(s.name, s.addr);
  c.step({ kind: 'note', title: `mynetworks = ${c.cfg.str('mynetworks')}`, result: m.matched ? 'client matches' : 'no match' });
  if (m.matched) {
    if (c.cfg.compat.mynetworksStyle) {
      // The new default (host only) would not have matched every client the legacy one does.
      if (!(s.addr === '127.0.0.1' || s.addr === '::1'))
        c.info(`using backwards-compatible default setting mynetworks_style=${c.cfg.str('mynetworks_style')} to permit request from client "${s.namaddr}"`);
    }
    return CHECK_OK;
  }
  if (m.error) return -1;
  return CHECK_DUNNO;
}

export function rejectInvalidHostaddr(c: Checker, addr: string, replyName: string, replyClass: string): number {
  const test = addr.startsWith('[') && addr.length > 2 && addr.endsWith(']') ? addr.slice(1, -1) : addr;
  if (validMailhostAddr(test) === undefined)
    return c.reject('policy', c.cfg.int('invalid_hostname_reject_code'), '5.5.2', `<${replyName}>: ${replyClass} rejected: invalid ip address`);
  return CHECK_DUNNO;
}

export function rejectInvalidHostname(c: Checker, name: string, replyName: string, replyClass: string): number {
  const test = truncateDot(name);
  if (!validHostname(test) && !validHostaddr(test))
    return c.reject('policy', c.cfg.int('invalid_hostname_reject_code'), '5.5.2', `<${replyName}>: ${replyClass} rejected: Invalid name`);
  return CHECK_DUNNO;
}

const validUtf8Hostname = (c: Checker, name: string): boolean =>
  validHostname(name) || (c.cfg.bool('smtputf8_enable') && /[^\x00-\x7f]/.test(name) && validHostname(name.replace(/[^\x00-\x7f]/g, 'x')));

export function rejectNonFqdnHostname(c: Checker, name: string, replyName: string, replyClass: string): number {
  const test = truncateDot(name);
  if (!validUtf8Hostname(c, test) || !test.includes('.'))
    return c.reject('policy', c.cfg.int('non_fqdn_reject_code'), '5.5.2', `<${replyName}>: ${replyClass} rejected: need fully-qualified hostname`);
  return CHECK_DUNNO;
}

export function rejectNonFqdnAddress(c: Checker, addr: string, replyName: string, replyClass: string): number {
  const at = addr.lastIndexOf('@');
  const domain = at >= 0 ? addr.slice(at + 1) : '';
  if (domain.startsWith('[') && domain.endsWith(']')) return CHECK_DUNNO;
  const test = truncateDot(domain);
  if (!test || !validUtf8Hostname(c, test) || !test.includes('.'))
    return c.reject('policy', c.cfg.int('non_fqdn_reject_code'), '4.5.2', `<${replyName}>: ${replyClass} rejected: need fully-qualified address`);
  return CHECK_DUNNO;
}

/** rejectUnknownHostname - a HELO name needs an A, AAAA or MX record. */
export function rejectUnknownHostname(c: Checker, name: string, replyName: string, replyClass: string): number {
  const dns = c.cfg.dns;
  const answers = (['A', 'AAAA', 'MX'] as const).map((t) => dns.lookup(name, t));
  c.step({ kind: 'dns', title: `A/AAAA/MX ${name}`, result: answers.map((a) => a.status).join('/') });
  if (answers.some((a) => a.status === 'ok' || a.status === 'nullmx')) return CHECK_DUNNO;
  if (answers.some((a) => a.status === 'retry'))
    return c.deferIfPermit(c.cfg.tempfailDeferNow.unknownName, 'policy', 450, '4.7.1', `<${replyName}>: ${replyClass} rejected: Host not found`);
  return c.reject('policy', c.cfg.int('unknown_hostname_reject_code'), '4.7.1', `<${replyName}>: ${replyClass} rejected: Host not found`);
}

/** rejectUnknownMailhost - a mail domain needs an MX, A or AAAA record, and no null MX. */
export function rejectUnknownMailhost(c: Checker, name: string, replyName: string, replyClass: string): number {
  const dns = c.cfg.dns;
  const sender = replyClass === NAME_SENDER;
  const mx = dns.lookup(name, 'MX');
  let status = mx.status;
  if (status === 'notfound') {
    const a = [dns.lookup(name, 'A'), dns.lookup(name, 'AAAA')];
    status = a.some((x) => x.status === 'ok') ? 'ok' : a.some((x) => x.status === 'retry') ? 'retry' : 'notfound';
  }
  c.step({ kind: 'dns', title: `MX/A/AAAA ${name}`, result: status });
  if (status === 'ok') return CHECK_DUNNO;
  if (status === 'nullmx')
    return c.reject(
      'policy',
      sender ? 550 : 556,
      sender ? '4.7.27' : '4.1.10',
      `<${replyName}>: ${replyClass} rejected: Domain ${name} does not accept mail (nullMX)`,
    );
  if (status === 'retry')
    return c.deferIfPermit(
      c.cfg.tempfailDeferNow.unknownAddr,
      'policy',
      450,
      sender ? '4.1.8' : '4.1.2',
      `<${replyName}>: ${replyClass} rejected: Domain not found`,
    );
  return c.reject('policy', c.cfg.int('unknown_address_reject_code'), sender ? '4.1.8' : '4.1.2', `<${replyName}>: ${replyClass} rejected: Domain not found`);
}

/** rejectUnknownAddress - resolve; final and literal destinations pass; others need DNS. */
export function rejectUnknownAddress(c: Checker, addr: string, replyName: string, replyClass: string): number {
  const s = c.state;
  const reply = c.cfg.resolver.resolve((replyClass === NAME_SENDER ? s.recipient : s.sender) ?? '', addr);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, addr);
  const at = reply.recipient.lastIndexOf('@');
  if (at < 0) return CHECK_DUNNO;
  const domain = reply.recipient.slice(at + 1);
  if (reply.flags & RESOLVE_CLASS_FINAL) return CHECK_DUNNO;
  if (domain.startsWith('[') && domain.endsWith(']')) return CHECK_DUNNO;
  return rejectUnknownMailhost(c, domain, replyName, replyClass);
}

/** permitAuthDestination - final delivery or relay_domains; routed addresses are not trusted. */
export function permitAuthDestination(c: Checker, recipient: string): number {
  const reply = c.cfg.resolver.resolve(c.state.sender ?? '', recipient);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, recipient);
  const at = reply.recipient.lastIndexOf('@');
  c.step({ kind: 'resolve', title: `resolve ${recipient}`, result: className(reply.flags), detail: `${reply.transport}:${reply.nexthop} ${reply.recipient}` });
  if (at < 0) return CHECK_OK;
  if (!c.cfg.bool('allow_untrusted_routing') && reply.flags & RESOLVE_FLAG_ROUTED) return CHECK_DUNNO;
  if (reply.flags & RESOLVE_CLASS_FINAL) return CHECK_OK;
  if (reply.flags & RESOLVE_CLASS_RELAY) {
    if (c.cfg.compat.relayDomains)
      c.info(`using backwards-compatible default setting relay_domains=$mydestination to accept mail for domain "${reply.recipient.slice(at + 1)}"`);
    return CHECK_OK;
  }
  return CHECK_DUNNO;
}

/** The address class of resolve flags, for the trace. */
export const className = (flags: number): string => classOf(flags).replace('_', ' ');

export function rejectUnauthDestination(c: Checker, recipient: string, code: number, dsn: string): number {
  if (permitAuthDestination(c, recipient) === CHECK_OK) return CHECK_DUNNO;
  return c.reject('policy', code, dsn, `<${recipient}>: Relay access denied`);
}

export function checkRelayDomains(c: Checker, recipient: string, replyName: string, replyClass: string): number {
  c.warn('support for restriction "check_relay_domains" will be removed from Postfix; use "reject_unauth_destination" instead');
  if (c.cfg.relayDomains.match(c.state.name).matched) return CHECK_OK;
  if (permitAuthDestination(c, recipient) === CHECK_OK) return CHECK_OK;
  return c.reject('policy', c.cfg.int('relay_domains_reject_code'), '5.7.1', `<${replyName}>: ${replyClass} rejected: Relay access denied`);
}

function addrFind(c: Checker, replyName: string, maps: AccessMaps | undefined, key: string): boolean {
  if (!maps) return false;
  const answer = c.cfg.resolver.addrFind(maps, key, MA_FIND_DEFAULT);
  for (const w of answer.warnings ?? []) c.warn(w.message);
  if (c.tracing)
    for (const l of answer.lookups)
      c.step({
        kind: 'lookup',
        title: `${l.table} ${JSON.stringify(l.key)}`,
        result: answer.status === 'found' && l === answer.lookups.at(-1) ? `found: ${answer.value}` : 'not found',
        lookup: l,
      });
  if (answer.status === 'error') {
    if (answer.error?.severity === 'fatal') rejectServerError(c);
    rejectDictRetry(c, replyName);
  }
  return answer.status === 'found';
}

const matchLeft = (prefix: string, addr: string): boolean => addr.toLowerCase().startsWith(prefix.toLowerCase()) && addr[prefix.length] === '@';

/** checkRcptMaps - is the address a known user of its address class? */
export function checkRcptMaps(c: Checker, sender: string, recipient: string, replyClass: string): number {
  const reply = c.cfg.resolver.resolve(sender, recipient);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, recipient);
  const m = c.cfg.rcptMaps;
  const rcpt = reply.recipient;
  const isSender = replyClass === NAME_SENDER;
  c.step({ kind: 'resolve', title: `resolve ${recipient}`, result: className(reply.flags), detail: `${reply.transport}:${reply.nexthop} ${rcpt}` });
  if (
    addrFind(c, recipient, m.recipientCanonical, rcpt) ||
    (isSender && addrFind(c, recipient, m.senderCanonical, rcpt)) ||
    addrFind(c, recipient, m.canonical, rcpt) ||
    addrFind(c, recipient, m.virtualAlias, rcpt)
  )
    return CHECK_DUNNO;
  const fix = (dsn: string): string => {
    const f = smtpdDsnFix(dsn, replyClass);
    if (f.info) c.info(f.info);
    return f.status;
  };
  if (reply.transport === 'error') {
    const d = dsnSplit(isSender ? '5.1.0' : '5.1.1', reply.nexthop);
    return c.reject(
      'bounce',
      reply.flags & RESOLVE_CLASS_ALIAS ? c.cfg.int('unknown_virtual_alias_reject_code') : 550,
      fix(d.dsn),
      `<${recipient}>: ${replyClass} rejected: ${d.text}`,
    );
  }
  if (reply.transport === 'retry') {
    const d = dsnSplit(isSender ? '4.1.0' : '4.1.1', reply.nexthop);
    return c.reject('bounce', 450, fix(d.dsn), `<${recipient}>: ${replyClass} rejected: ${d.text}`);
  }
  const table = c.cfg.bool('show_user_unknown_table_name');
  const dsn = isSender ? '5.1.0' : '5.1.1';
  switch (reply.flags & RESOLVE_CLASS_MASK) {
    case RESOLVE_CLASS_LOCAL:
      if (
        m.local &&
        !matchLeft(c.cfg.str('double_bounce_sender'), rcpt) &&
        !matchLeft('postmaster', rcpt) &&
        !matchLeft('MAILER-DAEMON', rcpt) &&
        !addrFind(c, recipient, m.local, rcpt)
      )
        return c.reject(
          'bounce',
          c.cfg.int('unknown_local_recipient_reject_code'),
          dsn,
          `<${recipient}>: ${replyClass} rejected: User unknown${table ? ' in local recipient table' : ''}`,
        );
      break;
    case RESOLVE_CLASS_VIRTUAL:
      if (m.virtualMailbox && !addrFind(c, recipient, m.virtualMailbox, rcpt))
        return c.reject(
          'bounce',
          c.cfg.int('unknown_virtual_mailbox_reject_code'),
          dsn,
          `<${recipient}>: ${replyClass} rejected: User unknown${table ? ' in virtual mailbox table' : ''}`,
        );
      break;
    case RESOLVE_CLASS_RELAY:
      if (m.relay && !addrFind(c, recipient, m.relay, rcpt))
        return c.reject(
          'bounce',
          c.cfg.int('unknown_relay_recipient_reject_code'),
          dsn,
          `<${recipient}>: ${replyClass} rejected: User unknown${table ? ' in relay recipient table' : ''}`,
        );
      if (c.cfg.compat.relayDomains)
        c.info(`using backwards-compatible default setting relay_domains=$mydestination to accept mail for address "${recipient}"`);
      break;
  }
  return CHECK_DUNNO;
}

export function checkRecipientRcptMaps(c: Checker, recipient: string): number {
  const s = c.state;
  if (/(^|[\s,])unknown_recipient_checks($|[\s,])/i.test(c.cfg.str('receive_override_options'))) return CHECK_DUNNO;
  if (s.recipientRcptmapChecked) return CHECK_DUNNO;
  if (s.warnIfReject === 0) s.recipientRcptmapChecked = true;
  return checkRcptMaps(c, s.sender ?? '', recipient, NAME_RECIPIENT);
}

export function checkSenderRcptMaps(c: Checker, sender: string): number {
  const s = c.state;
  if (/(^|[\s,])unknown_recipient_checks($|[\s,])/i.test(c.cfg.str('receive_override_options'))) return CHECK_DUNNO;
  if (s.senderRcptmapChecked) return CHECK_DUNNO;
  if (s.warnIfReject === 0) s.senderRcptmapChecked = true;
  return checkRcptMaps(c, s.recipient ?? '', sender, NAME_SENDER);
}

/** rejectAuthSenderLoginMismatch - a logged-in client must own the sender address. */
export function rejectAuthSenderLoginMismatch(c: Checker, sender: string, allowUnknown: boolean): number {
  const s = c.state;
  const maps = c.cfg.senderLoginMaps;
  if (!maps || s.saslUsername === undefined) return CHECK_DUNNO;
  const reply = c.cfg.resolver.resolve(s.recipient ?? '', sender);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, sender);
  const answer = c.cfg.resolver.addrFind(maps, reply.recipient, MA_FIND_DEFAULT);
  if (c.tracing)
    for (const l of answer.lookups)
      c.step({
        kind: 'lookup',
        title: `${l.table} ${JSON.stringify(l.key)}`,
        result: answer.status === 'found' && l === answer.lookups.at(-1) ? `found: ${answer.value}` : 'not found',
        lookup: l,
      });
  if (answer.status === 'error') rejectDictRetry(c, sender);
  let found = false;
  if (answer.status === 'found') {
    found = splitList(answer.value!).some((owner) => owner.toLowerCase() === s.saslUsername!.toLowerCase());
  } else if (allowUnknown) return CHECK_DUNNO;
  if (!found) return c.reject('policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not owned by user ${s.saslUsername}`);
  return CHECK_DUNNO;
}

/** rejectUnauthSenderLoginMismatch - an owned sender address needs a logged-in client. */
export function rejectUnauthSenderLoginMismatch(c: Checker, sender: string): number {
  const s = c.state;
  const maps = c.cfg.senderLoginMaps;
  if (!maps || s.saslUsername !== undefined) return CHECK_DUNNO;
  const reply = c.cfg.resolver.resolve(s.recipient ?? '', sender);
  if (reply.flags & RESOLVE_FLAG_FAIL) rejectDictRetry(c, sender);
  const answer = c.cfg.resolver.addrFind(maps, reply.recipient, MA_FIND_DEFAULT);
  if (answer.status === 'error') rejectDictRetry(c, sender);
  if (answer.status === 'found') return c.reject('policy', 553, '5.7.1', `<${sender}>: Sender address rejected: not logged in`);
  return CHECK_DUNNO;
}

/** rejectUnverifiedAddress - the verify service's answer, from the facts. */
export function rejectUnverifiedAddress(
  c: Checker,
  addr: string,
  replyName: string,
  replyClass: string,
  dcode: number,
  rcode: number,
  deferNow: boolean,
  altReply: string,
): number {
  const fact = c.cfg.facts.verify.get(addr.toLowerCase());
  c.step({
    kind: 'fact',
    title: `address verification of ${addr}`,
    result: fact ? fact.status : 'probe in progress',
    ...(fact?.text && { detail: fact.text }),
  });
  const dsnDefault = replyClass === NAME_SENDER ? SENDER_DSN : '4.1.1';
  let code = 0;
  let why = fact?.text ?? 'Address verification in progress';
  if (!fact || fact.status === 'deferred') code = dcode;
  else if (fact.status === 'undeliverable') code = rcode;
  if (code >= 400 && altReply) why = altReply;
  if (Math.floor(code / 100) === 4)
    return c.deferIfPermit(deferNow, 'policy', code, dsnDefault, `<${replyName}>: ${replyClass} rejected: unverified address: ${why.slice(0, 250)}`);
  if (code >= 500) return c.reject('policy', code, dsnDefault, `<${replyName}>: ${replyClass} rejected: undeliverable address: ${why}`);
  return CHECK_DUNNO;
}

/** checkPolicyService - the policy server's action, from the facts; no answer means its default action. */
export function checkPolicyService(c: Checker, server: string, replyName: string, replyClass: string, defAcl: string | undefined): number {
  const s = c.state;
  const attrs = new Map<string, string>([
    ['request', 'smtpd_access_policy'],
    ['protocol_state', s.where],
    ['protocol_name', s.protocol],
    ['client_address', s.addr],
    ['client_name', s.name],
    ['reverse_client_name', s.reverseName],
    ['helo_name', s.heloName ?? ''],
    ['sender', s.sender ?? ''],
    ['recipient', s.recipient ?? ''],
    ['recipient_count', String(['DATA', 'BDAT', 'END-OF-MESSAGE'].includes(s.where) ? s.rcptCount : 0)],
    ['sasl_username', s.saslUsername ?? ''],
    ['sasl_method', s.saslMethod ?? ''],
    ['etrn_domain', s.etrnName ?? ''],
  ]);
  const fact = c.cfg.facts.policyAnswer(server, attrs);
  if (!fact) {
    // The client names the endpoint without its inet: or unix: prefix.
    const endpoint = server.replace(/^(inet|unix):/, '');
    if (c.cfg.facts.policy.some((p) => p.server === server)) {
      c.step({ kind: 'fact', title: `policy service ${server}`, result: 'no answer: the server closes the connection (no matching policy fact)' });
      c.warn(`problem talking to server ${endpoint}: Application error`);
    } else {
      // Nothing listens: smtpd tries twice.
      c.step({ kind: 'fact', title: `policy service ${server}`, result: 'connection refused (no policy facts for this server)' });
      const why = server.startsWith('unix:') ? 'No such file or directory' : 'Connection refused';
      for (let attempt = 0; attempt < 2; attempt++) {
        c.warn(`connect to ${endpoint}: ${why}`);
        c.warn(`problem talking to server ${endpoint}: ${why}`);
      }
    }
    return checkTableResult(c, server, c.cfg.str('smtpd_policy_service_default_action'), 'policy query', replyName, replyClass, defAcl);
  }
  c.step({ kind: 'fact', title: `policy service ${server}`, result: `action=${fact.action}`, detail: `facts line ${fact.line}` });
  return checkTableResult(c, server, fact.action, 'policy query', replyName, replyClass, defAcl);
}
