/*
 * NAME
 *   dns/facts - DNS answers as facts the user supplies
 * DESCRIPTION
 *   The simulator never queries DNS. A facts file in zone-file record
 *   syntax (`name [ttl] [IN] TYPE data`, one record per line, `;` or `#`
 *   comments, names with or without the trailing dot) says what exists;
 *   a name without records is NXDOMAIN. `name SERVFAIL` makes every query
 *   for that name a temporary failure (Postfix's DNS_RETRY). A record of
 *   `*.domain` is a wildcard (RFC 4592): it answers for names below
 *   `domain` that do not exist, when `domain` is the nearest existing
 *   ancestor of the name asked (so a name that exists, even only because
 *   names below it do, is not covered, and the wildcard's own NODATA
 *   applies to types it has no record of).
 *
 *   lookup() answers like Postfix's dns_lookup(): OK with records,
 *   NOTFOUND, RETRY, or NULLMX for an MX query answered with `0 .`.
 * SEE ALSO
 *   postconf(5) (reject_rbl_client, reject_unknown_*), postscreen(8), dns_lookup(3)
 */
import type { Diagnostic, DnsQueryStatus, DnsRecordType } from '../trace/types.ts';

export type RecordType = DnsRecordType;
const TYPES: readonly RecordType[] = ['A', 'AAAA', 'MX', 'NS', 'PTR', 'TXT', 'CNAME'];

export interface DnsRecord {
  name: string;
  type: RecordType;
  /** A/AAAA address, MX/NS/PTR/CNAME host name (no trailing dot), TXT text. */
  data: string;
  /** MX preference. */
  preference?: number;
  /** The line of the facts file the record is on (absent for an implied record). */
  line?: number;
  /** Time to live in seconds (default 300, as the golden recorders' DNS responder answers). */
  ttl?: number;
}

/** The TTL of a record whose line gives none. */
export const DEFAULT_TTL = 300;

export type DnsStatus = DnsQueryStatus;

/** Why a lookup found nothing: the name does not exist, or it has no record of that type. */
export type NotFoundKind = 'nxdomain' | 'nodata';

export interface DnsAnswer {
  status: DnsStatus;
  records: DnsRecord[];
  /** For `notfound`: NXDOMAIN or NODATA (a name with other records, or with names below it). */
  notFound?: NotFoundKind;
  /** Postfix's explanation for a failure, as dns_lookup() writes it. */
  why?: string;
}

export interface DnsFacts {
  /** The facts file, as named in diagnostics and trace sources. */
  readonly file: string;
  lookup(name: string, type: RecordType): DnsAnswer;
  /** The addresses of a host (getaddrinfo over A and AAAA); `nodata` when the name exists without any. */
  addresses(name: string): string[] | 'retry' | 'notfound' | 'nodata';
  /** All records, for display. */
  readonly records: readonly DnsRecord[];
  readonly diagnostics: readonly Diagnostic[];
}

const norm = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** The text of a TXT record: its first character-string, as Postfix's resolver code keeps it. */
function unquoteTxt(data: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"|^(\S+)/.exec(data);
  if (!m) return '';
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!;
}

/** parseDnsFacts - the records of a facts file; bad lines become diagnostics with their line. */
export function parseDnsFacts(text: string, file = 'dns'): DnsFacts {
  const records: DnsRecord[] = [];
  const failing = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const body = line.replace(/(^|\s)[;#].*$/, '').trim();
    if (!body) return;
    const words = body.split(/\s+/);
    const name = norm(words.shift()!);
    const ttl = words[0] && /^\d+$/.test(words[0]) ? Number(words.shift()) : DEFAULT_TTL;
    if (words[0]?.toUpperCase() === 'IN') words.shift();
    const type = (words.shift() ?? '').toUpperCase();
    if (type === 'SERVFAIL' || type === 'TIMEOUT') {
      failing.add(name);
      return;
    }
    if (!(TYPES as readonly string[]).includes(type)) {
      diagnostics.push({ severity: 'warning', message: `${file}, line ${i + 1}: unknown record type "${type}"`, file, line: i + 1 });
      return;
    }
    const t = type as RecordType;
    if (t === 'MX') {
      const pref = Number(words[0]);
      if (words.length < 2 || !Number.isInteger(pref)) {
        diagnostics.push({ severity: 'warning', message: `${file}, line ${i + 1}: MX needs "preference host"`, file, line: i + 1 });
        return;
      }
      records.push({ name, type: t, preference: pref, data: words[1] === '.' ? '' : norm(words[1]!), line: i + 1, ttl });
    } else if (t === 'TXT') {
      const rest = /^\S+\s+(?:\d+\s+)?(?:IN\s+)?TXT\s*(.*)$/i.exec(body)?.[1] ?? '';
      records.push({ name, type: t, data: unquoteTxt(rest), line: i + 1, ttl });
    } else if (words.length < 1) {
      diagnostics.push({ severity: 'warning', message: `${file}, line ${i + 1}: missing ${t} data`, file, line: i + 1 });
    } else {
      records.push({ name, type: t, data: t === 'A' || t === 'AAAA' ? words[0]!.toLowerCase() : norm(words[0]!), line: i + 1, ttl });
    }
  });
  // A name exists when it has records or names below it (an empty non-terminal answers NODATA).
  const exists = (n: string): boolean => records.some((r) => r.name === n || r.name.endsWith('.' + n)) || [...failing].some((f) => f.endsWith('.' + n));

  /** The records at `name`: its own when it exists, else those of the wildcard of its closest encloser (as if owned by `name`). */
  function recordsAt(name: string): { records: DnsRecord[]; exists: boolean } {
    if (exists(name)) return { records: records.filter((r) => r.name === name), exists: true };
    for (let encloser = name; encloser.includes('.');) {
      encloser = encloser.slice(encloser.indexOf('.') + 1);
      if (!exists(encloser)) continue;
      const wild = `*.${encloser}`;
      const found = records.filter((r) => r.name === wild).map((r) => ({ ...r, name }));
      return { records: found, exists: found.length > 0 };
    }
    return { records: [], exists: false };
  }

  function lookup(qname: string, type: RecordType): DnsAnswer {
    let name = norm(qname);
    let at = recordsAt(name);
    for (let hops = 0; hops < 10; hops++) {
      if (failing.has(name))
        return {
          status: 'retry',
          records: [],
          why: `Host or domain name not found. Name service error for name=${qname} type=${type}: Host not found, try again`,
        };
      const found = at.records.filter((r) => r.type === type);
      if (found.length) {
        if (type === 'MX' && found.some((r) => r.preference === 0 && r.data === '')) return { status: 'nullmx', records: found };
        if (type === 'MX') found.sort((a, b) => a.preference! - b.preference!);
        return { status: 'ok', records: found };
      }
      const cname = at.records.find((r) => r.type === 'CNAME');
      if (!cname) break;
      name = cname.data;
      at = recordsAt(name);
    }
    return {
      status: 'notfound',
      records: [],
      notFound: at.exists ? 'nodata' : 'nxdomain',
      why: at.exists
        ? `Host found but no data record of type ${type}`
        : `Host or domain name not found. Name service error for name=${qname} type=${type}: Host not found`,
    };
  }

  return {
    file,
    records,
    diagnostics,
    lookup,
    addresses(name) {
      const a = lookup(name, 'A');
      const aaaa = lookup(name, 'AAAA');
      if (a.status === 'retry' || aaaa.status === 'retry') return 'retry';
      const all = [...a.records, ...aaaa.records].map((r) => r.data);
      return all.length ? all : a.notFound === 'nodata' ? 'nodata' : 'notfound';
    },
  };
}

/** dns_strerror(): the resolver's words for why a lookup failed. */
export function dnsStrerror(answer: DnsAnswer): string {
  if (answer.status === 'retry') return 'Host not found, try again';
  return answer.notFound === 'nodata' ? 'Host found but no data record of requested type' : 'Host not found';
}

/** gai_strerror() for a host's addresses. */
export function addressError(result: 'retry' | 'notfound' | 'nodata'): string {
  return result === 'retry'
    ? 'Temporary failure in name resolution'
    : result === 'nodata'
      ? 'No address associated with hostname'
      : 'Name or service not known';
}

/** The empty world: every name is NXDOMAIN. */
export const NO_DNS: DnsFacts = parseDnsFacts('');
