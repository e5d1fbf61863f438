/*
 * NAME
 *   smtpd/restrictions/dnsxl - DNS block and allow lists
 * DESCRIPTION
 *   reject_rbl_client, permit_dnswl_client, reject_rhsbl_* and
 *   permit_rhswl_client query `reversed-address.list` or `domain.list` for
 *   an A record (optionally filtered by `=127.0.0.[2..11]`), with the TXT
 *   record as reason; the reply comes from rbl_reply_maps or
 *   default_rbl_reply. The obsolete reject_maps_rbl queries every domain of
 *   maps_rbl_domains. Answers come from the DNS facts.
 * SEE ALSO
 *   postconf(5) (reject_rbl_client, rbl_reply_maps, default_rbl_reply)
 */
import { dsnSplit } from '../../mail/dsn.ts';
import { validHostname } from '../../mail/valid-hostname.ts';
import { macExpand } from '../../config/expand.ts';
import { splitList } from '../../util/lists.ts';
import type { Checker } from './checker.ts';
import { expandSmtpdAttribute } from './expand.ts';
import { NAME_CLIENT, NAME_HELO, NAME_RECIPIENT, NAME_REV_CLIENT, NAME_SENDER } from './names.ts';
import { CHECK_DUNNO, CHECK_OK, rejectServerError } from './reject.ts';
import { permitAuthDestination } from './relay.ts';
import { smtpdAclPermitted } from './table-result.ts';
import { dnsLookup } from './trace.ts';
import type { RestrictionCall, RestrictionEntry, RestrictionFamily } from './types.ts';

/** The outcome of a list query: listed (with TXT), not listed, or a temporary failure. */
type Listing = { kind: 'listed'; txt: string } | { kind: 'no' } | { kind: 'soft' };

/** ip_match: `127.0.0.2`, `127.0.0.[2..11]`, `127.0.[0;1].[1;3..5]`. */
export function ipMatch(pattern: string, addr: string): boolean | 'bad' {
  // Octets are separated by dots outside brackets (`[2..11]` has its own).
  const p = pattern.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [];
  const a = addr.split('.');
  if (p.length !== 4 || a.length !== 4) return 'bad';
  for (let i = 0; i < 4; i++) {
    const octet = Number(a[i]);
    const pi = p[i]!;
    if (/^\d+$/.test(pi)) {
      if (Number(pi) !== octet) return false;
      continue;
    }
    const m = /^\[(.*)\]$/.exec(pi);
    if (!m) return 'bad';
    const ok = m[1]!.split(';').some((item) => {
      const r = /^(\d+)\.\.(\d+)$/.exec(item);
      if (r) return octet >= Number(r[1]) && octet <= Number(r[2]);
      return /^\d+$/.test(item) && Number(item) === octet;
    });
    if (!ok) return false;
  }
  return true;
}

function reverseAddress(addr: string): string {
  if (!addr.includes(':')) return addr.split('.').reverse().join('.') + '.';
  // 32 nibbles, lowest first.
  const groups = expandIpv6(addr);
  const nibbles = groups.map((g) => g.padStart(4, '0')).join('');
  return [...nibbles].reverse().join('.') + '.';
}

function expandIpv6(addr: string): string[] {
  let text = addr.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail !== undefined ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t];
}

function queryList(c: Checker, query: string): { listing: Listing; filter?: string } {
  const eq = query.indexOf('=');
  const name = eq >= 0 ? query.slice(0, eq) : query;
  const filter = eq >= 0 ? query.slice(eq + 1) : undefined;
  const a = dnsLookup(c, name, 'A');
  if (a.status === 'retry') {
    c.warn(`${name}: RBL lookup error: ${a.why}`);
    return { listing: { kind: 'soft' } };
  }
  if (a.status !== 'ok') return { listing: { kind: 'no' } };
  if (filter !== undefined) {
    const hits = a.records.map((r) => ipMatch(filter, r.data));
    if (hits.includes('bad')) throw new Error(`RBL reply error: ${filter}`);
    if (!hits.includes(true)) return { listing: { kind: 'no' } };
  }
  const txt = c.cfg.dns.lookup(name, 'TXT');
  let text = '';
  if (txt.status === 'ok') {
    for (const [i, r] of txt.records.entries()) {
      text += r.data;
      if (i + 1 < txt.records.length && text.length < 497) text += ' / ';
    }
    text = text.slice(0, 500);
  }
  return { listing: { kind: 'listed', txt: text }, ...(filter !== undefined && { filter }) };
}

function rblRejectReply(c: Checker, txt: string, rblDomain: string, what: string, replyClass: string): number {
  let template: string | undefined;
  if (c.cfg.rblReplyMaps) {
    const answer = c.cfg.rblReplyMaps.find(rblDomain, false);
    if (answer.status === 'error') rejectServerError(c);
    if (answer.status === 'found') template = answer.value;
  }
  const domain = rblDomain.split('=')[0]!;
  const lookup = (name: string): string | undefined => {
    switch (name) {
      case 'rbl_code':
        return String(c.cfg.int('maps_rbl_reject_code'));
      case 'rbl_domain':
        return domain;
      case 'rbl_reason':
      case 'rbl_txt':
        return txt;
      case 'rbl_what':
        return what;
      case 'rbl_class':
        return replyClass;
      default:
        return expandSmtpdAttribute(c, name);
    }
  };
  let why: string;
  for (;;) {
    const t = template ?? c.cfg.str('default_rbl_reply');
    const e = macExpand(t, { lookup: (n) => lookup(n) });
    if (!e.error) {
      why = e.value;
      break;
    }
    if (template === undefined) throw new Error(`rbl_reject_reply: bad default rbl reply template: ${t}`);
    c.warn(`rbl_reject_reply: bad rbl reply template for domain ${rblDomain}: ${template}`);
    template = undefined;
  }
  if (!/^[45]\d\d /.test(why)) {
    c.warn(`rbl response code configuration error: ${why}`);
    return c.reject('policy', 450, '4.7.1', 'Service unavailable');
  }
  const d = dsnSplit('4.7.1', why.slice(4));
  return c.reject('policy', Number(why.slice(0, 3)), c.dsnFix(d.dsn, replyClass), d.text || 'Service unavailable');
}

export function rejectRblAddr(c: Checker, rblDomain: string, addr: string, replyClass: string): number {
  const { listing } = queryList(c, reverseAddress(addr) + rblDomain);
  if (listing.kind !== 'listed') return CHECK_DUNNO;
  return rblRejectReply(c, listing.txt, rblDomain, addr, replyClass);
}

export function permitDnswlAddr(c: Checker, dnswlDomain: string, addr: string, replyClass: string): number {
  if (c.state.where === 'RCPT' && c.state.recipient !== undefined && permitAuthDestination(c, c.state.recipient) !== CHECK_OK) return CHECK_DUNNO;
  const { listing } = queryList(c, reverseAddress(addr) + dnswlDomain);
  if (listing.kind === 'soft') {
    c.deferIfReject('policy', 450, '4.7.1', `<${addr}>: ${replyClass} rejected: Service unavailable`);
    return CHECK_DUNNO;
  }
  return listing.kind === 'listed' ? CHECK_OK : CHECK_DUNNO;
}

function domainQuery(rblDomain: string, what: string): string | undefined {
  const at = what.lastIndexOf('@');
  const domain = at >= 0 ? what.slice(at + 1) : what;
  if (domain.startsWith('[') || domain === '') return undefined;
  const dot = domain.lastIndexOf('.');
  if (/^\d+$/.test(dot < 0 ? domain : domain.slice(dot + 1))) return undefined;
  if (!validHostname(domain)) return undefined;
  return `${domain}.${rblDomain}`;
}

export function rejectRblDomain(c: Checker, rblDomain: string, what: string, replyClass: string): number {
  const q = domainQuery(rblDomain, what);
  if (!q) return CHECK_DUNNO;
  const { listing } = queryList(c, q);
  if (listing.kind !== 'listed') return CHECK_DUNNO;
  return rblRejectReply(c, listing.txt, rblDomain, what, replyClass);
}

export function permitDnswlDomain(c: Checker, dnswlDomain: string, what: string, replyClass: string): number {
  if (c.state.where === 'RCPT' && c.state.recipient !== undefined && permitAuthDestination(c, c.state.recipient) !== CHECK_OK) return CHECK_DUNNO;
  const q = domainQuery(dnswlDomain, what);
  if (!q) return CHECK_DUNNO;
  const { listing } = queryList(c, q);
  if (listing.kind === 'soft') {
    c.deferIfReject('policy', 450, '4.7.1', `<${what}>: ${replyClass} rejected: Service unavailable`);
    return CHECK_DUNNO;
  }
  return listing.kind === 'listed' ? CHECK_OK : CHECK_DUNNO;
}

/** The client's name, or undefined when it is unknown. */
const known = (name: string | undefined): string | undefined => (name === undefined || name.toLowerCase() === 'unknown' ? undefined : name);

/** A DNS list restriction on a domain-valued subject of `replyClass` (nothing to check without one). */
function rhsbl(subject: (c: Checker) => string | undefined, replyClass: string): RestrictionEntry {
  return {
    arg: 'domain',
    check(c, r) {
      const what = subject(c);
      return what ? rejectRblDomain(c, r.arg, what, replyClass) : CHECK_DUNNO;
    },
  };
}

/** reject_maps_rbl - every domain of maps_rbl_domains (obsolete). */
function rejectMapsRbl(c: Checker): number {
  c.warn('support for restriction "reject_maps_rbl" will be removed from Postfix; use "reject_rbl_client domain-name" instead');
  let status = CHECK_DUNNO;
  for (const d of splitList(c.cfg.str('maps_rbl_domains'))) if ((status = rejectRblAddr(c, d, c.state.addr, NAME_CLIENT)) !== CHECK_DUNNO) break;
  return status;
}

const rblClient: RestrictionEntry = { arg: 'domain', check: (c, r) => rejectRblAddr(c, r.arg, c.state.addr, NAME_CLIENT) };

/** permit_rhswl_client: the client name in a domain allow list. */
function permitRhswlClient(c: Checker, r: RestrictionCall): number {
  const name = known(c.state.name);
  if (name === undefined) return CHECK_DUNNO;
  return smtpdAclPermitted(c, permitDnswlDomain(c, r.arg, name, NAME_CLIENT), r.name, NAME_CLIENT, c.state.namaddr);
}

export const DNSXL_RESTRICTIONS: RestrictionFamily = {
  reject_maps_rbl: { check: rejectMapsRbl },
  reject_rbl_client: rblClient,
  reject_rbl: rblClient,
  permit_dnswl_client: {
    arg: 'domain',
    check: (c, r) => smtpdAclPermitted(c, permitDnswlAddr(c, r.arg, c.state.addr, NAME_CLIENT), r.name, NAME_CLIENT, c.state.namaddr),
  },
  reject_rhsbl_client: rhsbl((c) => known(c.state.name), NAME_CLIENT),
  permit_rhswl_client: { arg: 'domain', check: permitRhswlClient },
  reject_rhsbl_reverse_client: rhsbl((c) => known(c.state.reverseName), NAME_REV_CLIENT),
  reject_rhsbl_helo: rhsbl((c) => c.state.heloName, NAME_HELO),
  reject_rhsbl_sender: rhsbl((c) => c.state.sender, NAME_SENDER),
  reject_rhsbl_recipient: rhsbl((c) => c.state.recipient, NAME_RECIPIENT),
};
