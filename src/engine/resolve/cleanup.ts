/*
 * NAME
 *   cleanup - cleanup(8)'s envelope address rewriting: canonical, masquerade, virtual aliases
 * DESCRIPTION
 *   canonicalMap (cleanup_map11): one-to-one rewriting, repeated on the
 *   result (at most 10 times) until an address maps to itself or is not
 *   found; a multi-valued entry uses the first address, with a warning.
 *   Keys are asked in external form only. Past the tenth rewrite cleanup
 *   warns ("unreasonable ... map nesting ... message not accepted, try
 *   again later", its words) and keeps the address: the message is
 *   accepted. A lookup error is a queue file write error
 *   (CLEANUP_STAT_WRITE).
 *
 *   masquerade (cleanup_masquerade): unless the local part is in
 *   masquerade_exceptions, the first masquerade_domains entry that is a
 *   parent of the domain replaces it; an entry equal to the domain, or a
 *   `!domain` entry that matches, stops the search without change.
 *
 *   virtualExpand (cleanup_map1n): one-to-many expansion, each result
 *   expanded again; an address that expanded into itself is not expanded
 *   again (the copy is kept); more than virtual_alias_expansion_limit
 *   addresses, more than virtual_alias_recursion_limit nested lookups, a
 *   result longer than virtual_alias_address_length_limit defer the message
 *   ("4.6.0 Alias expansion error", CLEANUP_STAT_DEFER); a lookup error is
 *   a queue file write error (CLEANUP_STAT_WRITE). Both leave the original
 *   address.
 * SEE ALSO
 *   cleanup(8), canonical(5), virtual(5), ADDRESS_REWRITING_README
 */
import type { AddrFindOptions } from '../search/addr-find.ts';
import type { MatchList } from '../search/match-list.ts';
import type { Maps } from '../search/maps.ts';
import { quote822Local } from '../search/quote.ts';
import { foldKey } from '../util/casefold.ts';
import type { AddressEvent, Diagnostic } from '../trace/types.ts';
import { mailAddrMap } from './addr-map.ts';
import type { RewriteSettings } from './rewrite.ts';

/** What the cleanup steps need. */
export interface CleanupSettings {
  find: Omit<AddrFindOptions, 'strategy' | 'queryForm'>;
  rewrite: RewriteSettings;
  expansionLimit: number;
  recursionLimit: number;
  addressLengthLimit: number;
}

/**
 * How cleanup refuses a message for now: CLEANUP_STAT_DEFER (a virtual
 * alias limit: smtpd says "451 4.6.0 Alias expansion error") or
 * CLEANUP_STAT_WRITE (a table lookup failed: "451 4.3.0 Error: queue file
 * write error").
 */
export type CleanupStatus = 'defer' | 'write';

/** The outcome of a cleanup step: the message is deferred when `defer` is set. */
export interface CleanupOutcome {
  addresses: string[];
  /** Set when cleanup would not accept the message ("try again later"). */
  defer?: Diagnostic;
  status?: CleanupStatus;
}

const warn = (events: AddressEvent[], message: string): Diagnostic => {
  const d: Diagnostic = { severity: 'warning', message };
  events.push({ kind: 'diagnostic', diagnostic: d, program: 'cleanup' });
  return d;
};

/** canonicalMap - cleanup_map11_internal(). */
export function canonicalMap(maps: Maps, address: string, propagate: boolean, s: CleanupSettings, events: AddressEvent[]): CleanupOutcome {
  let addr = address;
  for (let count = 0; count < 10; count++) {
    const r = mailAddrMap(maps, addr, propagate, s.find, 'external', s.rewrite, events);
    if (r.status === 'found') {
      const list = r.addresses!;
      if (list.length > 1) warn(events, `multi-valued ${maps.title} entry for ${quote822Local(addr)}`);
      const saved = addr;
      addr = list[0]!;
      events.push({ kind: 'map', step: 'canonical', parameter: maps.title, before: saved, after: [addr] });
      if (foldKey(saved) === foldKey(addr)) return { addresses: [addr] };
    } else if (r.status === 'error') {
      return {
        addresses: [addr],
        defer: warn(events, `${maps.title} map lookup problem for ${quote822Local(addr)} -- message not accepted, try again later`),
        status: 'write',
      };
    } else return { addresses: [addr] };
  }
  // Despite its words, this warning does not refuse the message.
  warn(events, `unreasonable ${maps.title} map nesting for ${quote822Local(addr)} -- message not accepted, try again later`);
  return { addresses: [addr] };
}

/** masquerade - cleanup_masquerade_internal(). */
export function masquerade(address: string, domains: readonly string[], exceptions: MatchList | undefined, events: AddressEvent[]): CleanupOutcome {
  const ext = quote822Local(address);
  const at = ext.lastIndexOf('@');
  if (at < 0) return { addresses: [address] };
  const domain = foldKey(ext.slice(at + 1));
  let defer: Diagnostic | undefined;
  if (exceptions) {
    const r = exceptions.match(ext.slice(0, at));
    events.push({ kind: 'list', trace: r.trace });
    if (r.error) defer = { severity: 'info', message: 'masquerade_exceptions map lookup problem -- message not accepted, try again later' };
    if (r.matched) return { addresses: [address] };
  }
  for (const item of domains) {
    let i = 0;
    let truncate = true;
    while (item[i] === '!') {
      truncate = !truncate;
      i++;
    }
    const masq = foldKey(item.slice(i));
    if (masq === '') continue;
    if (masq.length === domain.length) {
      if (masq === domain) break;
    } else if (masq.length < domain.length) {
      const parent = domain.length - masq.length;
      if (domain[parent - 1] === '.' && domain.slice(parent) === masq) {
        if (truncate) {
          const local = address.slice(0, address.lastIndexOf('@'));
          const out = `${local}@${masq}`;
          events.push({ kind: 'map', step: 'masquerade', parameter: 'masquerade_domains', before: address, after: [out], note: item });
          return { addresses: [out], ...(defer && { defer, status: 'write' as const }) };
        }
        break;
      }
    }
  }
  return { addresses: [address], ...(defer && { defer, status: 'write' as const }) };
}

/** virtualExpand - cleanup_map1n_internal(). */
export function virtualExpand(maps: Maps, address: string, propagate: boolean, s: CleanupSettings, events: AddressEvent[]): CleanupOutcome {
  const argv = [address];
  const beenHere = new Set<string>();
  const undo = (message: string, status: CleanupStatus = 'defer'): CleanupOutcome => ({ addresses: [address], defer: warn(events, message), status });
  for (let arg = 0; arg < argv.length; arg++) {
    if (argv.length > s.expansionLimit) return undo(`unreasonable ${maps.title} map expansion size for ${address} -- message not accepted, try again later`);
    for (let count = 0; ; count++) {
      if (beenHere.has(foldKey(argv[arg]!))) break;
      if (count >= s.recursionLimit) return undo(`unreasonable ${maps.title} map nesting for ${address} -- message not accepted, try again later`);
      const r = mailAddrMap(maps, argv[arg]!, propagate, s.find, 'external-first', s.rewrite, events);
      if (r.status === 'found') {
        const lhs = argv[arg]!;
        const list = r.addresses!;
        for (let i = 0; i < list.length; i++) {
          const a = list[i]!;
          if (a.length > s.addressLengthLimit) return undo(`unreasonable ${maps.title} result ${a.slice(0, 300)}... -- message not accepted, try again later`);
          if (i === 0) argv[arg] = a;
          else argv.push(a);
          if (foldKey(lhs) === foldKey(a)) beenHere.add(foldKey(lhs));
        }
        events.push({ kind: 'map', step: 'virtual', parameter: maps.title, before: lhs, after: list });
      } else if (r.status === 'error') {
        return undo(`${maps.title} map lookup problem for ${address} -- message not accepted, try again later`, 'write');
      } else break;
    }
  }
  return { addresses: argv };
}
