/*
 * NAME
 *   postscreen/dnsbl - DNS block and allow list scores (postscreen_dnsbl_sites)
 * SYNOPSIS
 *   parseDnsblSites(value, replyName) -> { sites, domains } | { fatal, warnings }
 *   dnsblScore(sites, dns, addr, limits) -> { score, log }
 * DESCRIPTION
 *   Each entry of postscreen_dnsbl_sites is `domain[=filter][*weight]`:
 *   the weight (default 1, negative for allow lists) counts once when any
 *   A record of `reversed-address.domain` passes the filter (any record
 *   when there is none). The same domain may be listed with several
 *   filters and weights; it is asked once (by dnsblog(8), which logs each
 *   record it got). The score is the sum. The list named in the reject
 *   reply is the matching site with the largest weight, as renamed by
 *   postscreen_dnsbl_reply_map.
 *
 *   The TTL of the result: for a score above zero the smallest TTL of the
 *   answers that count against the client (records of positive-weight
 *   sites, NXDOMAIN of negative-weight sites), otherwise of those that
 *   count for it; -1 (NXDOMAIN carries none here) counts as "none yet", so
 *   the order in which replies arrive can matter (the simulator takes the
 *   order of the list). Then postscreen_dnsbl_min_ttl and _max_ttl apply.
 *
 *   A bad entry is fatal with Postfix's message.
 * SEE ALSO
 *   postscreen(8), postconf(5) postscreen_dnsbl_sites, dnsblog(8)
 */
import type { DnsFacts } from '../dns/facts.ts';
import { DEFAULT_TTL } from '../dns/facts.ts';
import type { DnsblScore, DnsblSiteScore } from '../trace/types.ts';
import { parseIpMatch } from '../util/ip-match.ts';
import type { IpMatch } from '../util/ip-match.ts';
import { splitList } from '../util/lists.ts';
import { hostnameGripe } from '../mail/valid-hostname.ts';
import { parseIPv6 } from '../util/inet.ts';

export interface DnsblSite {
  /** The entry as written. */
  text: string;
  domain: string;
  filter?: IpMatch;
  weight: number;
}

export interface DnsblSites {
  /** Entries in list order. */
  sites: DnsblSite[];
  /** Domains in order of first appearance, each asked once. */
  domains: string[];
  /** The name each domain shows in replies (postscreen_dnsbl_reply_map). */
  safeName: ReadonlyMap<string, string>;
}

/**
 * parseDnsblSites - psc_dnsbl_init(): every entry, or the warnings and the
 * fatal error postscreen dies with. `replyName(domain)` looks a domain up
 * in postscreen_dnsbl_reply_map: the name, undefined when not listed, or
 * { fatal } when the table fails.
 */
export function parseDnsblSites(
  value: string,
  replyName: (domain: string) => string | undefined | { fatal: string },
): DnsblSites | { fatal: string; warnings: string[] } {
  const sites: DnsblSite[] = [];
  const domains: string[] = [];
  const safeName = new Map<string, string>();
  for (const text of splitList(value)) {
    let rest = text;
    let weight = 1;
    const star = rest.indexOf('*');
    if (star >= 0) {
      const w = rest.slice(star + 1);
      rest = rest.slice(0, star);
      // sscanf("%d%c") == 1: an optional sign and digits, nothing after.
      const m = /^\s*([+-]?\d+)$/.exec(w);
      if (!m) return { fatal: `bad DNSBL weight factor "${w}" in "${text}"`, warnings: [] };
      weight = Number(m[1]) | 0;
    }
    let filter: IpMatch | undefined;
    const eq = rest.indexOf('=');
    if (eq >= 0) {
      const parsed = parseIpMatch(rest.slice(eq + 1));
      if ('error' in parsed) return { fatal: `bad DNSBL filter syntax: ${parsed.error}`, warnings: [] };
      filter = parsed;
      rest = rest.slice(0, eq);
    }
    const gripe = hostnameGripe(rest);
    if (gripe) return { fatal: `bad DNSBL domain name "${rest}" in "${text}"`, warnings: [gripe] };
    if (!safeName.has(rest)) {
      const r = replyName(rest);
      if (typeof r === 'object') return { fatal: r.fatal, warnings: [] };
      safeName.set(rest, r ?? rest);
      domains.push(rest);
    }
    sites.push({ text, domain: rest, ...(filter && { filter }), weight });
  }
  return { sites, domains, safeName };
}

/** reverseQuery - dnsblog's query name: IPv4 octets or IPv6 nibbles, reversed. */
export function reverseQuery(addr: string, domain: string): string {
  if (addr.includes(':')) {
    const bytes = parseIPv6(addr);
    if (bytes) {
      let q = '';
      for (let i = bytes.length - 1; i >= 0; i--) q += `${(bytes[i]! & 0xf).toString(16)}.${(bytes[i]! >> 4).toString(16)}.`;
      return q + domain;
    }
  }
  return addr.split('.').reverse().join('.') + '.' + domain;
}

export interface DnsblLimits {
  threshold: number;
  allowlistThreshold: number;
  minTtl: number;
  maxTtl: number;
}

/** dnsblScore - ask every domain, add up the weights; the lines dnsblog logs come with it. */
export function dnsblScore(list: DnsblSites, dns: DnsFacts, addr: string, limits: DnsblLimits): { score: DnsblScore; dnsblog: string[] } {
  const dnsblog: string[] = [];
  const perSite = new Map<DnsblSite, DnsblSiteScore>();
  let total = 0;
  let name: string | undefined;
  let nameWeight = 0;
  let failTtl = -1;
  let passTtl = -1;
  const lower = (ttl: number, current: number): number => (current < 0 || current > ttl ? ttl : current);
  for (const domain of list.domains) {
    const query = reverseQuery(addr, domain);
    const answer = dns.lookup(query, 'A');
    const records = answer.status === 'ok' ? answer.records.filter((r) => r.type === 'A') : [];
    const replies = records.map((r) => r.data);
    let ttl = -1;
    for (const r of records) {
      dnsblog.push(`addr ${addr} listed by domain ${domain} as ${r.data}`);
      ttl = lower(r.ttl ?? DEFAULT_TTL, ttl);
    }
    if (answer.status === 'retry') dnsblog.push(`warning: dnsblog_query: lookup error for DNS query ${query}: ${answer.why ?? ''}`);
    const status = answer.status === 'retry' ? 'error' : replies.length ? 'listed' : 'not listed';
    // postscreen keeps a domain's (filter, weight) pairs newest first.
    for (const site of list.sites.filter((s) => s.domain === domain).reverse()) {
      const matched = replies.length > 0 && (!site.filter || replies.some((r) => site.filter!.match(r)));
      if (matched) {
        if (name === undefined || nameWeight < site.weight) {
          name = list.safeName.get(domain) ?? domain;
          nameWeight = site.weight;
        }
        total += site.weight;
      }
      const againstClient = replies.length > 0 ? site.weight > 0 : site.weight <= 0;
      if (againstClient) failTtl = lower(ttl, failTtl);
      else passTtl = lower(ttl, passTtl);
      perSite.set(site, {
        site: site.text,
        domain,
        ...(site.filter && { filter: site.filter.pattern }),
        weight: site.weight,
        query,
        status,
        replies,
        ttl,
        matched,
      });
    }
  }
  let ttl = total > 0 ? failTtl : passTtl;
  if (ttl < limits.minTtl) ttl = limits.minTtl;
  if (ttl > limits.maxTtl) ttl = limits.maxTtl;
  const verdict = total >= limits.threshold ? 'blocked' : limits.allowlistThreshold < 0 && total <= limits.allowlistThreshold ? 'allowlisted' : 'passed';
  return {
    score: {
      total,
      threshold: limits.threshold,
      allowlistThreshold: limits.allowlistThreshold,
      sites: list.sites.map((s) => perSite.get(s)!),
      ttl,
      ...(name !== undefined && { name }),
      verdict,
    },
    dnsblog,
  };
}
