/*
 * NAME
 *   smtpd/restrictions/rcpt-maps - recipient validation: is the address a known user of its class?
 * DESCRIPTION
 *   check_rcpt_maps() of smtpd_check.c, behind reject_unlisted_recipient,
 *   reject_unlisted_sender and smtpd_reject_unlisted_{sender,recipient}:
 *   resolve the address; an address that canonical or virtual alias maps
 *   rewrite passes; an error or retry transport rejects with its text;
 *   otherwise the table of its address class must list it (local_recipient_maps,
 *   virtual_mailbox_maps, relay_recipient_maps). Each is checked once per
 *   address, and not at all when receive_override_options has
 *   no_unknown_recipient_checks.
 * SEE ALSO
 *   postconf(5) (smtpd_reject_unlisted_recipient, local_recipient_maps), ADDRESS_CLASS_README
 */
import { dsnSplit } from '../../mail/dsn.ts';
import type { Checker } from './checker.ts';
import {
  MA_FIND_DEFAULT,
  RESOLVE_CLASS_ALIAS,
  RESOLVE_CLASS_LOCAL,
  RESOLVE_CLASS_MASK,
  RESOLVE_CLASS_RELAY,
  RESOLVE_CLASS_VIRTUAL,
  RESOLVE_FLAG_FAIL,
} from './deps.ts';
import type { AccessMaps } from './deps.ts';
import { NAME_RECIPIENT, NAME_SENDER } from './names.ts';
import { CHECK_DUNNO, rejectDictRetry, rejectServerError } from './reject.ts';
import { recordLookups, traceResolve } from './trace.ts';

function addrFind(c: Checker, replyName: string, maps: AccessMaps | undefined, key: string): boolean {
  if (!maps) return false;
  const answer = c.cfg.resolver.addrFind(maps, key, MA_FIND_DEFAULT);
  recordLookups(c, answer);
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
  traceResolve(c, recipient, reply);
  if (
    addrFind(c, recipient, m.recipientCanonical, rcpt) ||
    (isSender && addrFind(c, recipient, m.senderCanonical, rcpt)) ||
    addrFind(c, recipient, m.canonical, rcpt) ||
    addrFind(c, recipient, m.virtualAlias, rcpt)
  )
    return CHECK_DUNNO;
  const fix = (dsn: string): string => c.dsnFix(dsn, replyClass);
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
