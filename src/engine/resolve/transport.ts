/*
 * NAME
 *   transport - transport_maps (transport(5), trivial-rewrite's transport.c)
 * DESCRIPTION
 *   The resolved recipient is looked up as `user+ext@domain` (the only key
 *   pattern tables see), `user@domain`, `domain`, then parent domains:
 *   `.parent` forms, or `parent` when transport_maps is listed in
 *   parent_domain_matches_subdomains; finally the `*` wildcard. Results
 *   are `transport:nexthop`, split at the first colon:
 *     transport:nexthop  both replaced
 *     transport[:]       transport replaced, nexthop reset to the
 *                        recipient domain (error/retry: "Address is
 *                        undeliverable")
 *     :nexthop           nexthop replaced
 *     :                  no change
 *   `$N` substitution is not allowed in these tables. A lookup error
 *   (including at the wildcard) is a resolver failure.
 * SEE ALSO
 *   transport(5)
 */
import type { AddrFindOptions } from '../search/addr-find.ts';
import { MA_FIND, mailAddrFind } from '../search/addr-find.ts';
import type { Maps } from '../search/maps.ts';
import type { AddressEvent, Diagnostic } from '../trace/types.ts';

/** The (transport, nexthop) pair trivial-rewrite works on. */
export interface Route {
  transport: string;
  nexthop: string;
}

/** update_entry(): apply one transport table result to `route`. */
export function updateEntry(newTransport: string, newNexthop: string, rcptDomain: string, route: Route): Route {
  if (newTransport === '') return newNexthop === '' ? route : { transport: route.transport, nexthop: newNexthop };
  if (newNexthop !== '') return { transport: newTransport, nexthop: newNexthop };
  if (newTransport !== 'error' && newTransport !== 'retry') return { transport: newTransport, nexthop: rcptDomain };
  return { transport: newTransport, nexthop: 'Address is undeliverable' };
}

/** splitAt - split_at(): [before, after] at the first `c`, or [text, undefined]. */
export function splitAt(text: string, c: string): [string, string | undefined] {
  const i = text.indexOf(c);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** parse_transport_entry() */
export function parseTransportEntry(value: string, rcptDomain: string, route: Route): Route {
  const [t, h] = splitAt(value, ':');
  return updateEntry(t, h ?? '', rcptDomain, route);
}

/** The answer of transportLookup. */
export type TransportAnswer = { status: 'found'; route: Route } | { status: 'notfound' } | { status: 'error'; error: Diagnostic };

/**
 * transportLookup - transport_lookup(): search `maps` for `addr` (internal
 * form, with a domain) and apply the result to `route`.
 */
export function transportLookup(
  maps: Maps,
  addr: string,
  rcptDomain: string,
  route: Route,
  options: Omit<AddrFindOptions, 'strategy'> & { parentStyle: boolean },
  events: AddressEvent[],
): TransportAnswer {
  if (addr === '') {
    events.push({ kind: 'diagnostic', diagnostic: { severity: 'warning', message: 'transport_lookup: null address - skipping table lookup' } });
    return { status: 'notfound' };
  }
  const strategy = MA_FIND.FULL | MA_FIND.NOEXT | MA_FIND.DOMAIN | (options.parentStyle ? MA_FIND.PDMS : MA_FIND.PDDMDS);
  const r = mailAddrFind(maps, addr, { ...options, strategy });
  events.push({ kind: 'find', trace: r.trace });
  if (r.status === 'found') {
    const next = parseTransportEntry(r.value!, rcptDomain, route);
    events.push({ kind: 'transport', step: `${maps.title} ${r.key}`, ...next, source: r.value! });
    return { status: 'found', route: next };
  }
  if (r.status === 'error') return { status: 'error', error: r.error! };
  // The wildcard: looked up as a full key, so pattern tables see it too.
  const w = maps.find('*', false);
  events.push({ kind: 'maps', trace: w.trace });
  if (w.status === 'error') return { status: 'error', error: w.error! };
  if (w.status === 'found') {
    const [t, h] = splitAt(w.value!, ':');
    const next = updateEntry(t, h ?? '', rcptDomain, route);
    events.push({ kind: 'transport', step: `${maps.title} *`, ...next, source: w.value! });
    return { status: 'found', route: next };
  }
  return { status: 'notfound' };
}
