/*
 * NAME
 *   regex/posix - POSIX regcomp() (glibc flavour) patterns for regexp_table(5)
 * DESCRIPTION
 *   Translates an ERE (or a BRE, when the `x` flag clears REG_EXTENDED) into
 *   RE2 syntax for re2js with LONGEST_MATCH, or into JS syntax when the
 *   pattern has backreferences. glibc's compile errors are reproduced with
 *   regerror()'s words, so the table logs what Postfix logs. GNU extras:
 *   \w \W \s \S \b \B \< \> \` \' and {,n}. Measured glibc quirks: under
 *   REG_ICASE an escaped lowercase letter (\d, \q) matches nothing, an escaped
 *   uppercase one matches itself in either case; ERE `a**`, `a+?` stack.
 */
import { CharSet, litChar, POSIX_CLASSES, quickLiteral, type LiteralPattern, type Prefilter } from './engines.ts';

export interface PosixOptions {
  extended: boolean;
  icase: boolean;
  /** REG_NEWLINE: `.` and `[^..]` skip newlines, ^ $ match at line ends. */
  newline: boolean;
}

export type PosixTranslation =
  | {
      ok: true;
      re2: string;
      js: string;
      groupCount: number;
      backrefs: boolean;
      /** Has \< or \> (start and end of a word), which RE2 cannot express. */
      wordEdges: boolean;
      maxCount: number;
      prefilter?: Prefilter;
      literal?: LiteralPattern;
    }
  | { ok: false; error: string };

const RE_DUP_MAX = 0x7fff;
const NEVER = '[^\\x00-\\x{10FFFF}]';
const NEVER_JS = '[^\\s\\S]';

class PosixError extends Error {}

interface Item {
  re2: string;
  js: string;
  lit?: string; // a literal character (for the prefilter)
  quantified?: boolean;
  anchor?: boolean; // ^ (start context for ERE quantifiers)
  assert?: boolean; // any anchor: glibc refuses to repeat it in an ERE
  end?: boolean; // $
}

/** translatePosix - the RE2 and JS forms of a regcomp() pattern, or regerror()'s text. */
export function translatePosix(pattern: string, o: PosixOptions): PosixTranslation {
  const quick = o.extended && !o.newline ? quickLiteral(pattern) : undefined;
  if (quick) {
    const text = o.icase ? quick.text.toLowerCase() : quick.text;
    const literal = { ...quick, text, fold: o.icase, endBeforeNewline: false };
    return { ok: true, re2: '', js: '', groupCount: 0, backrefs: false, wordEdges: false, maxCount: 0, prefilter: { texts: [text], fold: o.icase }, literal };
  }
  const p = [...pattern];
  let i = 0;
  let groups = 0;
  const closed = new Set<number>();
  let backrefs = false;
  let wordEdges = false;
  let maxCount = 0;
  const ere = o.extended;
  const space = '[\\t\\n\\x0b\\f\\r ]';
  const notSpace = '[^\\t\\n\\x0b\\f\\r ]';
  const word = '[0-9A-Za-z_]';
  const notWord = '[^0-9A-Za-z_]';
  const dotJs = o.newline ? '[^\\n]' : '[\\s\\S]';

  const peekEsc = (c: string): boolean => p[i] === '\\' && p[i + 1] === c;

  function bracket(): Item {
    // p[i] is just past '['; glibc calls a pattern ending here (or after ^) invalid, not unmatched
    if (i >= p.length || (p[i] === '^' && i + 1 >= p.length)) throw new PosixError('Invalid regular expression');
    let neg = false;
    if (p[i] === '^') {
      neg = true;
      i++;
    }
    const set = new CharSet();
    let first = true;
    const unmatched = (): never => {
      throw new PosixError('Unmatched [, [^, [:, [., or [=');
    };
    const element = (): { char?: string; cls?: string } => {
      if (i >= p.length) unmatched();
      if (p[i] === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
        const kind = p[i + 1]!;
        let j = i + 2;
        while (j < p.length && !(p[j] === kind && p[j + 1] === ']')) j++;
        if (j >= p.length) unmatched();
        const name = p.slice(i + 2, j).join('');
        i = j + 2;
        if (kind === ':') {
          // Under REG_ICASE [:upper:] and [:lower:] match either case.
          const key = o.icase && (name === 'upper' || name === 'lower') ? 'alpha' : name;
          const members = name !== 'word' && Object.hasOwn(POSIX_CLASSES, key) ? POSIX_CLASSES[key] : undefined;
          if (members === undefined) throw new PosixError('Invalid character class name');
          return { cls: members };
        }
        if (name.length !== 1) throw new PosixError('Invalid collation character');
        return { char: name[0] };
      }
      return { char: p[i++]! };
    };
    for (;;) {
      if (i >= p.length) unmatched();
      if (p[i] === ']' && !first) {
        i++;
        break;
      }
      first = false;
      const a = element();
      if (a.cls !== undefined) {
        set.addText(a.cls);
        continue;
      }
      const lo = a.char!.codePointAt(0)!;
      if (p[i] === '-' && p[i + 1] !== undefined && p[i + 1] !== ']') {
        i++;
        const b = element();
        if (b.cls !== undefined || b.char!.codePointAt(0)! < lo) throw new PosixError('Invalid range end');
        set.add(lo, b.char!.codePointAt(0)!);
      } else set.add(lo);
    }
    const cls = set.text(neg, o.icase, neg && o.newline ? '\\n' : '');
    return { re2: cls, js: cls };
  }

  /** One number of an interval, read token by token as glibc's fetch_number() does. */
  function fetchNumber(): { num: number; tok: 'end' | 'close' | 'comma' } {
    let num = -1;
    for (;;) {
      if (i >= p.length) return { num: -2, tok: 'end' };
      if (ere ? p[i] === '}' : peekEsc('}')) {
        i += ere ? 1 : 2;
        return { num, tok: 'close' };
      }
      const escaped = p[i] === '\\';
      const c = escaped ? (p[i + 1] ?? '') : p[i]!;
      i += escaped ? 2 : 1;
      if (c === ',') return { num, tok: 'comma' };
      const digit = !escaped && c >= '0' && c <= '9';
      num = !digit || num === -2 ? -2 : num === -1 ? Number(c) : Math.min(RE_DUP_MAX + 1, num * 10 + Number(c));
    }
  }

  /** Reads an interval after `{` (ERE) or `\{` (BRE); i is past the opener. As glibc's parse_dup_op(). */
  function interval(): [number, number | undefined] {
    const first = fetchNumber();
    let tok = first.tok;
    let min = first.num;
    let max = -2;
    if (min === -1) {
      if (tok !== 'comma') throw new PosixError('Invalid content of \\{\\}');
      min = 0;
    }
    if (min !== -2) {
      if (tok === 'close') max = min;
      else if (tok === 'comma') ({ num: max, tok } = fetchNumber());
    }
    if (min === -2 || max === -2) throw new PosixError(tok === 'end' ? 'Unmatched \\{' : 'Invalid content of \\{\\}');
    if ((max !== -1 && min > max) || tok !== 'close') throw new PosixError('Invalid content of \\{\\}');
    if ((max === -1 ? min : max) > RE_DUP_MAX) throw new PosixError('Regular expression too big');
    maxCount = Math.max(maxCount, min, max);
    return [min, max === -1 ? undefined : max];
  }

  function quantify(items: Item[], q: string): void {
    const last = items[items.length - 1]!;
    const wrap = (s: string): string => (last.quantified ? `(?:${s})` : s);
    items[items.length - 1] = { re2: wrap(last.re2) + q, js: wrap(last.js) + q, quantified: true };
  }

  function alternation(depth: number): Item {
    const branches: Item[][] = [];
    for (;;) {
      branches.push(sequence(depth));
      if (ere ? p[i] === '|' : peekEsc('|')) {
        i += ere ? 1 : 2;
        continue;
      }
      break;
    }
    const join = (k: 're2' | 'js'): string => branches.map((b) => b.map((x) => x[k]).join('')).join('|');
    const result: Item & { lits?: string[]; literal?: LiteralPattern } = { re2: join('re2'), js: join('js') };
    if (depth === 0 && branches.length === 1) {
      const items = branches[0]!;
      const lits: string[] = [];
      let run = '';
      for (const it of items) {
        if (it.lit !== undefined && !it.quantified) run += it.lit;
        else {
          if (run.length >= 2) lits.push(run);
          run = '';
        }
      }
      if (run.length >= 2) lits.push(run);
      result.lits = lits.sort((a, b) => b.length - a.length);
      // One ASCII literal between optional anchors needs no regex at all.
      const start = items[0]?.anchor === true;
      const end = items.length > (start ? 1 : 0) && items[items.length - 1]!.end === true;
      const body = items.slice(start ? 1 : 0, end ? -1 : undefined);
      const text = body.map((x) => (x.lit !== undefined && !x.quantified ? x.lit : '\u0000')).join('');
      if (!o.newline && body.length > 0 && /^[\x01-\x7f]*$/.test(text)) result.literal = { text, fold: o.icase, start, end, endBeforeNewline: false };
    }
    return result;
  }

  function sequence(depth: number): Item[] {
    const items: Item[] = [];
    const atStart = (): boolean => items.length === 0 || (items.length === 1 && !!items[0]!.anchor);
    while (i < p.length) {
      const c = p[i]!;
      if (ere && c === '|') break;
      if (!ere && c === '\\' && p[i + 1] === '|') break;
      if (ere && c === ')' && depth > 0) break;
      if (!ere && c === '\\' && p[i + 1] === ')') {
        if (depth > 0) break;
        throw new PosixError('Unmatched ( or \\(');
      }
      // Quantifiers.
      const isStar = c === '*';
      const ereQ = ere && (c === '*' || c === '+' || c === '?' || c === '{');
      const breQ = !ere && (peekEsc('+') || peekEsc('?') || peekEsc('{'));
      const last = items[items.length - 1];
      // glibc BRE: `\{` cannot follow nothing, an anchor or a repeat; `*` cannot follow a repeat
      // (but is literal first or after an anchor); `\+` and `\?` stack freely.
      if (!ere && (peekEsc('{') || isStar) && !atStart() && last?.quantified) throw new PosixError('Invalid preceding regular expression');
      if (!ere && peekEsc('{') && (atStart() || last?.assert)) throw new PosixError('Invalid preceding regular expression');
      if (ereQ || (!ere && isStar && !atStart() && !last?.assert) || (breQ && !atStart())) {
        if (ere && (atStart() || items[items.length - 1]!.assert)) throw new PosixError('Invalid preceding regular expression');
        let q: string;
        if (c === '{' || (c === '\\' && p[i + 1] === '{')) {
          i += ere ? 1 : 2;
          const [min, max] = interval();
          q = `{${min},${max ?? ''}}`;
        } else {
          q = c === '\\' ? p[i + 1]! : c;
          i += c === '\\' ? 2 : 1;
        }
        quantify(items, q);
        continue;
      }
      i++;
      if (c === '^' && (ere || atStart())) {
        items.push({ re2: '^', js: o.newline ? '(?<![^\\n])' : '(?<![\\s\\S])', anchor: items.length === 0, assert: true });
      } else if (c === '$' && (ere || i === p.length || peekEsc(')') || peekEsc('|'))) {
        items.push({ re2: '$', js: o.newline ? '(?![^\\n])' : '(?![\\s\\S])', end: true, assert: true });
      } else if (c === '.') {
        items.push({ re2: '.', js: dotJs });
      } else if (c === '[') {
        items.push(bracket());
      } else if (ere && c === '(') {
        items.push(group(depth));
      } else if (c === '\\') {
        if (i >= p.length) throw new PosixError('Trailing backslash');
        const e = p[i++]!;
        if (!ere && e === '(') {
          items.push(group(depth));
        } else if (/[1-9]/.test(e)) {
          if (!closed.has(Number(e))) throw new PosixError('Invalid back reference');
          backrefs = true;
          items.push({ re2: '\\' + e, js: '\\' + e });
        } else if (e === 'w' || e === 'W' || e === 's' || e === 'S') {
          const cls = { w: word, W: notWord, s: space, S: notSpace }[e];
          items.push({ re2: cls, js: cls });
        } else if (e === 'b' || e === 'B') {
          items.push({ re2: '\\' + e, js: '\\' + e, assert: true });
        } else if (e === '<' || e === '>') {
          // RE2 cannot look behind: the backtracking matcher runs patterns with \< or \>.
          wordEdges = true;
          const js = e === '<' ? `(?<!${word})(?=${word})` : `(?<=${word})(?!${word})`;
          items.push({ re2: '\\b', js, assert: true });
        } else if (e === '`') {
          items.push({ re2: '\\A', js: '(?<![\\s\\S])', assert: true });
        } else if (e === "'") {
          items.push({ re2: '\\z', js: '(?![\\s\\S])', assert: true });
        } else if (o.icase && e >= 'a' && e <= 'z') {
          items.push({ re2: NEVER, js: NEVER_JS });
        } else {
          items.push({ re2: litChar(e, o.icase), js: litChar(e, o.icase), lit: o.icase ? e.toLowerCase() : e });
        }
      } else {
        items.push({ re2: litChar(c, o.icase), js: litChar(c, o.icase), lit: o.icase ? c.toLowerCase() : c });
      }
    }
    return items;
  }

  function group(depth: number): Item {
    const n = ++groups;
    const inner = alternation(depth + 1);
    if (ere ? p[i] !== ')' : !peekEsc(')')) throw new PosixError('Unmatched ( or \\(');
    i += ere ? 1 : 2;
    closed.add(n);
    return { re2: `(${inner.re2})`, js: `(${inner.js})` };
  }

  try {
    const top = alternation(0) as Item & { lits?: string[]; literal?: LiteralPattern };
    if (i < p.length) throw new PosixError('Unmatched ( or \\(');
    const prefilter = top.lits && top.lits.length > 0 ? { texts: top.lits, fold: o.icase } : undefined;
    const literal = top.literal && groups === 0 ? { literal: top.literal } : {};
    return { ok: true, re2: top.re2, js: top.js, groupCount: groups, backrefs, wordEdges, maxCount, ...(prefilter && { prefilter }), ...literal };
  } catch (e) {
    if (e instanceof PosixError) return { ok: false, error: e.message };
    throw e;
  }
}
