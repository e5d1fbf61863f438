/*
 * NAME
 *   local - is a domain this machine's own? (resolve_local(3))
 * DESCRIPTION
 *   A domain is local when it matches mydestination (a string list:
 *   case-insensitive, no parent-domain matching), or when it is an address
 *   literal `[1.2.3.4]` / `[IPv6:...]` naming an address in inet_interfaces
 *   or proxy_interfaces. One trailing dot is ignored. Answers 1 (local),
 *   0 (not local) or -1 (a mydestination table failed).
 *
 *   The machine's own addresses come from the scenario's facts:
 *   inet_interfaces `all` means the fact interfaces, `loopback-only` means
 *   127.0.0.1 and ::1, otherwise the listed addresses (a name is taken as
 *   `localhost` = loopback, or ignored); inet_protocols filters them.
 * SEE ALSO
 *   postconf(5) mydestination, inet_interfaces, proxy_interfaces
 */
import { splitList } from '../util/lists.ts';
import type { ParameterView } from '../config/maincf.ts';
import type { MachineFacts } from '../config/names.ts';
import { validMailhostAddr } from '../mail/valid-hostname.ts';
import type { MatchList } from '../search/match-list.ts';
import { parseAddress } from '../util/inet.ts';
import type { AddressEvent } from '../trace/types.ts';

/** The local-domain test, with its events. */
export interface LocalDomains {
  resolveLocal(domain: string, events?: AddressEvent[]): number;
  /** The machine's own addresses (inet_interfaces and proxy_interfaces). */
  readonly addresses: readonly string[];
}

/** ownAddresses - the addresses of inet_interfaces + proxy_interfaces, canonical text. */
export function ownAddresses(params: ParameterView, facts: MachineFacts): string[] {
  const protocols = (params.get('inet_protocols') ?? 'all').toLowerCase();
  const v4 = protocols.includes('all') || protocols.includes('ipv4');
  const v6 = protocols.includes('all') || protocols.includes('ipv6');
  const out = new Set<string>();
  const add = (text: string): void => {
    const a = parseAddress(text.replace(/^\[|\]$/g, ''));
    if (!a || (a.family === 4 && !v4) || (a.family === 6 && !v6)) return;
    out.add(a.bytes.join('.'));
  };
  const loopback = (): void => {
    add('127.0.0.1');
    add('::1');
  };
  const inet = (params.get('inet_interfaces') ?? 'all').trim();
  if (inet === 'all') facts.interfaces.forEach((i) => add(i.address));
  else if (inet === 'loopback-only') loopback();
  else
    for (const item of splitList(inet)) {
      if (item === 'localhost') loopback();
      else add(item);
    }
  for (const item of splitList(params.get('proxy_interfaces') ?? '')) add(item);
  return [...out];
}

/** createLocalDomains - resolve_local() over an opened mydestination list. */
export function createLocalDomains(mydestination: MatchList | undefined, addresses: readonly string[]): LocalDomains {
  const own = new Set(addresses);
  return {
    addresses,
    resolveLocal(domain, events) {
      let d = domain;
      if (d === '') return 0;
      if (d.endsWith('.')) d = d.slice(0, -1);
      if (d === '' || d.endsWith('.')) return 0;
      if (mydestination) {
        const r = mydestination.match(d);
        events?.push({ kind: 'list', trace: r.trace });
        if (r.matched) return 1;
        if (r.error) return -1;
      }
      if (d.startsWith('[') && d.endsWith(']')) {
        const bare = validMailhostAddr(d.slice(1, -1));
        const a = bare !== undefined ? parseAddress(bare) : undefined;
        if (a && own.has(a.bytes.join('.'))) {
          events?.push({ kind: 'note', text: `${d} is an address of this machine (inet_interfaces, proxy_interfaces)` });
          return 1;
        }
      }
      return 0;
    },
  };
}
