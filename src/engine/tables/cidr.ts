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
 *   Opening must stay cheap for 100k-line tables: rules are fixed-shape
 *   objects, IPv4 networks are int32 numbers (no byte arrays), plain IPv4
 *   patterns are parsed in place, and anything unusual takes the general
 *   (Postfix-message-producing) path.
 * SEE ALSO
 *   cidr_table(5)
 */
import type { Diagnostic, LookupResult, LookupTrace } from '../trace/types.ts';
import { formatAddress, familyOf, hasHostBits, inPrefix, maskAddress, parseAddress, parseIPv4Number, parseIPv6, v4ToNumber } from './shared/inet.ts';
import type { IpFamily } from './shared/inet.ts';
import { readLogicalLines } from './shared/readlline.ts';
import { readTableFile, surrogateTable, warning } from './shared/table.ts';
import type { TableDriver } from './types.ts';

const MATCH = 0;
const IF = 1;
const ENDIF = 2;
const RUN = 3;

/** One parsed rule (CIDR_MATCH plus value); one class so every rule has the same shape. */
class Rule {
  /** For IF: the index of its ENDIF step, -1 when there is none. */
  end = -1;
  constructor(
    readonly op: number,
    /** False for a negated (`!`) rule. */
    readonly match: boolean,
    readonly family: IpFamily,
    /** IPv4: network and netmask as int32 (Smi map keys); 0 for IPv6. */
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

interface V4Slot {
  mask: number;
  map: Map<number, number>;
}
interface V6Slot {
  shift: number;
  map: Map<string, number>;
}

/** A run of consecutive plain rules, indexed by prefix length. */
class Run {
  readonly op = RUN;
  readonly rules: Rule[] = [];
  readonly v4: V4Slot[] = [];
  readonly v6: V6Slot[] = [];
  /** v4 slots by prefix length, while compiling. */
  readonly v4ByShift: (V4Slot | undefined)[] = [];
}

type Step = Rule | Run;

/** ISSPACE in the C locale. */
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);
const trimBlanks = (s: string): string => {
  let e = s.length;
  while (e > 0 && isSpaceCode(s.charCodeAt(e - 1))) e--;
  return s.slice(0, e);
};
/** int32 netmask of a prefix length, IPv4. */
const v4Mask = (shift: number): number => (shift === 0 ? 0 : -1 << (32 - shift));

/** atoi() of an all-digit string, stored in an unsigned char as cidr_match does. */
function maskShiftOf(digits: string): number {
  const v = BigInt(digits);
  return v > 0x7fffffffffffffffn ? 255 : Number(v & 0xffn);
}

interface Parsed {
  family: IpFamily;
  bytes: Uint8Array;
  shift: number;
}

/** parsePattern - cidr_match_parse(): the rule's address part, or Postfix's reason. */
function parsePattern(pattern: string): Parsed | string {
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
  if (mask === undefined) {
    const parsed = parseAddress(addr);
    if (!parsed) return `bad address pattern: "${addr}"`;
    return { family, bytes: parsed.bytes, shift: bits };
  }
  const where = `"${addr}/${mask}"`;
  if (!/^[0-9]+$/.test(mask)) return `bad mask value in ${where}`;
  const shift = maskShiftOf(mask);
  if (shift > bits) return `bad mask length in ${where}`;
  const parsed = parseAddress(addr);
  if (!parsed) return `bad network value in ${where}`;
  if (hasHostBits(parsed.bytes, shift)) {
    const net = formatAddress({ family, bytes: maskAddress(parsed.bytes, shift) });
    return `non-null host address bits in ${where}, perhaps you should use "${net}/${shift}" instead`;
  }
  return { family, bytes: parsed.bytes, shift };
}

/** Results of fastV4(), in module state so the hot path allocates nothing. */
let fastNet = 0;
let fastShift = 0;

/**
 * fastV4 - a valid IPv4 `a.b.c.d` or `a.b.c.d/N` (N one or two digits, no
 * host bits) in s[start, end), into fastNet/fastShift. False for anything
 * else, which parsePattern() then handles (and explains) exactly.
 */
function fastV4(s: string, start: number, end: number): boolean {
  let slash = -1;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 47) {
      if (slash >= 0) return false;
      slash = i;
    } else if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  let shift = 32;
  if (slash >= 0) {
    const len = end - slash - 1;
    if (len < 1 || len > 2) return false;
    shift = s.charCodeAt(slash + 1) - 48;
    if (len === 2) shift = shift * 10 + s.charCodeAt(slash + 2) - 48;
    if (shift > 32) return false;
  }
  const net = parseIPv4Number(s, start, slash >= 0 ? slash : end);
  if (net < 0) return false;
  const mask = v4Mask(shift);
  if ((net & ~mask) !== 0) return false;
  fastNet = net | 0;
  fastShift = shift;
  return true;
}

/** makeRule - a rule from a parsed pattern. */
function makeRule(op: number, match: boolean, p: Parsed, value: string, line: number, text: string): Rule {
  if (p.family === 4) return new Rule(op, match, 4, v4ToNumber(p.bytes) | 0, v4Mask(p.shift), undefined, p.shift, value, line, text);
  return new Rule(op, match, 6, 0, 0, p.bytes, p.shift, value, line, text);
}

/** skipNegation - the index after leading blanks and `!`s; the sense in `negSense`. */
let negSense = true;
function skipNegation(s: string, i: number): number {
  let match = true;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 33) match = !match;
    else if (!isSpaceCode(c)) break;
  }
  negSense = match;
  return i;
}

/** True when `p` starts with the keyword `word` (any case) not followed by a letter or digit. */
const isKeyword = (p: string, word: string): boolean =>
  p.length >= word.length && p.slice(0, word.length).toLowerCase() === word && !isAlnum(p[word.length]);

/** parseRule - dict_cidr_parse_rule(): one logical line, or Postfix's reason to skip it. */
function parseRule(p: string, line: number, nesting: number): Rule | string {
  const c0 = p.charCodeAt(0) | 0x20;
  if (c0 === 105 /* i */ && isKeyword(p, 'if')) {
    const i = skipNegation(p, 2);
    const match = negSense;
    if (i >= p.length) return 'no address pattern';
    const parsed = parsePattern(trimBlanks(p.slice(i)));
    if (typeof parsed === 'string') return parsed;
    return makeRule(IF, match, parsed, '', line, trimBlanks(p));
  }
  if (c0 === 101 /* e */ && isKeyword(p, 'endif')) {
    if (trimBlanks(p.slice(5)).replace(/^[ \t\n\r\v\f]+/, '') !== '') return 'garbage after ENDIF';
    if (nesting === 0) return 'ENDIF without IF';
    return new Rule(ENDIF, true, 4, 0, 0, undefined, 0, '', line, p.slice(0, 5));
  }
  const n = p.length;
  const i = skipNegation(p, 0);
  const match = negSense;
  let j = i;
  while (j < n && !isSpaceCode(p.charCodeAt(j))) j++;
  if (j === i) return 'no address pattern';
  let k = j;
  while (k < n && isSpaceCode(p.charCodeAt(k))) k++;
  let e = n;
  while (e > k && isSpaceCode(p.charCodeAt(e - 1))) e--;
  if (fastV4(p, i, j)) {
    if (e === k) return 'no lookup result';
    return new Rule(MATCH, match, 4, fastNet, v4Mask(fastShift), undefined, fastShift, p.slice(k, e), line, p.slice(0, j));
  }
  const parsed = parsePattern(p.slice(i, j));
  if (typeof parsed === 'string') return parsed;
  if (e === k) return 'no lookup result';
  return makeRule(MATCH, match, parsed, p.slice(k, e), line, p.slice(0, j));
}

/** matchRule - cidr_match_entry() for a rule of the key's family. */
function matchRule(rule: Rule, family: IpFamily, v4: number, bytes: Uint8Array | undefined): boolean {
  if (rule.family !== family) return false;
  const inside = family === 4 ? (v4 & rule.mask) === rule.v4 : inPrefix(bytes!, rule.net!, rule.shift);
  return inside === rule.match;
}

const v6Key = (bytes: Uint8Array, shift: number): string =>
  String.fromCharCode(...maskAddress(bytes, shift).subarray(0, (shift + 7) >> 3));

/** compile - the rules as steps; consecutive plain rules become one indexed run. */
function compile(rules: Rule[]): Step[] {
  const steps: Step[] = [];
  let run: Run | undefined;
  for (const rule of rules) {
    if (rule.op !== MATCH || !rule.match) {
      run = undefined;
      steps.push(rule);
      continue;
    }
    if (!run) steps.push((run = new Run()));
    const n = run.rules.push(rule) - 1;
    if (rule.family === 4) {
      let slot = run.v4ByShift[rule.shift];
      if (!slot) run.v4.push((slot = run.v4ByShift[rule.shift] = { mask: rule.mask, map: new Map() }));
      if (!slot.map.has(rule.v4)) slot.map.set(rule.v4, n);
    } else {
      let slot = run.v6.find((s) => s.shift === rule.shift);
      if (!slot) run.v6.push((slot = { shift: rule.shift, map: new Map() }));
      const key = v6Key(rule.net!, rule.shift);
      if (!slot.map.has(key)) slot.map.set(key, n);
    }
  }
  // Link each `if` to its `endif` step, as the nesting stack does in Postfix.
  const stack: Rule[] = [];
  steps.forEach((step, index) => {
    if (step.op === IF) stack.push(step as Rule);
    else if (step.op === ENDIF) stack.pop()!.end = index;
  });
  return steps;
}

/** searchRun - the first rule of the run that matches, by index. */
function searchRun(run: Run, family: IpFamily, v4: number, bytes: Uint8Array | undefined): number {
  let best = Infinity;
  if (family === 4) {
    for (const slot of run.v4) {
      const n = slot.map.get(v4 & slot.mask);
      if (n !== undefined && n < best) best = n;
    }
  } else {
    for (const slot of run.v6) {
      const n = slot.map.get(v6Key(bytes!, slot.shift));
      if (n !== undefined && n < best) best = n;
    }
  }
  return best === Infinity ? -1 : best;
}

/** The cidr: table driver. */
export const cidrDriver: TableDriver = {
  open(type, name, options) {
    const source = readTableFile(options.host.readFile, name);
    if ('error' in source) return surrogateTable(type, name, source.error, false);
    const diagnostics: Diagnostic[] = [];
    const rules: Rule[] = [];
    const open: Rule[] = [];
    for (const { text, line } of readLogicalLines(source.text, name, diagnostics)) {
      const rule = parseRule(text, line, open.length);
      if (typeof rule === 'string') {
        diagnostics.push(warning(`cidr map ${name}, line ${line}: ${rule}: skipping this rule`, name, line));
        continue;
      }
      if (rule.op === IF) open.push(rule);
      else if (rule.op === ENDIF) open.pop();
      rules.push(rule);
    }
    for (let n = open.length - 1; n >= 0; n--)
      diagnostics.push(warning(`cidr map ${name}, line ${open[n]!.line}: IF has no matching ENDIF`, name, open[n]!.line));
    const steps = compile(rules);
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
            const n = searchRun(run, family, v4, bytes);
            if (n < 0) {
              tried += run.rules.length;
              continue;
            }
            const rule = run.rules[n]!;
            trace.match = { line: rule.line, rule: rule.text };
            trace.tried = tried + n;
            return { status: 'found', value: rule.value, trace };
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
