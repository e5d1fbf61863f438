/*
 * NAME
 *   dns-responder - a tiny authoritative DNS server for golden recordings
 * SYNOPSIS
 *   import { startDnsResponder } from './dns-responder.mjs';
 *   const dns = await startDnsResponder(records, { address: '127.0.0.1', port: 53 });
 *   ... dns.queries  // [{ name, type }] in order of arrival
 *   await dns.close();
 *
 *   node scripts/golden/dns-responder.mjs DNSFILE [ADDRESS [PORT]]   (manual testing)
 * DESCRIPTION
 *   Answers UDP queries from the records of a group's `dns` file (parsed by
 *   parseDnsFile in smtpd-format.mjs) and nothing else:
 *   - a name with records of the asked type: NOERROR, AA, those records;
 *   - a name that exists (it, or a name below it, has records) but not of
 *     that type: NOERROR with no answer (NODATA), as a real zone does, so
 *     that e.g. an MX query of an A-only domain falls back to the A record;
 *   - a name marked SERVFAIL: SERVFAIL for every type; TIMEOUT: no reply;
 *   - a name that does not exist, below an existing name E that has a
 *     wildcard `*.E`: answered from the wildcard as above (RFC 4592), with
 *     the asked name as the owner;
 *   - anything else: NXDOMAIN.
 *   Types: A AAAA MX NS PTR TXT (CNAME is not supported). No recursion, no
 *   EDNS, no TCP (answers are small). Written for the recorder; it runs
 *   inside the recorder's private network namespace on 127.0.0.1:53.
 */
import { createSocket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

/** @import { DnsRecord } from './smtpd-format.mjs' */

/**
 * The records of one name: its records by type, or the failure its queries get.
 * @typedef {{ types: Map<string, { ttl: number; rdata: Buffer }[]>; fail: string | null }} ZoneNode
 */
/** @typedef {Map<string, ZoneNode>} Zone */
/**
 * A query's question; `bad` when it is no query this responder can parse.
 * @typedef {{ id: number; flags: number; bad: true } | { id: number; flags: number; bad?: undefined; name: string; type: number; qclass: number; end: number }} Question
 */
/** @typedef {{ name: string; type: string }} SeenQuery */

/** @type {Record<string, number>} */
export const TYPE_CODES = { A: 1, NS: 2, PTR: 12, MX: 15, TXT: 16, AAAA: 28 };
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE_CODES).map(([k, v]) => [v, k]));

const canonical = (/** @type {string} */ name) => name.toLowerCase().replace(/\.$/, '');

/**
 * encodeName - a domain name in wire format without compression ("" or "." is the root).
 * @param {string} name
 * @returns {Buffer}
 */
function encodeName(name) {
  const labels = canonical(name) === '' ? [] : name.replace(/\.$/, '').split('.');
  /** @type {Buffer[]} */
  const parts = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0 || bytes.length > 63) throw new Error(`bad DNS label in ${JSON.stringify(name)}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/**
 * @param {string} text
 * @returns {Buffer}
 */
function encodeIPv6(text) {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const groups = (/** @type {string} */ s) => (s === '' ? [] : s.split(':'));
  const left = groups(head);
  const right = tail === null ? [] : groups(tail);
  const fill = tail === null ? [] : new Array(8 - left.length - right.length).fill('0');
  const all = [...left, ...fill, ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/**
 * encodeData - the RDATA of one record (data as written in the dns file).
 * @param {string} type
 * @param {string} data
 * @returns {Buffer}
 */
export function encodeData(type, data) {
  switch (type) {
    case 'A':
      if (!isIPv4(data)) throw new Error(`bad A address ${data}`);
      return Buffer.from(data.split('.').map(Number));
    case 'AAAA':
      if (!isIPv6(data) || data.includes('.')) throw new Error(`bad AAAA address ${data}`);
      return encodeIPv6(data);
    case 'NS':
    case 'PTR':
      return encodeName(data);
    case 'MX': {
      const m = /^(\d+)\s+(\S+)$/.exec(data);
      if (!m || Number(m[1]) > 65535) throw new Error(`bad MX data ${data}`);
      const pref = Buffer.alloc(2);
      pref.writeUInt16BE(Number(m[1]));
      return Buffer.concat([pref, encodeName(m[2])]);
    }
    case 'TXT': {
      // One or more "quoted" strings (\" and \\ escapes), or one bare word.
      /** @type {string[]} */
      const strings = [];
      const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
      let m;
      while ((m = re.exec(data))) strings.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
      return Buffer.concat(
        strings.map((s) => {
          const b = Buffer.from(s, 'utf8');
          if (b.length > 255) throw new Error('TXT string longer than 255 bytes');
          return Buffer.concat([Buffer.from([b.length]), b]);
        }),
      );
    }
    default:
      throw new Error(`unsupported record type ${type}`);
  }
}

/**
 * decodeQuestion - { id, flags, name, type, qclass, end } of a query, or null.
 * @param {Buffer} msg
 * @returns {Question | null}
 */
function decodeQuestion(msg) {
  if (msg.length < 12) return null;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000 || msg.readUInt16BE(4) !== 1) return { id, flags, bad: true };
  /** @type {string[]} */
  const labels = [];
  let i = 12;
  for (;;) {
    if (i >= msg.length) return { id, flags, bad: true };
    const len = msg[i++];
    if (len === 0) break;
    if (len > 63 || i + len > msg.length) return { id, flags, bad: true };
    labels.push(msg.toString('latin1', i, i + len));
    i += len;
  }
  if (i + 4 > msg.length) return { id, flags, bad: true };
  return { id, flags, name: labels.join('.'), type: msg.readUInt16BE(i), qclass: msg.readUInt16BE(i + 2), end: i + 4 };
}

/**
 * buildZone - index the records: Map canonical name -> { types: Map type -> [rdata], ttl, fail }.
 * Names that only have names below them exist too (empty non-terminals).
 * @param {DnsRecord[]} records
 * @returns {Zone}
 */
function buildZone(records) {
  /** @type {Zone} */
  const zone = new Map();
  /** @param {string} name */
  const entry = (name) => {
    let e = zone.get(name);
    if (!e) zone.set(name, (e = { types: new Map(), fail: null }));
    return e;
  };
  for (const r of records) {
    const name = canonical(r.name);
    const e = entry(name);
    if (r.type === 'SERVFAIL' || r.type === 'TIMEOUT') {
      e.fail = r.type;
      continue;
    }
    let rrs = e.types.get(r.type);
    if (!rrs) e.types.set(r.type, (rrs = []));
    rrs.push({ ttl: r.ttl, rdata: encodeData(r.type, r.data) });
    for (let parent = name; parent.includes('.');) {
      parent = parent.slice(parent.indexOf('.') + 1);
      entry(parent);
    }
  }
  return zone;
}

/**
 * findNode - the zone entry that answers for `name`: its own, else (RFC 4592)
 * the wildcard `*.ENCLOSER` of its closest encloser (the nearest ancestor that
 * exists), which answers only for names that do not exist.
 * @param {Zone} zone
 * @param {string} name
 * @returns {ZoneNode | undefined}
 */
export function findNode(zone, name) {
  const own = zone.get(name);
  if (own) return own;
  for (let encloser = name; encloser.includes('.');) {
    encloser = encloser.slice(encloser.indexOf('.') + 1);
    if (zone.has(encloser)) return zone.get(`*.${encloser}`);
  }
  return undefined;
}

/**
 * answer - the reply to one query message, or null for no reply.
 * @param {Zone} zone
 * @param {Buffer} msg
 * @param {(query: SeenQuery) => void} [seen]
 * @returns {Buffer | null}
 */
export function answer(zone, msg, seen) {
  const q = decodeQuestion(msg);
  if (!q) return null;
  const header = (/** @type {number} */ rcode, /** @type {number} */ ancount) => {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(q.id, 0);
    // QR, opcode 0, AA, RD copied from the query, RA clear.
    h.writeUInt16BE(0x8000 | 0x0400 | (q.flags & 0x0100) | rcode, 2);
    h.writeUInt16BE(q.bad ? 0 : 1, 4);
    h.writeUInt16BE(ancount, 6);
    return h;
  };
  if (q.bad || (q.flags & 0x7800) !== 0) return Buffer.concat([header(q.bad ? 1 : 4, 0)]);
  const question = msg.subarray(12, q.end);
  const typeName = TYPE_NAMES[q.type] ?? `TYPE${q.type}`;
  seen?.({ name: q.name.toLowerCase(), type: typeName });
  const e = findNode(zone, canonical(q.name));
  if (e?.fail === 'TIMEOUT') return null;
  if (e?.fail === 'SERVFAIL') return Buffer.concat([header(2, 0), question]);
  if (!e) return Buffer.concat([header(3, 0), question]);
  const rrs = q.qclass === 1 ? (e.types.get(typeName) ?? []) : [];
  const answers = rrs.map(({ ttl, rdata }) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // the question's name
    fixed.writeUInt16BE(q.type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(ttl, 6);
    fixed.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([fixed, rdata]);
  });
  return Buffer.concat([header(0, answers.length), question, ...answers]);
}

/**
 * startDnsResponder - serve `records` on UDP address:port; resolves { queries, close() }.
 * @param {DnsRecord[]} records
 * @param {{ address?: string; port?: number }} [where]
 * @returns {Promise<{ queries: SeenQuery[]; close: () => Promise<void> }>}
 */
export function startDnsResponder(records, { address = '127.0.0.1', port = 53 } = {}) {
  const zone = buildZone(records);
  /** @type {SeenQuery[]} */
  const queries = [];
  const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => {
    const reply = answer(zone, msg, (q) => queries.push(q));
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolvePromise, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolvePromise({ queries, close: () => new Promise((r) => socket.close(() => r())) });
    });
  });
}

// Manual use: node dns-responder.mjs DNSFILE [ADDRESS [PORT]]
const self = new URL(import.meta.url).pathname;
if (process.argv[1] && process.argv[1].endsWith('dns-responder.mjs') && self.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const { readFileSync } = await import('node:fs');
  const { parseDnsFile } = await import('./smtpd-format.mjs');
  const [file, address = '127.0.0.1', port = '53'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dns-responder.mjs DNSFILE [ADDRESS [PORT]]\n');
    process.exit(2);
  }
  const dns = await startDnsResponder(parseDnsFile(readFileSync(file, 'utf8'), file), { address, port: Number(port) });
  process.stderr.write(`dns-responder: serving ${file} on ${address}:${port}\n`);
  setInterval(() => {
    while (dns.queries.length) {
      const q = /** @type {SeenQuery} */ (dns.queries.shift());
      process.stderr.write(`query ${q.name} ${q.type}\n`);
    }
  }, 200);
}
