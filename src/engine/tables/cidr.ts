/*
 * NAME
 *   cidr - the cidr: table driver
 * DESCRIPTION
 *   Models cidr_table(5) as Postfix 3.7 implements it (dict_cidr, cidr_match):
 *   rules `[!]pattern result`, `if [!]pattern` ... `endif` blocks, first
 *   match in file order. A bad rule is skipped with Postfix's warning and the
 *   table still works. PATTERN table: only the full key is looked up; a key
 *   that is not an address (inet_pton) matches nothing.
 *
 *   Postfix scans the rules linearly. To answer big tables fast while keeping
 *   first-match order, runs of consecutive plain (non-negated) rules are
 *   indexed: per prefix length, a map from masked network to the lowest rule
 *   number; a lookup takes the smallest rule number over all lengths. `if`,
 *   `endif` and negated rules are evaluated one by one, in sequence.
 *
 *   Opening must stay cheap for 100k-line tables: lines are scanned in
 *   place, plain IPv4 patterns are parsed without substrings, IPv4
 *   networks are int32 numbers (Smi map keys, no byte arrays), and a run
 *   keeps its rules as offsets into the source, slicing the rule text and
 *   value only for the rule that answers. Anything unusual takes the
 *   general path that produces Postfix's messages.
 * SEE ALSO
 *   cidr_table(5)
 */
import type { Diagnostic, LookupResult, LookupTrace } from '../trace/types.ts';
import {
  formatAddress,
  familyOf,
  hasHostBits,
  inPrefix,
  maskAddress,
  parseAddress,
  parseIPv4Number,
  parseIPv6,
  scanIPv4Prefix,
  v4ToNumber,
} from '../util/inet.ts';
import type { IpFamily } from '../util/inet.ts';
import { readRuleSource, surrogateTable, warning } from './driver.ts';
import { forEachLogicalLine } from '../util/readlline.ts';
import { IntIndex, v6Key } from './cidr-index.ts';
import { fileValue } from './dict-file.ts';
import type { TableDriver } from './types.ts';

const MATCH = 0;
const IF = 1;
const ENDIF = 2;
const RUN = 3;

/** ISSPACE in the C locale. */
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);
const trimBlanks = (s: string): string => {
  let e = s.length;
  while (e > 0 && isSpaceCode(s.charCodeAt(e - 1))) e--;
  return s.slice(0, e);
};
/** int32 netmask of an IPv4 prefix length. */
const v4Mask = (shift: number): number => (shift === 0 ? 0 : -1 << (32 - shift));

/** One rule evaluated on its own (`if`, `endif`, negated); one class, one shape. */
class Rule {
  /** For IF: the index of its ENDIF step, -1 when there is none. */
  end = -1;
  constructor(
    readonly op: number,
    /** False for a negated (`!`) rule. */
    readonly match: boolean,
    readonly family: IpFamily,
    /** IPv4: network and netmask as int32; 0 for IPv6. */
    readonly v4: number,
    readonly mask: number,
    /** IPv6 network bytes; undefined for IPv4. */
    readonly net: Uint8Array | undefined,
    readonly shift: number,
    readonly value: string,
    readonly line: number,
    /** The pattern as written, with its `!` operators. */
    readonly text: string,
  ) {}
}

/**
 * The rule parseRule() just read, when it is a plain `[!]pattern result`.
 * One shared record, consumed at once, so plain rules allocate nothing.
 */
const plain = {
  match: true,
  family: 4 as IpFamily,
  v4: 0,
  shift: 0,
  net: undefined as Uint8Array | undefined,
  /** src[start, patEnd) is the rule text, src[valStart, valEnd) the value. */
  start: 0,
  patEnd: 0,
  valStart: 0,
  valEnd: 0,
};

const scanned = { net: 0, shift: 0 };

/** atoi() of an all-digit string, stored in an unsigned char as cidr_match does. */
function maskShiftOf(digits: string): number {
  const v = BigInt(digits);
  return v > 0x7fffffffffffffffn ? 255 : Number(v & 0xffn);
}

/** parsePattern - cidr_match_parse() into `plain`, or Postfix's reason. */
function parsePattern(pattern: string): string | undefined {
  let addr = pattern;
  let mask: string | undefined;
  if (addr.startsWith('[')) {
    addr = addr.slice(1);
    const close = addr.indexOf(']');
    if (close < 0) return `missing ']' character after "[${addr}"`;
    const after = addr.slice(close + 1);
    addr = addr.slice(0, close);
    if (after.startsWith('/')) mask = after.slice(1);
    else if (after !== '') return `garbage after "[${addr}]"`;
  }
  if (mask === undefined) {
    const slash = addr.indexOf('/');
    if (slash >= 0) {
      mask = addr.slice(slash + 1);
      addr = addr.slice(0, slash);
    }
  }
  const family = familyOf(addr);
  const bits = family === 4 ? 32 : 128;
  let shift = bits;
  if (mask === undefined) {
    if (!setNet(addr, family)) return `bad address pattern: "${addr}"`;
  } else {
    const where = `"${addr}/${mask}"`;
    if (!/^[0-9]+$/.test(mask)) return `bad mask value in ${where}`;
    shift = maskShiftOf(mask);
    if (shift > bits) return `bad mask length in ${where}`;
    const parsed = parseAddress(addr);
    if (!parsed) return `bad network value in ${where}`;
    if (hasHostBits(parsed.bytes, shift)) {
      const net = formatAddress({ family, bytes: maskAddress(parsed.bytes, shift) });
      return `non-null host address bits in ${where}, perhaps you should use "${net}/${shift}" instead`;
    }
    setNet(addr, family);
  }
  plain.shift = shift;
  return undefined;
}

function setNet(addr: string, family: IpFamily): boolean {
  const parsed = parseAddress(addr);
  if (!parsed) return false;
  plain.family = family;
  plain.v4 = family === 4 ? v4ToNumber(parsed.bytes) | 0 : 0;
  plain.net = family === 4 ? undefined : parsed.bytes;
  return true;
}

/** True when `p` starts with the keyword `word` (any case) not followed by a letter or digit. */
const isKeyword = (p: string, word: string): boolean => p.length >= word.length && p.slice(0, word.length).toLowerCase() === word && !isAlnum(p[word.length]);

/** Rule from `plain` or a parsed `if` pattern. */
const ruleOf = (op: number, value: string, line: number, text: string): Rule =>
  new Rule(op, plain.match, plain.family, plain.v4, v4Mask(plain.family === 4 ? plain.shift : 0), plain.net, plain.shift, value, line, text);

/**
 * parseRule - dict_cidr_parse_rule() of the logical line src[s, e): a Rule,
 * `plain` for a plain non-negated rule, or Postfix's reason to skip it.
 */
function parseRule(src: string, s: number, e: number, line: number, nesting: number): Rule | typeof plain | string {
  const c = src.charCodeAt(s);
  const c0 = c | 0x20;
  if (c0 === 105 /* i */ || c0 === 101 /* e */) {
    const p = src.slice(s, e);
    if (isKeyword(p, 'if')) {
      let i = 2;
      plain.match = true;
      for (; i < p.length && (p[i] === '!' || isSpaceCode(p.charCodeAt(i))); i++) if (p[i] === '!') plain.match = !plain.match;
      if (i >= p.length) return 'no address pattern';
      const why = parsePattern(trimBlanks(p.slice(i)));
      return why ?? ruleOf(IF, '', line, trimBlanks(p));
    }
    if (isKeyword(p, 'endif')) {
      if (trimBlanks(p.slice(5)).replace(/^[ \t\n\r\v\f]+/, '') !== '') return 'garbage after ENDIF';
      if (nesting === 0) return 'ENDIF without IF';
      return new Rule(ENDIF, true, 4, 0, 0, undefined, 0, '', line, p.slice(0, 5));
    }
  }
  if (c >= 48 && c <= 57) {
    // The common `a.b.c.d[/N] value`.
    const j = scanIPv4Prefix(src, s, e, scanned);
    if (j >= 0) {
      plain.family = 4;
      plain.v4 = scanned.net;
      plain.net = undefined;
      plain.shift = scanned.shift;
      let k = j;
      while (k < e && isSpaceCode(src.charCodeAt(k))) k++;
      let ve = e;
      while (ve > k && isSpaceCode(src.charCodeAt(ve - 1))) ve--;
      if (ve === k) return 'no lookup result';
      plain.match = true;
      plain.start = s;
      plain.patEnd = j;
      plain.valStart = k;
      plain.valEnd = ve;
      return plain;
    }
  }
  let match = true;
  let i = s;
  for (; i < e; i++) {
    const c = src.charCodeAt(i);
    if (c === 33) match = !match;
    else if (!isSpaceCode(c)) break;
  }
  let j = i;
  while (j < e && !isSpaceCode(src.charCodeAt(j))) j++;
  if (j === i) return 'no address pattern';
  let k = j;
  while (k < e && isSpaceCode(src.charCodeAt(k))) k++;
  let ve = e;
  while (ve > k && isSpaceCode(src.charCodeAt(ve - 1))) ve--;
  const why = parsePattern(src.slice(i, j));
  if (why !== undefined) return why;
  if (ve === k) return 'no lookup result';
  plain.match = match;
  if (!match) return ruleOf(MATCH, src.slice(k, ve), line, src.slice(s, j));
  plain.start = s;
  plain.patEnd = j;
  plain.valStart = k;
  plain.valEnd = ve;
  return plain;
}

/** matchRule - cidr_match_entry() for a rule of the key's family. */
function matchRule(rule: Rule, family: IpFamily, v4: number, bytes: Uint8Array | undefined): boolean {
  if (rule.family !== family) return false;
  const inside = family === 4 ? (v4 & rule.mask) === rule.v4 : inPrefix(bytes!, rule.net!, rule.shift);
  return inside === rule.match;
}

/**
 * A run of consecutive plain rules, indexed per prefix length: masked
 * network to the lowest rule number. Rule n is text[at[5n+1], ...) with
 * at[5n..5n+4]: line, start, pattern end, value start, value end; `text`
 * is the file, or for a continued line the joined text in `joined`.
 */
class Run {
  readonly op = RUN;
  size = 0;
  at = new Int32Array(80);
  readonly joined = new Map<number, string>();
  readonly v4: IntIndex[] = [];
  readonly v4ByShift: (IntIndex | undefined)[] = [];
  readonly v6: { shift: number; map: Map<string, number> }[] = [];

  constructor(readonly text: string) {}

  add(src: string, line: number): void {
    const n = this.size++;
    if (src !== this.text) this.joined.set(n, src);
    if (5 * n + 5 > this.at.length) {
      const old = this.at;
      this.at = new Int32Array(old.length * 2);
      this.at.set(old);
    }
    const at = this.at;
    at[5 * n] = line;
    at[5 * n + 1] = plain.start;
    at[5 * n + 2] = plain.patEnd;
    at[5 * n + 3] = plain.valStart;
    at[5 * n + 4] = plain.valEnd;
    if (plain.family === 4) {
      let slot = this.v4ByShift[plain.shift];
      if (!slot) this.v4.push((slot = this.v4ByShift[plain.shift] = new IntIndex(v4Mask(plain.shift))));
      slot.addFirst(plain.v4, n);
    } else {
      const shift = plain.shift;
      let slot = this.v6.find((x) => x.shift === shift);
      if (!slot) this.v6.push((slot = { shift, map: new Map() }));
      const key = v6Key(plain.net!, shift);
      if (!slot.map.has(key)) slot.map.set(key, n);
    }
  }

  /** search - the first rule of the run that matches, by index, or -1. */
  search(family: IpFamily, v4: number, bytes: Uint8Array | undefined): number {
    let best = Infinity;
    if (family === 4) {
      for (const slot of this.v4) {
        const n = slot.get(v4 & slot.mask);
        if (n >= 0 && n < best) best = n;
      }
    } else {
      for (const slot of this.v6) {
        const n = slot.map.get(v6Key(bytes!, slot.shift));
        if (n !== undefined && n < best) best = n;
      }
    }
    return best === Infinity ? -1 : best;
  }

  found(n: number, trace: LookupTrace): LookupResult {
    const src = this.joined.size ? (this.joined.get(n) ?? this.text) : this.text;
    const a = this.at;
    trace.match = { line: a[5 * n]!, rule: src.slice(a[5 * n + 1], a[5 * n + 2]) };
    return { status: 'found', value: src.slice(a[5 * n + 3], a[5 * n + 4]), trace };
  }
}

type Step = Rule | Run;

/** The cidr: table driver. */
export const cidrDriver: TableDriver = {
  open(type, name, options) {
    const source = readRuleSource('cidr', name, options.host.readFile);
    if ('error' in source) return surrogateTable(type, name, source.error, false);
    // Line warnings come first, then rule warnings, as when lines were read in one pass.
    const diagnostics: Diagnostic[] = [];
    const ruleDiagnostics: Diagnostic[] = [];
    const steps: Step[] = [];
    const open: Rule[] = [];
    let run: Run | undefined;
    forEachLogicalLine(source.text, name, diagnostics, (src, s, end, line) => {
      // A line is a C string: it ends at a NUL byte.
      const nul = src.indexOf('\0', s);
      const e = nul >= 0 && nul < end ? nul : end;
      let rule = parseRule(src, s, e, line, open.length);
      if (options.rhsIsFile && (rule === plain || (rule instanceof Rule && rule.op === MATCH))) {
        // -F: the result names files; the rule holds their content, base64-encoded.
        const r = fileValue(rule === plain ? src.slice(plain.valStart, plain.valEnd) : (rule as Rule).value, options.host.readFile);
        if ('error' in r) rule = r.error;
        else if (rule === plain) rule = ruleOf(MATCH, r.value, line, src.slice(plain.start, plain.patEnd));
        else {
          const o = rule as Rule;
          rule = new Rule(o.op, o.match, o.family, o.v4, o.mask, o.net, o.shift, r.value, o.line, o.text);
        }
      }
      if (rule === plain) {
        if (!run) steps.push((run = new Run(source.text)));
        run.add(src, line);
      } else if (typeof rule === 'string') {
        ruleDiagnostics.push(warning(`cidr map ${name}, line ${line}: ${rule}: skipping this rule`, name, line));
      } else {
        const r = rule as Rule;
        run = undefined;
        // Link each `if` to its `endif` step, as the nesting stack does in Postfix.
        if (r.op === IF) open.push(r);
        else if (r.op === ENDIF) open.pop()!.end = steps.length;
        steps.push(r);
      }
    });
    diagnostics.push(...ruleDiagnostics);
    for (let n = open.length - 1; n >= 0; n--)
      diagnostics.push(warning(`cidr map ${name}, line ${open[n]!.line}: IF has no matching ENDIF`, name, open[n]!.line));
    const spec = `${type}:${name}`;

    return {
      spec,
      type,
      name,
      fixed: false,
      diagnostics,
      lookup(key: string): LookupResult {
        const trace: LookupTrace = { table: spec, key };
        const family = familyOf(key);
        // IPv4 keys stay a number (int32); IPv6 keys are bytes.
        let v4 = 0;
        let bytes: Uint8Array | undefined;
        if (family === 4) {
          const n = parseIPv4Number(key);
          if (n < 0) return notAddress(trace, key, family);
          v4 = n | 0;
        } else {
          bytes = parseIPv6(key);
          if (!bytes) return notAddress(trace, key, family);
        }
        let tried = 0;
        for (let pc = 0; pc < steps.length; pc++) {
          const step = steps[pc]!;
          if (step.op === RUN) {
            const run = step as Run;
            const n = run.search(family, v4, bytes);
            if (n < 0) {
              tried += run.size;
              continue;
            }
            const found = run.found(n, trace);
            trace.tried = tried + n;
            return found;
          }
          const rule = step as Rule;
          if (rule.op === ENDIF) continue;
          const hit = matchRule(rule, family, v4, bytes);
          if (rule.op === MATCH) {
            if (hit) {
              trace.match = { line: rule.line, rule: rule.text };
              trace.tried = tried;
              return { status: 'found', value: rule.value, trace };
            }
            tried++;
            continue;
          }
          // `if`: enter the block, or jump to its `endif` (no `endif`: nothing more can match).
          if (hit) continue;
          tried++;
          if (rule.end < 0) break;
          pc = rule.end;
        }
        trace.tried = tried;
        return { status: 'notfound', trace };
      },
    };
  },
};

function notAddress(trace: LookupTrace, key: string, family: IpFamily): LookupResult {
  trace.notes = [`"${key}" is not an IPv${family} address (inet_pton): no rule can match`];
  return { status: 'notfound', trace };
}
