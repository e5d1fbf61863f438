/*
 * NAME
 *   resolve - trivial-rewrite's resolve: address class, transport, nexthop
 * DESCRIPTION
 *   What trivial-rewrite(8) answers smtpd and qmgr for (sender, address),
 *   the address in internal form:
 *
 *   1. Strip local domains off the end repeatedly (`user@remote@local`
 *      routes to user@remote), rewriting `%`/`!`/`@` left in the local
 *      part in the local context each time; a quoted local part with
 *      routing operators is opened (resolve_dequoted_address); an empty
 *      local part becomes $empty_address_recipient; no domain at all
 *      becomes @$myhostname.
 *   2. Check the domain's syntax: a bad `[literal]`, host name or (unless
 *      resolve_numeric_domain) bare address sets RESOLVE_FLAG_ERROR; the
 *      answer is then class default with the transport untouched.
 *      Routing operators left in the local part set RESOLVE_FLAG_ROUTED.
 *   3. Class, first match: local (was stripped in 1), virtual_alias_domains
 *      (transport error, "5.1.1 User unknown in virtual alias table"),
 *      virtual_mailbox_domains ($virtual_transport, nexthop the domain),
 *      relay_domains ($relay_transport), default ($default_transport or
 *      sender_dependent_default_transport_maps). Relay and default get
 *      the nexthop from sender_dependent_relayhost_maps, else $relayhost,
 *      else the domain. A domain listed in two classes gets "do not list
 *      domain X in BOTH A and B" (helpful_warnings).
 *   4. A `transport:nexthop` class transport sets the nexthop; then
 *      transport_maps (not for the virtual alias class); then
 *      relocated_maps ("5.1.6 User has moved to X"); a recipient starting
 *      with `-` is an error unless allow_min_user.
 *   A table failure anywhere sets RESOLVE_FLAG_FAIL with Postfix's warning.
 * SEE ALSO
 *   trivial-rewrite(8), ADDRESS_CLASS_README, transport(5), relocated(5)
 */
import { validHostaddr, validHostname, validMailhostLiteral } from '../mail/valid-hostname.ts';
import type { AddrFindOptions } from '../search/addr-find.ts';
import { mailAddrFind } from '../search/addr-find.ts';
import type { MatchList } from '../search/match-list.ts';
import type { Maps } from '../search/maps.ts';
import { quote822Local } from '../search/quote.ts';
import type { AddressClass, AddressEvent, Diagnostic } from '../trace/types.ts';
import type { LocalDomains } from './local.ts';
import type { RewriteSettings } from './rewrite.ts';
import { rewriteTokens } from './rewrite.ts';
import type { Token } from '../util/tok822.ts';
import { internalize, lastIndexOfType, scanTokens } from '../util/tok822.ts';
import type { Route } from './transport.ts';
import { splitAt, transportLookup } from './transport.ts';

/** RESOLVE_FLAG_* and RESOLVE_CLASS_* (resolve_clnt.h). */
export const RESOLVE = {
  FLAG_FINAL: 1 << 0,
  FLAG_ROUTED: 1 << 1,
  FLAG_ERROR: 1 << 2,
  FLAG_FAIL: 1 << 3,
  CLASS_LOCAL: 1 << 8,
  CLASS_ALIAS: 1 << 9,
  CLASS_VIRTUAL: 1 << 10,
  CLASS_RELAY: 1 << 11,
  CLASS_DEFAULT: 1 << 12,
} as const;
export const RESOLVE_CLASS_FINAL = RESOLVE.CLASS_LOCAL | RESOLVE.CLASS_ALIAS | RESOLVE.CLASS_VIRTUAL;

/** The class name of RESOLVE_CLASS_* flags. */
export function classOf(flags: number): AddressClass {
  if (flags & RESOLVE.CLASS_LOCAL) return 'local';
  if (flags & RESOLVE.CLASS_ALIAS) return 'virtual_alias';
  if (flags & RESOLVE.CLASS_VIRTUAL) return 'virtual_mailbox';
  if (flags & RESOLVE.CLASS_RELAY) return 'relay';
  return 'default';
}

/** What the resolver was built from (opened lists and maps, settings). */
export interface ResolveState {
  rewrite: RewriteSettings;
  local: LocalDomains;
  virtAliasDoms?: MatchList;
  virtMailboxDoms?: MatchList;
  relayDomains?: MatchList;
  transportMaps?: Maps;
  transportParentStyle: boolean;
  relocatedMaps?: Maps;
  sndRelayMaps?: Maps;
  sndDefXportMaps?: Maps;
  find: Omit<AddrFindOptions, 'strategy'>;
  p: {
    myhostname: string;
    emptyAddressRecipient: string;
    localTransport: string;
    virtualTransport: string;
    relayTransport: string;
    defaultTransport: string;
    relayhost: string;
    nullRelayKey: string;
    nullDefXportKey: string;
    swapBangpath: boolean;
    percentHack: boolean;
    resolveDequoted: boolean;
    resolveNullDomain: boolean;
    resolveNumericDomain: boolean;
    helpfulWarnings: boolean;
    showUnknownRcptTable: boolean;
    allowMinUser: boolean;
    smtputf8: boolean;
    configDirectory: string;
  };
}

/** trivial-rewrite's resolve answer. */
export interface ResolveReply {
  transport: string;
  nexthop: string;
  recipient: string;
  flags: number;
  class: AddressClass;
  /** Set with RESOLVE_FLAG_FAIL / RESOLVE_FLAG_ERROR: why. */
  error?: Diagnostic;
  warnings: Diagnostic[];
  trace: AddressEvent[];
}

/** resolveAddr - resolve_addr(): one `resolve` request. */
export function resolveAddr(st: ResolveState, sender: string, addr: string): ResolveReply {
  const { p } = st;
  const trace: AddressEvent[] = [];
  let transport = 'CHANNEL NOT UPDATED';
  let nexthop = 'NEXTHOP NOT UPDATED';
  let recipient = 'NEXTRCPT NOT UPDATED';
  let flags = 0;
  const warn = (message: string): Diagnostic => {
    const d: Diagnostic = { severity: 'warning', message };
    trace.push({ kind: 'diagnostic', diagnostic: d });
    return d;
  };
  const reply = (error?: Diagnostic): ResolveReply => ({
    transport,
    nexthop,
    recipient,
    flags,
    class: classOf(flags),
    ...(error && { error }),
    warnings: warningsOf(trace),
    trace,
  });
  const fail = (message: string): ResolveReply => {
    flags |= RESOLVE.FLAG_FAIL;
    return reply(warn(message));
  };

  let tree: Token[] = scanTokens(quote822Local(addr));
  let saved: Token[] | undefined;
  let remote = false;
  const loopMax = addr.length + 100;
  for (let loop = 0; ; loop++) {
    if (loop > loopMax) return fail(`resolve_addr: <${addr}>: giving up after ${loop} iterations`);
    const n = tree.length;
    if (n >= 2 && tree[n - 1]!.type === '.' && lastIndexOfType(tree, '@') >= 0 && tree[n - 2]!.type !== '.' && tree[n - 2]!.type !== '@')
      tree = tree.slice(0, -1);
    if (p.resolveNullDomain && tree.length && tree[tree.length - 1]!.type === '@') tree = tree.slice(0, -1);
    const at = lastIndexOfType(tree, '@');
    if (at >= 0) {
      if (at + 1 < tree.length) {
        const domain = internalize(tree.slice(at + 1));
        const rc = st.local.resolveLocal(domain, trace);
        if (rc < 0) return fail('mydestination lookup failure');
        if (rc === 0) {
          remote = true;
          break;
        }
        trace.push({ kind: 'note', text: `strip local domain @${domain}` });
      }
      saved = tree.slice(at);
      tree = tree.slice(0, at);
    }
    if (lastIndexOfType(tree, '@') >= 0 || (p.swapBangpath && lastIndexOfType(tree, '!') >= 0) || (p.percentHack && lastIndexOfType(tree, '%') >= 0)) {
      tree = rewriteTokens(tree, 'local', st.rewrite, trace);
      continue;
    }
    const head = tree[0];
    if (p.resolveDequoted && tree.length === 1 && head!.type === 'qstring') {
      const local = head!.text;
      // Postfix looks for '@' first, then '%', then '!': the first kind present wins.
      const pick =
        local.lastIndexOf('@') >= 0
          ? local.lastIndexOf('@')
          : p.percentHack && local.lastIndexOf('%') >= 0
            ? local.lastIndexOf('%')
            : p.swapBangpath
              ? local.lastIndexOf('!')
              : -1;
      if (pick >= 0) {
        let text = local;
        if (text[pick] === '%') text = text.slice(0, pick) + '@' + text.slice(pick + 1);
        if (text[pick] === '@') text = quote822Local(text);
        tree = scanTokens(text);
        tree = rewriteTokens(tree, 'local', st.rewrite, trace);
        trace.push({ kind: 'note', text: `resolve_dequoted_address: open quoted local part "${local}"` });
        continue;
      }
    }
    if (tree.length === 1 && head!.type === 'qstring' && head!.text === '') tree = [];
    if (tree.length === 0) {
      tree = scanTokens(p.emptyAddressRecipient);
      trace.push({ kind: 'note', text: `empty local part becomes ${p.emptyAddressRecipient}` });
      continue;
    }
    if (!saved) {
      tree = [...tree, { type: '@', text: '@' }, ...scanTokens(p.myhostname)];
      continue;
    }
    break;
  }
  if (!remote) tree = saved ? [...tree, ...saved] : [...tree, { type: '@', text: '@' }, ...scanTokens(p.myhostname)];

  recipient = internalize(tree);
  let rcptDomain = recipient.slice(recipient.lastIndexOf('@') + 1);
  let isLocal = !remote;
  if (rcptDomain.startsWith('[')) {
    if (!validMailhostLiteral(rcptDomain)) flags |= RESOLVE.FLAG_ERROR;
  } else if (!hostnameOk(rcptDomain, p.smtputf8)) {
    if (p.resolveNumericDomain && validHostaddr(rcptDomain)) {
      recipient = recipient.slice(0, recipient.length - rcptDomain.length) + `[${rcptDomain}]`;
      rcptDomain = `[${rcptDomain}]`;
      const rc = st.local.resolveLocal(rcptDomain, trace);
      if (rc > 0) isLocal = true;
      else if (rc < 0) return fail('mydestination lookup failure');
    } else flags |= RESOLVE.FLAG_ERROR;
  }
  if (flags & RESOLVE.FLAG_ERROR) {
    flags |= RESOLVE.CLASS_DEFAULT;
    trace.push({ kind: 'note', text: `bad destination syntax: ${rcptDomain}` });
    return reply();
  }
  const routingAt = recipient.search(/[@!%]/);
  if (recipient.slice(routingAt + 1) !== rcptDomain) flags |= RESOLVE.FLAG_ROUTED;

  const listed = (list: MatchList | undefined): boolean => {
    if (!list) return false;
    const r = list.match(rcptDomain);
    trace.push({ kind: 'list', trace: r.trace });
    return r.matched;
  };
  const failed = (list: MatchList | undefined): boolean => {
    if (!list) return false;
    const r = list.match(rcptDomain);
    return r.error !== undefined;
  };
  const both = (a: string, b: string): void => void warn(`do not list domain ${rcptDomain} in BOTH ${a} and ${b}`);
  let blame = '';
  let channel: string;
  if (!isLocal) {
    if (listed(st.virtAliasDoms)) {
      if (p.helpfulWarnings) {
        if (st.virtMailboxDoms?.match(rcptDomain).matched) both('virtual_alias_domains', 'virtual_mailbox_domains');
        if (st.relayDomains?.match(rcptDomain).matched) both('virtual_alias_domains', 'relay_domains');
      }
      channel = 'error';
      nexthop = `5.1.1 User unknown${p.showUnknownRcptTable ? ' in virtual alias table' : ''}`;
      flags |= RESOLVE.CLASS_ALIAS;
    } else if (failed(st.virtAliasDoms)) {
      return fail('virtual_alias_domains lookup failure');
    } else if (listed(st.virtMailboxDoms)) {
      if (p.helpfulWarnings && st.relayDomains?.match(rcptDomain).matched) both('virtual_mailbox_domains', 'relay_domains');
      channel = p.virtualTransport;
      nexthop = rcptDomain;
      blame = 'virtual_transport';
      flags |= RESOLVE.CLASS_VIRTUAL;
    } else if (failed(st.virtMailboxDoms)) {
      return fail('virtual_mailbox_domains lookup failure');
    } else {
      if (listed(st.relayDomains)) {
        channel = p.relayTransport;
        blame = 'relay_transport';
        flags |= RESOLVE.CLASS_RELAY;
      } else if (failed(st.relayDomains)) {
        return fail('relay_domains lookup failure');
      } else {
        channel = p.defaultTransport;
        blame = 'default_transport';
        if (st.sndDefXportMaps) {
          const key = sender !== '' ? sender : p.nullDefXportKey;
          const r = mailAddrFind(st.sndDefXportMaps, key, st.find);
          trace.push({ kind: 'find', trace: r.trace });
          if (r.status === 'found') {
            let xport = r.value!;
            if (xport === '') {
              warn(`sender_dependent_default_transport_maps: ignoring null lookup result for ${key}`);
              xport = 'DUNNO';
            }
            channel = xport.toLowerCase() === 'dunno' ? p.defaultTransport : xport;
            blame = 'sender_dependent_default_transport_maps';
          } else if (r.status === 'error') return fail('sender_dependent_default_transport_maps lookup failure');
        }
        flags |= RESOLVE.CLASS_DEFAULT;
      }
      let relay: string | undefined;
      if (st.sndRelayMaps) {
        const key = sender !== '' ? sender : p.nullRelayKey;
        const r = mailAddrFind(st.sndRelayMaps, key, st.find);
        trace.push({ kind: 'find', trace: r.trace });
        if (r.status === 'found') {
          relay = r.value!;
          if (relay === '') {
            warn(`sender_dependent_relayhost_maps: ignoring null lookup result for ${key}`);
            relay = undefined;
          } else if (relay.toLowerCase() === 'dunno') relay = undefined;
        } else if (r.status === 'error') return fail('sender_dependent_relayhost_maps lookup failure');
      }
      nexthop = relay ?? (p.relayhost !== '' ? p.relayhost : rcptDomain);
      trace.push({
        kind: 'note',
        text:
          relay !== undefined
            ? `nexthop ${relay} from sender_dependent_relayhost_maps`
            : p.relayhost !== ''
              ? `nexthop ${p.relayhost} from relayhost`
              : `nexthop is the recipient domain`,
      });
    }
  } else {
    if (p.helpfulWarnings) {
      if (st.virtAliasDoms?.match(rcptDomain).matched) both('mydestination', 'virtual_alias_domains');
      if (st.virtMailboxDoms?.match(rcptDomain).matched) both('mydestination', 'virtual_mailbox_domains');
    }
    channel = p.localTransport;
    nexthop = rcptDomain;
    blame = 'local_transport';
    flags |= RESOLVE.CLASS_LOCAL;
  }
  trace.push({ kind: 'class', domain: rcptDomain, class: classOf(flags) });

  const [chan, dest] = splitAt(channel, ':');
  transport = chan;
  if (dest !== undefined && dest !== '') nexthop = dest;
  trace.push({ kind: 'transport', step: blame || 'class', transport, nexthop, source: channel });
  if (transport === '') return fail(`file ${p.configDirectory}/main.cf: parameter ${blame}: null transport is not allowed`);

  if (st.transportMaps && !(flags & RESOLVE.CLASS_ALIAS)) {
    const route: Route = { transport, nexthop };
    const r = transportLookup(st.transportMaps, recipient, rcptDomain, route, { ...st.find, parentStyle: st.transportParentStyle }, trace);
    if (r.status === 'found') ({ transport, nexthop } = r.route);
    else if (r.status === 'error') return fail('transport_maps lookup failure');
  }
  if (st.relocatedMaps) {
    const r = mailAddrFind(st.relocatedMaps, recipient, st.find);
    trace.push({ kind: 'find', trace: r.trace });
    if (r.status === 'found') {
      transport = 'error';
      nexthop = `5.1.6 User has moved to ${r.value}`;
      trace.push({ kind: 'transport', step: 'relocated_maps', transport, nexthop, source: r.value! });
    } else if (r.status === 'error') return fail('relocated_maps lookup failure');
  }
  if (!p.allowMinUser && recipient.startsWith('-')) {
    flags |= RESOLVE.FLAG_ERROR;
    trace.push({ kind: 'note', text: 'recipient starts with "-" (allow_min_user = no)' });
  }
  return reply();
}

/** warningsOf - what Postfix logs, in order: table and list failures, then the resolver's own warnings. */
export function warningsOf(trace: readonly AddressEvent[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of trace) {
    if (e.kind === 'diagnostic') out.push(e.diagnostic);
    else if (e.kind === 'list' && e.trace.error) out.push(...(e.trace.warnings ?? []), e.trace.error);
    else if (e.kind === 'maps') out.push(...(e.trace.warnings ?? []));
    else if (e.kind === 'find') for (const k of e.trace.keys) out.push(...(k.warnings ?? []));
  }
  return out;
}

/** valid_utf8_hostname() as resolve uses it (no complaints). */
function hostnameOk(name: string, smtputf8: boolean): boolean {
  if (/[^\x00-\x7f]/.test(name)) return smtputf8 && name.split('.').every((l) => l.length > 0 && l.length <= 63);
  return validHostname(name);
}

/** resolveClassOf - resolve_class(): the class bit of `domain`, or -1 when a list lookup failed. */
export function resolveClassOf(st: ResolveState, domain: string): number {
  const rc = st.local.resolveLocal(domain);
  if (rc !== 0) return rc > 0 ? RESOLVE.CLASS_LOCAL : -1;
  for (const [list, bit] of [
    [st.virtAliasDoms, RESOLVE.CLASS_ALIAS],
    [st.virtMailboxDoms, RESOLVE.CLASS_VIRTUAL],
    [st.relayDomains, RESOLVE.CLASS_RELAY],
  ] as const) {
    if (!list) continue;
    const r = list.match(domain);
    if (r.matched) return bit;
    if (r.error) return -1;
  }
  return RESOLVE.CLASS_DEFAULT;
}
