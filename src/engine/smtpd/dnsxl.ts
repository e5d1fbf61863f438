/*
 * NAME
 *   smtpd/dnsxl - DNS block and allow lists, and access by MX, NS or A host
 * DESCRIPTION
 *   reject_rbl_client, permit_dnswl_client, reject_rhsbl_* and
 *   permit_rhswl_client query `reversed-address.list` or `domain.list` for
 *   an A record (optionally filtered by `=127.0.0.[2..11]`), with the TXT
 *   record as reason; the reply comes from rbl_reply_maps or
 *   default_rbl_reply. check_*_{mx,ns,a}_access look up the servers of a
 *   domain in an access table by name and address. Answers come from the
 *   DNS facts.
 */
import type { Checker } from './checker.ts';
import { CHECK_DUNNO, CHECK_OK } from './reject.ts';
import { checkAddrAccess, checkDomainAccess, rejectServerError } from './access.ts';
import { permitAuthDestination } from './restrictions.ts';
import { dsnSplit, smtpdDsnFix } from '../mail/dsn.ts';
import { validHostaddr, validHostname, validMailhostAddr } from '../mail/valid-hostname.ts';
import { macExpand } from '../config/expand.ts';
import { expandSmtpdAttribute } from './expand.ts';
import type { RecordType } from './dns.ts';
import { addressError, dnsStrerror } from './dns.ts';

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
  const a = c.cfg.dns.lookup(name, 'A');
  c.step({ kind: 'dns', title: `A ${name}`, result: a.status === 'ok' ? a.records.map((r) => r.data).join(' ') : a.status });
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
  const f = smtpdDsnFix(d.dsn, replyClass);
  if (f.info) c.info(f.info);
  return c.reject('policy', Number(why.slice(0, 3)), f.status, d.text || 'Service unavailable');
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

/** checkServerAccess - look up the MX, NS or A hosts of a domain, by name then address. */
export function checkServerAccess(
  c: Checker,
  table: string,
  name: string,
  type: RecordType,
  replyName: string,
  replyClass: string,
  defAcl: string | undefined,
): number {
  const at = name.lastIndexOf('@');
  const domain = at >= 0 ? name.slice(at + 1) : name;
  if (domain.startsWith('[')) {
    if (type !== 'A' && type !== 'MX') return CHECK_DUNNO;
    if (!domain.endsWith(']')) return CHECK_DUNNO;
    const bare = validMailhostAddr(domain.slice(1, -1));
    if (bare === undefined) return CHECK_DUNNO;
    return checkAddrAccess(c, table, bare, false, replyName, replyClass, defAcl).status;
  }
  let servers: string[];
  if (type === 'A' || type === 'AAAA') {
    servers = [domain];
  } else {
    let answer = c.cfg.dns.lookup(domain, type);
    // Where the warning names the lookup: the domain, or the whole name when a parent walk ran out.
    let shown: string | undefined = domain;
    if (answer.status === 'nullmx') return CHECK_DUNNO;
    if (answer.status === 'notfound') {
      if (type === 'MX') answer = { status: 'ok', records: [{ name: domain, type: 'MX', data: domain }] };
      else if (type === 'NS') {
        let d = domain;
        shown = undefined;
        for (let dot = d.indexOf('.'); dot >= 0 && dot + 1 < d.length; dot = d.indexOf('.')) {
          d = d.slice(dot + 1);
          answer = c.cfg.dns.lookup(d, type);
          if (answer.status !== 'notfound') {
            shown = d;
            break;
          }
        }
      }
    }
    c.step({ kind: 'dns', title: `${type} ${shown ?? domain}`, result: answer.status === 'ok' ? answer.records.map((r) => r.data).join(' ') : answer.status });
    if (answer.status !== 'ok') {
      c.warn(`Unable to look up ${type} host for ${shown ?? name}: ${dnsStrerror(answer)}`);
      return CHECK_DUNNO;
    }
    servers = answer.records.map((r) => r.data);
  }
  for (const server of servers) {
    if (validHostaddr(server)) {
      const r = checkAddrAccess(c, table, server, false, replyName, replyClass, defAcl);
      if (r.status !== 0 || r.found) return r.status;
      continue;
    }
    if (type !== 'A' && type !== 'AAAA') {
      const r = checkDomainAccess(c, table, server, false, replyName, replyClass, defAcl);
      if (r.status !== 0 || r.found) return r.status;
    }
    const addrs = c.cfg.dns.addresses(server);
    if (typeof addrs === 'string') {
      if (type !== 'A' && type !== 'AAAA') c.warn(`Unable to look up ${type} host ${server} for ${replyClass} ${replyName}: ${addressError(addrs)}`);
      continue;
    }
    for (const a of addrs) {
      const r = checkAddrAccess(c, table, a, false, replyName, replyClass, defAcl);
      if (r.status !== 0 || r.found) return r.status;
    }
  }
  return CHECK_DUNNO;
}
