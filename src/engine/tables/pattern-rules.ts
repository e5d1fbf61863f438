/*
 * NAME
 *   pattern-rules - the rule language regexp_table(5) and pcre_table(5) share
 * DESCRIPTION
 *   `/pattern/flags result`, `!/pattern/ result` (each `!` toggles), the
 *   legacy regexp-only `/p1/!/p2/ result`, `if /pattern/` ... `endif`
 *   (nesting), and `$N` `${N}` `$(N)` `$$` in results, parsed the way
 *   mac_parse(3) does. Every rejected rule gets Postfix's warning, with file
 *   and line, and is skipped; the table stays usable. Rules are parsed once,
 *   at open; lookup only runs compiled patterns.
 */
import type { Diagnostic, LookupResult } from '../trace/types.ts';
import type { OpenOptions, Table, TableDriver } from './types.ts';
import { fromBinary, lowerKey, toBinary } from './regex/engines.ts';
import { indexRules } from './regex/rule-index.ts';
import type { CompileResult, CompiledRegex } from './regex/types.ts';
import { readLogicalLines } from '../util/readlline.ts';
import { MAC_PARSE_ERROR, macParse } from '../util/mac-parse.ts';
import { readRuleSource, surrogateTable, warning } from './driver.ts';
import { fileValue } from './dict-file.ts';

/** What differs between the two table types. */
export interface Dialect {
  kind: 'regexp' | 'pcre';
  /** Flag letters the driver accepts; others skip the rule. */
  flags: string;
  /** Flags accepted with an "ignoring obsolete regexp option" warning (pcre X). */
  obsoleteFlags: string;
  /** regexp only: `!` ends the flags and may start a second pattern. */
  secondPattern: boolean;
  /** Wording of the missing-delimiter warning ("skipping" for regexp, "ignoring" for pcre). */
  noDelimiterVerb: string;
  /** Wording for `$0` ("out-of-range" for regexp, "out of range" for pcre). */
  zeroIndexWords: string;
  /** Compiles a pattern; `toggled` holds the flag letters given an odd number of times. */
  compile(pattern: string, toggled: ReadonlySet<string>): CompileResult;
}

type Piece = string | number; // literal text, or a group number

interface MatchRule {
  op: 'match';
  line: number;
  text: string;
  first: CompiledRegex;
  firstMatch: boolean;
  second?: CompiledRegex;
  secondMatch: boolean;
  result: Piece[];
  maxSub: number;
}
interface IfRule {
  op: 'if';
  line: number;
  text: string;
  expr: CompiledRegex;
  match: boolean;
  endif?: number; // index of the matching endif
}
type Rule = MatchRule | IfRule | { op: 'endif'; line: number; text: string };

interface Pattern {
  source: string;
  toggled: Set<string>;
  match: boolean;
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /^[ \t\n\r\v\f]$/.test(c);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/**
 * splitResult - a rule's result as mac_parse(3) splits it: literals (with
 * $$ -> $) and names; `warn` receives mac_parse's own warnings. Null on a
 * syntax error that stops the scan (empty name, truncated reference).
 */
export function splitResult(value: string, warn: (msg: string) => void): { type: 'literal' | 'name'; text: string }[] | null {
  const out: { type: 'literal' | 'name'; text: string }[] = [];
  const collect = (type: 'literal' | 'expr', text: string): number => {
    out.push({ type: type === 'expr' ? 'name' : 'literal', text });
    return 0;
  };
  const status = macParse(value, collect, warn);
  return status & MAC_PARSE_ERROR ? null : out;
}

/** patternTableDriver - the table driver of a dialect (regexp: or pcre:). */
export function patternTableDriver(dialect: Dialect): TableDriver {
  return { open: (type, name, options) => openPatternTable(dialect, type, name, options) };
}

/** openPatternTable - reads, parses and compiles a regexp or pcre table. */
export function openPatternTable(dialect: Dialect, type: string, name: string, options: OpenOptions): Table {
  const read = readRuleSource(dialect.kind, name, (path) => options.host.readFile(path));
  if ('error' in read) return surrogateTable(type, name, read.error, false);
  const diagnostics: Diagnostic[] = [];
  const where = (line: number): string => `${dialect.kind} map ${name}, line ${line}`;
  const rules: Rule[] = [];
  const stack: number[] = [];
  // Postfix matches bytes: rules and keys are handled one character per UTF-8 byte.
  const lineDiagnostics: Diagnostic[] = [];
  const lines = readLogicalLines(toBinary(read.text), name, lineDiagnostics);
  for (const d of lineDiagnostics) diagnostics.push({ ...d, message: fromBinary(d.message) });
  for (const ll of lines) {
    const text = ll.text.replace(/[ \t\n\r\v\f]+$/, '');
    if (text === '') continue;
    const warn = (msg: string): void => void diagnostics.push(warning(fromBinary(`${where(ll.line)}: ${msg}`), name, ll.line));
    const rule = parseRule(text, ll.line, stack.length, warn);
    if (!rule) continue;
    if (rule.op === 'if') stack.push(rules.length);
    else if (rule.op === 'endif') (rules[stack.pop()!] as IfRule).endif = rules.length;
    rules.push(rule);
  }
  while (stack.length > 0) {
    const line = rules[stack.pop()!]!.line;
    diagnostics.push(warning(`${where(line)}: IF has no matching ENDIF`, name, line));
  }

  function getPattern(s: string, at: { p: number }, warn: (m: string) => void): Pattern | null {
    let match = true;
    let p = at.p;
    for (; p < s.length; p++) {
      if (s[p] === '!') match = !match;
      else if (!isSpace(s[p])) break;
    }
    if (p >= s.length) {
      warn('no regexp: skipping this rule');
      return null;
    }
    const delim = s[p++]!;
    const start = p;
    while (p < s.length) {
      if (s[p] === '\\') {
        if (p + 1 < s.length) p++;
        else break;
      } else if (s[p] === delim) break;
      p++;
    }
    if (p >= s.length || s[p] !== delim) {
      warn(`no closing regexp delimiter "${delim}": ${dialect.noDelimiterVerb} this rule`);
      return null;
    }
    const source = s.slice(start, p++);
    const toggled = new Set<string>();
    while (p < s.length && !isSpace(s[p]) && !(dialect.secondPattern && s[p] === '!')) {
      const f = s[p]!;
      if (dialect.obsoleteFlags.includes(f)) warn(`ignoring obsolete regexp option "${f}"`);
      else if (!dialect.flags.includes(f)) {
        warn(`unknown regexp option "${f}": skipping this rule`);
        return null;
      } else if (toggled.has(f)) toggled.delete(f);
      else toggled.add(f);
      p++;
    }
    at.p = p;
    return { source, toggled, match };
  }

  function compile(pat: Pattern, warn: (m: string) => void): CompiledRegex | null {
    const r = dialect.compile(pat.source, pat.toggled);
    if (r.ok) return r.regex;
    warn(r.simulator ? `postfix-sim cannot reproduce this pattern (${r.message}): skipping this rule` : r.message);
    return null;
  }

  function skipSpace(s: string, at: { p: number }): void {
    while (at.p < s.length && isSpace(s[at.p])) at.p++;
  }

  function parseRule(s: string, line: number, nesting: number, warn: (m: string) => void): Rule | null {
    const at = { p: 0 };
    if (!isAlnum(s[0])) {
      const first = getPattern(s, at, warn);
      if (!first) return null;
      let second: Pattern | null = null;
      if (dialect.secondPattern && s[at.p] === '!') {
        second = getPattern(s, at, warn);
        if (!second) return null;
      }
      skipSpace(s, at);
      let replacement = s.slice(at.p);
      if (replacement === '') warn('no replacement text: using empty string');
      if (options.rhsIsFile) {
        // -F: the replacement names files; the rule's result is their content, base64-encoded.
        const r = fileValue(fromBinary(replacement), (path) => options.host.readFile(path));
        if ('error' in r) {
          warn(`${r.error}: skipping this rule`);
          return null;
        }
        replacement = r.value;
      }
      // Prescan, as Postfix: every bad name is reported, then the rule goes.
      let maxSub = 0;
      let bad = false;
      const parsed = splitResult(replacement, (m) => diagnostics.push(warning(fromBinary(m), name, line)));
      const result: Piece[] = [];
      for (const part of parsed ?? []) {
        if (part.type === 'literal') {
          result.push(part.text);
          continue;
        }
        if (!/^[0-9]+$/.test(part.text)) {
          warn(`non-numeric replacement index "${part.text}"`);
          bad = true;
          continue;
        }
        const n = Number.parseInt(part.text, 10);
        if (n < 1) {
          warn(`${dialect.zeroIndexWords} replacement index "${part.text}"`);
          bad = true;
          continue;
        }
        maxSub = Math.max(maxSub, n);
        result.push(n);
      }
      if (parsed === null || bad) {
        warn('bad replacement syntax: skipping this rule');
        return null;
      }
      if (maxSub > 0 && !first.match) {
        warn('$number found in negative match replacement text: skipping this rule');
        return null;
      }
      if (maxSub > 0 && options.noRegsub) {
        warn('regular expression substitution is not allowed: skipping this rule');
        return null;
      }
      const firstRe = compile(first, warn);
      if (!firstRe) return null;
      if (maxSub > firstRe.groupCount) {
        warn(`out of range replacement index "${maxSub}": skipping this rule`);
        return null;
      }
      let secondRe: CompiledRegex | undefined;
      if (second) {
        secondRe = compile(second, warn) ?? undefined;
        if (!secondRe) return null;
      }
      return {
        op: 'match',
        line,
        text: s,
        first: firstRe,
        firstMatch: first.match,
        ...(secondRe && { second: secondRe }),
        secondMatch: second?.match ?? true,
        result,
        maxSub,
      };
    }
    if (/^if$/i.test(s.slice(0, 2)) && !isAlnum(s[2])) {
      at.p = 2;
      skipSpace(s, at);
      const pat = getPattern(s, at, warn);
      if (!pat) return null;
      skipSpace(s, at);
      if (at.p < s.length) {
        warn(`ignoring extra text after IF statement: "${s.slice(at.p)}"`);
        warn('do not prepend whitespace to statements between IF and ENDIF');
      }
      const expr = compile(pat, warn);
      if (!expr) return null;
      return { op: 'if', line, text: s, expr, match: pat.match };
    }
    if (/^endif$/i.test(s.slice(0, 5)) && !isAlnum(s[5])) {
      if (nesting === 0) {
        warn('ignoring ENDIF without matching IF');
        return null;
      }
      at.p = 5;
      skipSpace(s, at);
      if (at.p < s.length) warn('ignoring extra text after ENDIF');
      return { op: 'endif', line, text: s };
    }
    warn('ignoring unrecognized request');
    return null;
  }

  // Only positive one-pattern match rules may be skipped by the index.
  const index = indexRules(rules.map((r) => (r.op === 'match' && r.firstMatch && !r.second ? r.first : undefined)));
  const spec = `${type}:${name}`;
  return {
    spec,
    type,
    name,
    fixed: false,
    diagnostics,
    lookup(originalKey: string): LookupResult {
      const key = toBinary(originalKey);
      const lower = lowerKey(key);
      const warnings: Diagnostic[] = [];
      // applies - the pattern matches (or, negated, does not); a matching error means neither (DICT_PCRE_EXEC).
      const applies = (re: CompiledRegex, r: Rule, match: boolean): boolean => {
        try {
          return re.test(key, lower) === match;
        } catch (e) {
          const msg = `${where(r.line)}: ${(e as Error).message}`;
          warnings.push(warning(msg, name, r.line));
          return false;
        }
      };
      let tried = 0;
      const done = (res: LookupResult): LookupResult => (warnings.length > 0 ? { ...res, warnings } : res);
      let next = 0; // rules before this index are skipped (a failed IF jumps to its ENDIF)
      for (const i of index.candidates(key, lower)) {
        if (i < next) continue;
        const rule = rules[i]!;
        if (rule.op === 'endif') continue;
        if (rule.op === 'if') {
          if (applies(rule.expr, rule, rule.match)) continue;
          if (rule.endif === undefined) break;
          next = rule.endif + 1;
          continue;
        }
        tried++;
        if (!applies(rule.first, rule, rule.firstMatch)) continue;
        if (rule.second && !applies(rule.second, rule, rule.secondMatch)) continue;
        const found = rule.firstMatch ? (rule.first.exec(key) ?? undefined) : undefined;
        let value = '';
        for (const piece of rule.result) value += typeof piece === 'string' ? piece : (found?.[piece] ?? '');
        const groups = found?.map((g) => (g === undefined ? g : fromBinary(g)));
        const notes = [...rule.first.notes, ...(rule.second?.notes ?? [])];
        return done({
          status: 'found',
          value: fromBinary(value),
          trace: {
            table: spec,
            key: originalKey,
            tried: tried - 1,
            match: { line: rule.line, rule: fromBinary(rule.text), ...(groups && { groups }), engine: rule.first.engine },
            ...(notes.length > 0 && { notes }),
          },
        });
      }
      return done({ status: 'notfound', trace: { table: spec, key: originalKey, tried } });
    },
  };
}
