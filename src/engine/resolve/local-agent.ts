/*
 * NAME
 *   local-agent - what local(8) does with a recipient: aliases, mailbox, unknown user
 * DESCRIPTION
 *   As local(8) handles a recipient in verify mode (sendmail -bv) and, the
 *   same way, in delivery: the local part (case-folded) is looked up in
 *   alias_maps, first with its extension (`user+ext`), then without; an
 *   alias's value is a list of destinations: `|command`, `/file`,
 *   `:include:/file` (read and handled the same way), or addresses, which
 *   are rewritten and resolved again: those that resolve to this local
 *   transport are handled here recursively, the others are forwarded
 *   ("forwards to X"). An alias that lists its own name delivers to the
 *   user. Nesting deeper than 100 steps is "alias database loop"; an
 *   :include: file is read once per delivery, so one that includes itself
 *   ends there. Without
 *   an alias, a user in the password file gets "delivers to mailbox";
 *   otherwise luser_relay, fallback_transport or "unknown user".
 *   Duplicate deliveries are suppressed as local's duplicate filter does.
 *   At each step (the recipient, each alias member handled here) a
 *   recipient that a Delivered-To: header of the message already names is
 *   bounced: "mail forwarding loop for ADDRESS" (5.4.6).
 * SEE ALSO
 *   local(8), aliases(5)
 */
import { macExpand } from '../config/expand.ts';
import { deliveredHdrFind } from './delivered-hdr.ts';
import { splitList } from '../util/lists.ts';
import { splitExtension } from '../search/addr-find.ts';
import type { Maps } from '../search/maps.ts';
import type { Table } from '../tables/types.ts';
import { foldKey } from '../util/casefold.ts';
import type { AddressEvent, Diagnostic } from '../trace/types.ts';
import type { Token } from '../util/tok822.ts';
import { internalize, parseAddressList } from '../util/tok822.ts';

/** One delivery agent report: one record in the mail log. */
export interface AgentReport {
  /** The agent, as it logs itself: postfix/local, postfix/virtual, postfix/pipe, postfix/error, ... */
  agent: string;
  /** The recipient in internal form. */
  to: string;
  /** The original recipient (internal form), before any rewriting. */
  origTo: string;
  relay: string;
  dsn: string;
  /** Verify-mode status; `unknown` when the outcome needs the network (smtp, lmtp); `bounced` by cleanup itself. */
  status: 'deliverable' | 'undeliverable' | 'unknown' | 'bounced';
  text: string;
  target?: DeliveryTarget;
}

/** Where the mail would end up. */
export type DeliveryTarget =
  | { kind: 'mailbox'; user: string }
  | { kind: 'virtual-mailbox'; path: string; format: 'maildir' | 'mbox'; uid: number; gid: number }
  | { kind: 'command'; command: string }
  | { kind: 'file'; path: string }
  | { kind: 'forward'; address: string }
  | { kind: 'remote'; transport: string; nexthop: string }
  | { kind: 'none'; reason: string };

/** What local(8) needs from the rest of the simulator. */
export interface LocalEnvironment {
  aliasMaps?: Maps;
  /** The password file (unix:passwd.byname): getpwnam(). */
  passwd: Table;
  recipientDelimiter: string;
  ownerRequestSpecial: boolean;
  doubleBounceSender: string;
  /** allow_mail_to_commands / allow_mail_to_files: which expansion types may use them. */
  commandsFrom: ReadonlySet<string>;
  filesFrom: ReadonlySet<string>;
  luserRelay: string;
  fallbackTransport: string;
  mailboxTransport: string;
  mailboxCommand: string;
  homeMailbox: string;
  mailSpoolDirectory: string;
  /** deliver_pass(): what the agent of `transport` reports for the recipient. */
  pass(transport: string, nexthop: string, rcpt: string, origTo: string): AgentReport;
  readFile(path: string): string | undefined;
  /** The message's Delivered-To: addresses (delivered_hdr_init); absent or empty: none. */
  delivered?: ReadonlySet<string>;
  /** Rewrite (local context) and resolve an address as local's deliver_resolve_addr(). */
  resolve(address: string): { transport: string; recipient: string; flags: number };
}

interface State {
  level: number;
  expFrom?: string;
  expType: 'alias' | 'include' | 'forward' | '';
  origTo: string;
  relay: string;
  /** The owner- alias in force (delivery errors go there): members are forwarded. */
  owner?: string;
}

/**
 * localDeliver - deliver_recipient() for `address` (internal form, with
 * domain) on the local service `relay`. Reports are appended to `out`.
 */
export function localDeliver(env: LocalEnvironment, address: string, origTo: string, relay: string, out: AgentReport[], events: AddressEvent[]): void {
  const dups = new Set<string>();
  const report = (s: State, to: string, dsn: string, text: string, target?: DeliveryTarget): void => {
    out.push({
      agent: 'postfix/local',
      to,
      origTo: s.origTo,
      relay: s.relay,
      dsn,
      status: dsn.startsWith('2') ? 'deliverable' : 'undeliverable',
      text,
      ...(target && { target }),
    });
  };
  const warn = (message: string): void => {
    const d: Diagnostic = { severity: 'warning', message };
    events.push({ kind: 'diagnostic', diagnostic: d, program: 'local' });
  };

  function recipient(s0: State, rcpt: string): void {
    const s = { ...s0, level: s0.level + 1 };
    if (dups.has(`recipient ${s.level} ${rcpt}`)) return;
    dups.add(`recipient ${s.level} ${rcpt}`);
    // At each step of expansion: a recipient the message was already delivered to is a loop.
    if (env.delivered?.size) {
      const { key, found } = deliveredHdrFind(env.delivered, rcpt);
      events.push({ kind: 'delivered-to', recipient: rcpt, key, loop: found });
      if (found) return report(s, rcpt, '5.4.6', `mail forwarding loop for ${rcpt}`, { kind: 'none', reason: 'mail forwarding loop' });
    }
    const local = foldKey(rcpt);
    const at = local.lastIndexOf('@');
    const localPart = at >= 0 ? local.slice(0, at) : local;
    const split = env.recipientDelimiter ? splitExtension(localPart, env.recipientDelimiter, env) : undefined;
    let user = split ? split[0] : localPart;
    let full = localPart;
    if (split && split[1].includes('/')) {
      warn(`address with illegal extension: ${local}`);
      full = user;
    }
    if (user === '') return report(s, rcpt, '5.1.3', `null username in "${rcpt}"`);
    // deliver_switch
    const sw = { ...s, level: s.level + 1 };
    if (rcpt.startsWith('\\')) {
      user = user.slice(1);
      return mailboxOrUnknown(sw, rcpt.slice(1), user, full.slice(1));
    }
    if (alias(sw, rcpt, full)) return;
    if (split && full !== user && alias(sw, rcpt, user)) return;
    // Mail expanded under an owner- alias, or from an :include: file, is forwarded.
    if ((sw.owner !== undefined && foldKey(sw.owner) !== user) || sw.expType === 'include') return indirect(sw, rcpt);
    mailboxOrUnknown(sw, rcpt, user, full);
  }

  function mailboxOrUnknown(s: State, rcpt: string, user: string, local: string): void {
    if (dups.has(`mailbox ${local}`)) return;
    dups.add(`mailbox ${local}`);
    // mailbox_transport takes every recipient, known or not (deliver_pass with the request's nexthop).
    if (env.mailboxTransport) return void out.push(passTo(s, env.mailboxTransport, rcpt));
    const pw = env.passwd.lookup(user);
    events.push({ kind: 'maps', trace: { maps: 'getpwnam', key: user, partial: false, status: pw.status, table: env.passwd.spec, lookups: [pw.trace] } });
    if (pw.status === 'error') {
      warn(`error looking up passwd info for ${user}: Resource temporarily unavailable`);
      return report(s, rcpt, '4.0.0', 'user lookup error');
    }
    if (pw.status === 'found') {
      if (env.mailboxCommand) return report(s, rcpt, '2.0.0', `delivers to command: ${env.mailboxCommand}`, { kind: 'command', command: env.mailboxCommand });
      const maildir = env.homeMailbox ? env.homeMailbox.endsWith('/') : env.mailSpoolDirectory.endsWith('/');
      return report(s, rcpt, '2.0.0', maildir ? 'delivers to maildir' : 'delivers to mailbox', { kind: 'mailbox', user });
    }
    if (dups.has(`deliver_unknown ${local}`)) return;
    dups.add(`deliver_unknown ${local}`);
    if (env.fallbackTransport) return void out.push(passTo(s, env.fallbackTransport, rcpt));
    if (env.luserRelay) {
      const at = rcpt.lastIndexOf('@');
      const attrs: Record<string, string> = {
        user,
        local,
        domain: at >= 0 ? foldKey(rcpt.slice(at + 1)) : '',
        recipient: rcpt,
        extension: local.length > user.length ? local.slice(user.length + 1) : '',
        recipient_delimiter: local.length > user.length ? local[user.length]! : '',
      };
      // local_expand(): only the delivery attributes are known names.
      const target = macExpand(env.luserRelay, { lookup: (n) => attrs[n] }).value;
      events.push({ kind: 'note', text: `luser_relay: ${user} goes to ${target}` });
      const canon = env.resolve(target);
      if (foldKey(canon.recipient) === foldKey(rcpt)) return report(s, rcpt, '5.1.1', `unknown user: "${user}"`, { kind: 'none', reason: 'unknown user' });
      return resolveTree({ ...s, expType: '' }, target);
    }
    if (user === 'mailer-daemon' || user === 'postmaster') {
      warn(`required alias not found: ${user}`);
      return report(s, rcpt, '2.0.0', 'discarded', { kind: 'none', reason: 'required alias not found' });
    }
    report(s, rcpt, '5.1.1', `unknown user: "${user}"`, { kind: 'none', reason: 'unknown user' });
  }

  /** deliver_pass(): `transport[:nexthop]`, the nexthop defaulting to the request's (the recipient domain). */
  function passTo(s: State, service: string, rcpt: string): AgentReport {
    const colon = service.indexOf(':');
    const transport = colon < 0 ? service : service.slice(0, colon);
    const nexthop = colon < 0 || colon === service.length - 1 ? rcpt.slice(rcpt.lastIndexOf('@') + 1) : service.slice(colon + 1);
    events.push({ kind: 'transport', step: 'local passes the recipient on', transport, nexthop, source: service });
    return env.pass(transport, nexthop, rcpt, s.origTo);
  }

  /** deliver_alias(): true when the alias decided. */
  function alias(s0: State, rcpt: string, name: string): boolean {
    const maps = env.aliasMaps;
    if (!maps) return false;
    const s: State = { ...s0, level: s0.level + 1 };
    if (s.expFrom !== undefined && foldKey(s.expFrom) === foldKey(name)) return false;
    if (s.level > 100) {
      warn(`alias database loop for ${name}`);
      report(s, rcpt, '5.4.6', `alias database loop for ${name}`);
      return true;
    }
    for (const table of maps.tables) {
      const r = table.lookup(name);
      events.push({
        kind: 'maps',
        trace: {
          maps: 'alias_maps',
          key: name,
          partial: false,
          status: r.status,
          ...(r.status === 'found' && { value: r.value }),
          table: table.spec,
          lookups: [r.trace],
        },
      });
      if (r.status === 'found') {
        const value = r.value;
        const owner = env.ownerRequestSpecial ? `owner-${name}` : undefined;
        const ownerHit = owner !== undefined ? maps.find(owner, false) : undefined;
        if (ownerHit?.status === 'found') events.push({ kind: 'note', text: `owner alias ${owner}: delivery errors go to ${owner}` });
        const items = parseAddressList(value);
        events.push({
          kind: 'map',
          step: 'alias',
          parameter: 'alias_maps',
          before: rcpt,
          after: items.map((t) => internalize(t)),
          note: `${table.spec} ${name}`,
        });
        if (ownerHit?.status === 'error') {
          report(s, rcpt, '4.3.0', 'alias database unavailable');
          return true;
        }
        const next: State = { ...s, expFrom: name, expType: 'alias' };
        if (ownerHit?.status === 'found') {
          // The owner takes delivery errors; the original recipient is no longer reported.
          next.owner = env.resolve(owner!).recipient;
          next.origTo = '';
        }
        if (items.length === 0) {
          warn(`no recipient in alias lookup result for ${name}`);
          report(s, rcpt, '4.3.0', 'alias database unavailable');
          return true;
        }
        for (const item of items) tokenAddr(next, rcpt, item);
        return true;
      }
      if (r.status === 'error') {
        warn(`${table.type}:${table.name}: lookup of '${name}' failed`);
        report(s, rcpt, '4.3.0', 'alias database unavailable');
        return true;
      }
    }
    return false;
  }

  function tokenAddr(s: State, rcpt: string, tokens: Token[]): void {
    token(s, rcpt, internalize(tokens));
  }

  /** deliver_token(): one destination of an alias or include file. */
  function token(s: State, rcpt: string, text: string): void {
    if (text.startsWith('/')) {
      if (!env.filesFrom.has(s.expType)) return report(s, rcpt, '5.7.1', 'mail to file is restricted');
      return report(s, rcpt, '2.0.0', `delivers to file: ${text}`, { kind: 'file', path: text });
    }
    if (text.startsWith('|')) {
      if (!env.commandsFrom.has(s.expType)) return report(s, rcpt, '5.7.1', 'mail to command is restricted');
      return report(s, rcpt, '2.0.0', `delivers to command: ${text.slice(1)}`, { kind: 'command', command: text.slice(1) });
    }
    if (text.toLowerCase().startsWith(':include:')) return include(s, rcpt, text.slice(9));
    resolveTree(s, text);
  }

  function include(s0: State, rcpt: string, path: string): void {
    const s = { ...s0, level: s0.level + 1 };
    // Each :include: file is read once per delivery (been_here "include UID PATH"): one that
    // includes itself, directly or through others, adds nothing the second time.
    if (dups.has(`include ${path}`)) return;
    dups.add(`include ${path}`);
    if (!path.startsWith('/')) {
      warn(`:include:${path} uses a relative path`);
      return report(s, rcpt, '5.3.5', 'mail system configuration error');
    }
    const text = env.readFile(path);
    if (text === undefined) {
      warn(`unable to lookup :include: file ${path}: No such file or directory`);
      return report(s, rcpt, '5.3.5', 'mail system configuration error');
    }
    const next: State = { ...s, expType: 'include' };
    for (const line of text.split('\n')) {
      if (line.trimStart().startsWith('#')) continue;
      for (const item of parseAddressList(line)) tokenAddr(next, rcpt, item);
    }
  }

  /** deliver_resolve_tree(): rewrite, resolve, then local recursion or forwarding. */
  function resolveTree(s0: State, text: string): void {
    const s = { ...s0, level: s0.level + 1 };
    const r = env.resolve(text);
    if (r.flags & 8) return report(s, text, '4.3.0', 'address resolver failure');
    if (r.flags & 4) return report(s, text, '5.1.3', `bad recipient address syntax: ${r.recipient}`);
    if (r.transport === s.relay) return recipient(s, r.recipient);
    indirect(s, r.recipient);
  }

  /** deliver_indirect(): hand the recipient back to the mail system. */
  function indirect(s: State, rcpt: string): void {
    if (dups.has(`indirect ${rcpt}`)) return;
    dups.add(`indirect ${rcpt}`);
    report(s, rcpt, '2.0.0', `forwards to ${rcpt}`, { kind: 'forward', address: rcpt });
  }

  recipient({ level: 0, expType: '', origTo, relay }, address);
}

/** expansionTypes - allow_mail_to_commands / allow_mail_to_files as a set of expansion types. */
export function expansionTypes(value: string): Set<string> {
  return new Set(splitList(value).map((v) => v.toLowerCase()));
}
