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
 * SEE ALSO
 *   cidr_table(5)
 */
import type { LookupResult, LookupTrace } from '../trace/types.ts';
import { formatAddress, familyOf, hasHostBits, inPrefix, maskAddress, parseAddress, v4ToNumber } from './shared/inet.ts';
import type { IpFamily } from './shared/inet.ts';
import { readLogicalLines } from './shared/readlline.ts';
import { readTableFile, surrogateTable, warning } from './shared/table.ts';
import type { Diagnostic } from '../trace/types.ts';
import type { Table, TableDriver } from './types.ts';

/** One parsed rule (CIDR_MATCH plus value). */
interface Rule {
  op: 'match' | 'if' | 'endif';
  /** False for a negated (`!`) rule. */
  match: boolean;
  family: IpFamily;
  net: Uint8Array;
  shift: number;
  value: string;
  line: number;
  /** The pattern as written, with its `!` operators. */
  text: string;
  /** For `if`: the index of its `endif` in the program, -1 when there is none. */
  end: number;
}

/** A run of consecutive plain rules, indexed by prefix length. */
interface Run {
  op: 'run';
  rules: Rule[];
  v4: { shift: number; mask: number; map: Map<number, number> }[];
  v6: { shift: number; map: Map<string, number> }[];
}

type Step = Rule | Run;

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);
const trimBlanks = (s: string): string => {
  let e = s.length;
  while (e > 0 && isSpace(s[e - 1])) e--;
  return s.slice(0, e);
};

/** atoi() of an all-digit string, stored in an unsigned char as cidr_match does. */
function maskShiftOf(digits: string): number {
  const v = BigInt(digits);
  return v > 0x7fffffffffffffffn ? 255 : Number(v & 0xffn);
}

/** parsePattern - cidr_match_parse(): the rule's address part, or Postfix's reason. */
function parsePattern(pattern: string): { family: IpFamily; net: Uint8Array; shift: number } | { why: string } {
  let addr = pattern;
  let mask: string | undefined;
  if (addr.startsWith('[')) {
    addr = addr.slice(1);
    const close = addr.indexOf(']');
    if (close < 0) return { why: `missing ']' character after "[${addr}"` };
    const after = addr.slice(close + 1);
    addr = addr.slice(0, close);
    if (after.startsWith('/')) mask = after.slice(1);
    else if (after !== '') return { why: `garbage after "[${addr}]"` };
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
    if (!parsed) return { why: `bad address pattern: "${addr}"` };
    return { family, net: parsed.bytes, shift: bits };
  }
  const where = `"${addr}/${mask}"`;
  if (!/^[0-9]+$/.test(mask)) return { why: `bad mask value in ${where}` };
  const shift = maskShiftOf(mask);
  if (shift > bits) return { why: `bad mask length in ${where}` };
  const parsed = parseAddress(addr);
  if (!parsed) return { why: `bad network value in ${where}` };
  if (hasHostBits(parsed.bytes, shift)) {
    const net = formatAddress({ family, bytes: maskAddress(parsed.bytes, shift) });
    return { why: `non-null host address bits in ${where}, perhaps you should use "${net}/${shift}" instead` };
  }
  return { family, net: parsed.bytes, shift };
}

/** skipNegation - the text after leading blanks and `!`s, and the resulting sense. */
function skipNegation(s: string, i: number): { i: number; match: boolean } {
  let match = true;
  for (; i < s.length; i++) {
    if (s[i] === '!') match = !match;
    else if (!isSpace(s[i])) break;
  }
  return { i, match };
}

/** parseRule - dict_cidr_parse_rule(): one logical line, or Postfix's reason to skip it. */
function parseRule(p: string, line: number, nesting: number): Rule | { why: string } {
  const base = { family: 4 as IpFamily, net: new Uint8Array(4), shift: 0, value: '', line, end: -1 };
  if (/^if/i.test(p) && !isAlnum(p[2])) {
    const { i, match } = skipNegation(p, 2);
    if (i >= p.length) return { why: 'no address pattern' };
    const pattern = trimBlanks(p.slice(i));
    const parsed = parsePattern(pattern);
    if ('why' in parsed) return parsed;
    return { ...base, ...parsed, op: 'if', match, text: trimBlanks(p) };
  }
  if (/^endif/i.test(p) && !isAlnum(p[5])) {
    if (trimBlanks(p.slice(5)).replace(/^[ \t\n\r\v\f]+/, '') !== '') return { why: 'garbage after ENDIF' };
    if (nesting === 0) return { why: 'ENDIF without IF' };
    return { ...base, op: 'endif', match: true, text: p.slice(0, 5) };
  }
  const { i, match } = skipNegation(p, 0);
  let j = i;
  while (j < p.length && !isSpace(p[j])) j++;
  const pattern = p.slice(i, j);
  let k = j;
  while (k < p.length && isSpace(p[k])) k++;
  const value = trimBlanks(p.slice(k));
  if (pattern === '') return { why: 'no address pattern' };
  const parsed = parsePattern(pattern);
  if ('why' in parsed) return parsed;
  if (value === '') return { why: 'no lookup result' };
  return { ...base, ...parsed, op: 'match', match, value, text: p.slice(0, j) };
}

/** matchRule - cidr_match_entry() for a rule of the key's family. */
function matchRule(rule: Rule, family: IpFamily, bytes: Uint8Array): boolean {
  if (rule.family !== family) return false;
  return inPrefix(bytes, rule.net, rule.shift) === rule.match;
}

const v6Key = (bytes: Uint8Array, shift: number): string =>
  String.fromCharCode(...maskAddress(bytes, shift).subarray(0, (shift + 7) >> 3));
const v4Mask = (shift: number): number => (shift === 0 ? 0 : (0xffffffff << (32 - shift)) >>> 0);

/** compile - the rules as steps; consecutive plain rules become one indexed run. */
function compile(rules: Rule[]): Step[] {
  const steps: Step[] = [];
  let run: Run | undefined;
  for (const rule of rules) {
    if (rule.op !== 'match' || !rule.match) {
      run = undefined;
      if (rule.op === 'if') rule.end = -1;
      steps.push(rule);
      continue;
    }
    if (!run) steps.push((run = { op: 'run', rules: [], v4: [], v6: [] }));
    const n = run.rules.push(rule) - 1;
    if (rule.family === 4) {
      let slot = run.v4.find((s) => s.shift === rule.shift);
      if (!slot) run.v4.push((slot = { shift: rule.shift, mask: v4Mask(rule.shift), map: new Map() }));
      const key = v4ToNumber(rule.net);
      if (!slot.map.has(key)) slot.map.set(key, n);
    } else {
      let slot = run.v6.find((s) => s.shift === rule.shift);
      if (!slot) run.v6.push((slot = { shift: rule.shift, map: new Map() }));
      const key = v6Key(rule.net, rule.shift);
      if (!slot.map.has(key)) slot.map.set(key, n);
    }
  }
  // Link each `if` to its `endif` step, as the nesting stack does in Postfix.
  const stack: Rule[] = [];
  steps.forEach((step, index) => {
    if (step.op === 'if') stack.push(step);
    else if (step.op === 'endif') stack.pop()!.end = index;
  });
  return steps;
}

/** searchRun - the first rule of the run that matches, by index. */
function searchRun(run: Run, family: IpFamily, bytes: Uint8Array, v4: number): number {
  let best = Infinity;
  if (family === 4) {
    for (const slot of run.v4) {
      const n = slot.map.get((v4 & slot.mask) >>> 0);
      if (n !== undefined && n < best) best = n;
    }
  } else {
    for (const slot of run.v6) {
      const n = slot.map.get(v6Key(bytes, slot.shift));
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
      if ('why' in rule) {
        diagnostics.push(warning(`cidr map ${name}, line ${line}: ${rule.why}: skipping this rule`, name, line));
        continue;
      }
      if (rule.op === 'if') open.push(rule);
      else if (rule.op === 'endif') open.pop();
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
        const addr = parseAddress(key);
        if (!addr) {
          trace.notes = [`"${key}" is not an IPv${familyOf(key)} address (inet_pton): no rule can match`];
          return { status: 'notfound', trace };
        }
        const v4 = addr.family === 4 ? v4ToNumber(addr.bytes) : 0;
        let tried = 0;
        for (let pc = 0; pc < steps.length; pc++) {
          const step = steps[pc]!;
          if (step.op === 'run') {
            const n = searchRun(step, addr.family, addr.bytes, v4);
            if (n < 0) {
              tried += step.rules.length;
              continue;
            }
            const rule = step.rules[n]!;
            trace.match = { line: rule.line, rule: rule.text };
            trace.tried = tried + n;
            return { status: 'found', value: rule.value, trace };
          }
          if (step.op === 'endif') continue;
          const hit = matchRule(step, addr.family, addr.bytes);
          if (step.op === 'match') {
            if (hit) {
              trace.match = { line: step.line, rule: step.text };
              trace.tried = tried;
              return { status: 'found', value: step.value, trace };
            }
            tried++;
            continue;
          }
          // `if`: enter the block, or jump to its `endif` (no `endif`: nothing more can match).
          if (hit) continue;
          tried++;
          if (step.end < 0) break;
          pc = step.end;
        }
        trace.tried = tried;
        return { status: 'notfound', trace };
      },
    };
  },
};
