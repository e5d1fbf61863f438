/*
 * NAME
 *   consumer - look a key up in tables as one Postfix program would
 * SYNOPSIS
 *   lookupAs(consumer, maps, key, options)
 * DESCRIPTION
 *   postmap -q asks a table for one key. The programs that use a table ask
 *   for several keys derived from an address or a name, in their own order,
 *   and the first key found decides. This runs those orders over one list
 *   of tables so a user can see which key a program would find:
 *
 *   access     smtpd's access(5) lookups. A mail address (a key with `@`):
 *              user+ext@domain, user@domain, domain, its parent domains
 *              (`.parent`, or `parent` when smtpd_access_maps is listed in
 *              parent_domain_matches_subdomains), user+ext@, user@. A
 *              client address: the address, then its shorter networks
 *              (1.2.3, 1.2, 1; IPv6 by fields). A host name: the name,
 *              then its parent domains. Only the first key is full; the
 *              others are partial and skip pattern tables.
 *   transport  transport(5): user+ext@domain, user@domain, domain, parent
 *              domains (by transport_maps in parent_domain_matches_subdomains),
 *              then the `*` wildcard.
 *   virtual    virtual(5) aliases as cleanup asks them: user+ext@domain,
 *              user@domain, user+ext and user when the domain is local
 *              ($myorigin, mydestination, inet_interfaces), @domain.
 *              Keys in external (quoted) form first.
 *   canonical  canonical(5): the same order, keys in external form only.
 *   aliases    local(8) alias_maps: the local part folded to lower case,
 *              with its extension, then without.
 *
 *   The same order is run by the program itself elsewhere in the engine
 *   (mail_addr_find for transport, virtual and canonical; smtpd's access
 *   checks; local's deliver_alias); this module only names the options
 *   each program passes, so the orders stay defined once in addr-find.ts.
 * SEE ALSO
 *   access(5), transport(5), virtual(5), canonical(5), aliases(5), mail_addr_find(3)
 */
import { foldKey } from '../util/casefold.ts';
import { parseAddress } from '../util/inet.ts';
import type { AddrFindTrace, Diagnostic, MapsTrace } from '../trace/types.ts';
import type { AddrFindOptions, QueryForm } from './addr-find.ts';
import { MA_FIND, MA_FIND_DEFAULT, mailAddrFind, splitExtension } from './addr-find.ts';
import type { Maps } from './maps.ts';

/** The programs whose search order lookupAs follows. */
export type Consumer = 'access' | 'transport' | 'virtual' | 'canonical' | 'aliases';

/** Every consumer, with the parameter whose tables it usually reads. */
export const CONSUMERS: readonly { consumer: Consumer; parameter: string; title: string }[] = [
  { consumer: 'access', parameter: 'smtpd_access_maps', title: 'smtpd access(5) check' },
  { consumer: 'transport', parameter: 'transport_maps', title: 'trivial-rewrite transport(5)' },
  { consumer: 'virtual', parameter: 'virtual_alias_maps', title: 'cleanup virtual(5) alias' },
  { consumer: 'canonical', parameter: 'canonical_maps', title: 'cleanup canonical(5)' },
  { consumer: 'aliases', parameter: 'alias_maps', title: 'local(8) aliases(5)' },
];

/** What the consumer knows from main.cf. */
export interface ConsumerOptions extends Omit<AddrFindOptions, 'strategy' | 'queryForm' | 'internalResult'> {
  /**
   * The consumer's parameter (smtpd_access_maps, transport_maps) is listed in
   * parent_domain_matches_subdomains: parents are tried as `parent`, not `.parent`.
   */
  parentStyle?: boolean;
}

/** What lookupAs found, and every key it tried in order. */
export interface ConsumerLookup {
  consumer: Consumer;
  /** What kind of key the consumer saw (for access: mail address, client address, host name). */
  keyKind: 'mail address' | 'client address' | 'host name' | 'local part';
  status: 'found' | 'notfound' | 'error';
  value?: string;
  /** The key that found the value. */
  key?: string;
  /** The address extension stripped to find the value (with its delimiter). */
  extension?: string;
  error?: Diagnostic;
  /** Each key sent to the tables, in order (a key goes to every table before the next key). */
  steps: MapsTrace[];
  /** mail_addr_find's strategy in Postfix's names, when the consumer uses it. */
  strategy?: string[];
}

/** lookupAs - the keys `consumer` derives from `key`, sent to `maps` until one is found. */
export function lookupAs(consumer: Consumer, maps: Maps, key: string, options: ConsumerOptions): ConsumerLookup {
  switch (consumer) {
    case 'access':
      if (key.includes('@')) return addrFind(consumer, 'mail address', maps, key, accessStrategy(options), 'external-first', options);
      if (parseAddress(key.replace(/^\[(.*)\]$/, '$1')) !== undefined) return accessClientAddress(maps, key.replace(/^\[(.*)\]$/, '$1'));
      return accessHostName(maps, key, options);
    case 'transport': {
      const parent = options.parentStyle ? MA_FIND.PDMS : MA_FIND.PDDMDS;
      const r = addrFind(consumer, 'mail address', maps, key, MA_FIND.FULL | MA_FIND.NOEXT | MA_FIND.DOMAIN | parent, 'external-first', options);
      if (r.status !== 'notfound') return r;
      // The wildcard is looked up as a full key, so pattern tables see it too.
      return finish(r, maps.find('*', false), '*');
    }
    case 'virtual':
      return addrFind(consumer, 'mail address', maps, key, MA_FIND_DEFAULT, 'external-first', options);
    case 'canonical':
      return addrFind(consumer, 'mail address', maps, key, MA_FIND_DEFAULT, 'external', options);
    case 'aliases':
      return aliases(maps, key, options);
  }
}

/** smtpd's strategy for sender and recipient access: full, noext, domain, parents, localpart_at. */
const accessStrategy = (o: ConsumerOptions): number =>
  MA_FIND.FULL | MA_FIND.NOEXT | MA_FIND.DOMAIN | MA_FIND.LOCALPART_AT | (o.parentStyle ? MA_FIND.PDMS : MA_FIND.PDDMDS);

function addrFind(
  consumer: Consumer,
  keyKind: ConsumerLookup['keyKind'],
  maps: Maps,
  key: string,
  strategy: number,
  queryForm: QueryForm,
  options: ConsumerOptions,
): ConsumerLookup {
  const r = mailAddrFind(maps, key, { ...options, strategy, queryForm });
  return fromAddrFind(consumer, keyKind, r.trace, r.error);
}

function fromAddrFind(consumer: Consumer, keyKind: ConsumerLookup['keyKind'], t: AddrFindTrace, error?: Diagnostic): ConsumerLookup {
  return {
    consumer,
    keyKind,
    status: t.status,
    ...(t.value !== undefined && { value: t.value }),
    ...(t.key !== undefined && { key: t.key }),
    ...(t.extension !== undefined && { extension: t.extension }),
    ...(error && { error }),
    steps: [...t.keys],
    strategy: t.strategy,
  };
}

/** Adds one more maps search (the transport wildcard) to an unfinished lookup. */
function finish(r: ConsumerLookup, m: ReturnType<Maps['find']>, key: string): ConsumerLookup {
  const steps = [...r.steps, m.trace];
  if (m.status === 'found') return { ...r, status: 'found', value: m.value!, key, steps };
  if (m.status === 'error') return { ...r, status: 'error', ...(m.error && { error: m.error }), steps };
  return { ...r, steps };
}

/** Walks `keys` until one is found or a lookup fails; keys after the first are partial unless `allFull`. */
function walk(consumer: Consumer, keyKind: ConsumerLookup['keyKind'], maps: Maps, keys: string[], allFull = false): ConsumerLookup {
  const out: ConsumerLookup = { consumer, keyKind, status: 'notfound', steps: [] };
  for (const [i, k] of keys.entries()) {
    const m = maps.find(k, i > 0 && !allFull);
    out.steps.push(m.trace);
    if (m.status === 'found') return { ...out, status: 'found', value: m.value!, key: k };
    if (m.status === 'error') return { ...out, status: 'error', ...(m.error && { error: m.error }) };
  }
  return out;
}

/** check_domain_access(): the name, then parents; none for numerical names. */
function accessHostName(maps: Maps, name: string, o: ConsumerOptions): ConsumerLookup {
  const keys: string[] = [];
  for (let n = name; n !== '';) {
    keys.push(n);
    const dot = n.indexOf('.', 1);
    if (dot < 0) break;
    n = o.parentStyle ? n.slice(dot + 1) : n.slice(dot);
  }
  return walk('access', 'host name', maps, keys);
}

/** check_addr_access(): the address, then shorter networks at `.` (IPv4) or `:` (IPv6). */
function accessClientAddress(maps: Maps, address: string): ConsumerLookup {
  const delim = address.includes(':') ? ':' : '.';
  const keys: string[] = [];
  for (let a = address; ;) {
    keys.push(a);
    const cut = a.lastIndexOf(delim);
    if (cut < 0) break;
    a = a.slice(0, cut);
  }
  return walk('access', 'client address', maps, keys);
}

/** local(8) deliver_alias(): the local part (folded) with its extension, then without. */
function aliases(maps: Maps, key: string, o: ConsumerOptions): ConsumerLookup {
  const at = key.lastIndexOf('@');
  const local = foldKey(at >= 0 ? key.slice(0, at) : key);
  const split = o.recipientDelimiter ? splitExtension(local, o.recipientDelimiter, o) : undefined;
  const keys = split && !split[1].includes('/') ? [local, split[0]] : [split ? split[0] : local];
  const r = walk('aliases', 'local part', maps, keys, true);
  if (r.status === 'found' && split && r.key === split[0] && keys.length > 1) r.extension = split[1];
  return r;
}
