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
import { POSIX_CLASSES, quickLiteral, quoteChar, quoteClassChar, type LiteralPattern, type Prefilter } from './engines.ts';

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
  end?: boolean; // $
}

/** translatePosix - the RE2 and JS forms of a regcomp() pattern, or regerror()'s text. */
export function translatePosix(pattern: string, o: PosixOptions): PosixTranslation {
  const quick = o.extended && !o.newline ? quickLiteral(pattern) : undefined;
  if (quick) {
    const text = o.icase ? quick.text.toLowerCase() : quick.text;
    const literal = { ...quick, text, fold: o.icase, endBeforeNewline: false };
    return { ok: true, re2: '', js: '', groupCount: 0, backrefs: false, maxCount: 0, prefilter: { texts: [text], fold: o.icase }, literal };
  }
  const p = [...pattern];
  let i = 0;
  let groups = 0;
  const closed = new Set<number>();
  let backrefs = false;
  let maxCount = 0;
  const ere = o.extended;
  const space = '[\\t\\n\\x0b\\f\\r ]';
  const notSpace = '[^\\t\\n\\x0b\\f\\r ]';
  const word = '[0-9A-Za-z_]';
  const notWord = '[^0-9A-Za-z_]';
  const dotJs = o.newline ? '[^\\n]' : '[\\s\\S]';

  const peekEsc = (c: string): boolean => p[i] === '\\' && p[i + 1] === c;

  function bracket(): Item {
    // p[i] is just past '['
    let neg = false;
    if (p[i] === '^') {
      neg = true;
      i++;
    }
    let out = '';
    let first = true;
    const unmatched = (): never => {
      throw new PosixError('Unmatched [, [^, [:, [., or [=');
    };
    const element = (): { char?: string; cls?: string } => {
      if (i >= p.length) unmatched();
      if (p[i] === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
        const kind = p[i + 1]!;
        const end = p.indexOf(kind, i + 2);
        let j = i + 2;
        while (j < p.length && !(p[j] === kind && p[j + 1] === ']')) j++;
        if (j >= p.length || end < 0) unmatched();
        const name = p.slice(i + 2, j).join('');
        i = j + 2;
        if (kind === ':') {
          const members = name !== 'word' ? POSIX_CLASSES[name] : undefined;
          if (members === undefined) throw new PosixError('Invalid character class name');
          return { cls: members };
        }
        if ([...name].length !== 1) throw new PosixError('Invalid collation character');
        return { char: name };
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
        out += a.cls;
        continue;
      }
      if (p[i] === '-' && p[i + 1] !== undefined && p[i + 1] !== ']') {
        i++;
        const b = element();
        if (b.cls !== undefined) throw new PosixError('Invalid range end');
        if (b.char!.codePointAt(0)! < a.char!.codePointAt(0)!) throw new PosixError('Invalid range end');
        out += quoteClassChar(a.char!) + '-' + quoteClassChar(b.char!);
      } else {
        out += quoteClassChar(a.char!);
      }
    }
    if (neg && o.newline) out += '\\n';
    if (out === '' && neg) return { re2: '(?s:.)', js: '[\\s\\S]' };
    return { re2: `[${neg ? '^' : ''}${out}]`, js: `[${neg ? '^' : ''}${out}]` };
  }

  /** Reads an interval after `{` (ERE) or `\{` (BRE); i is past the opener. */
  function interval(): [number, number | undefined] {
    let j = i;
    let body = '';
    for (;;) {
      if (j >= p.length) throw new PosixError('Unmatched \\{');
      if (ere ? p[j] === '}' : p[j] === '\\' && p[j + 1] === '}') break;
      body += p[j];
      j++;
    }
    const m = /^(\d*)(,(\d*))?$/.exec(body);
    if (!m || (m[1] === '' && m[2] === undefined)) throw new PosixError('Invalid content of \\{\\}');
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
    if (min > RE_DUP_MAX || (max !== undefined && max > RE_DUP_MAX)) throw new PosixError('Regular expression too big');
    if (max !== undefined && max < min) throw new PosixError('Invalid content of \\{\\}');
    i = j + (ere ? 1 : 2);
    maxCount = Math.max(maxCount, min, max ?? 0);
    return [min, max];
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
      if (!o.newline && body.length > 0 && /^[\x01-\x7f]*$/.test(text))
        result.literal = { text, fold: o.icase, start, end, endBeforeNewline: false };
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
      if (ereQ || (!ere && isStar && !atStart()) || (breQ && !atStart())) {
        if (ere && atStart()) throw new PosixError('Invalid preceding regular expression');
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
        items.push({ re2: '^', js: o.newline ? '(?<![^\\n])' : '(?<![\\s\\S])', anchor: items.length === 0 });
      } else if (c === '$' && (ere || i === p.length || peekEsc(')') || peekEsc('|'))) {
        items.push({ re2: '$', js: o.newline ? '(?![^\\n])' : '(?![\\s\\S])', end: true });
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
        } else if (e === 'b' || e === 'B' || e === '<' || e === '>') {
          // \< and \> become \b: equal whenever a word character follows/precedes.
          const b = e === 'B' ? '\\B' : '\\b';
          items.push({ re2: b, js: b });
        } else if (e === '`') {
          items.push({ re2: '\\A', js: '(?<![\\s\\S])' });
        } else if (e === "'") {
          items.push({ re2: '\\z', js: '(?![\\s\\S])' });
        } else if (o.icase && e >= 'a' && e <= 'z') {
          items.push({ re2: NEVER, js: NEVER_JS });
        } else {
          items.push({ re2: quoteChar(e), js: quoteChar(e), lit: o.icase ? e.toLowerCase() : e });
        }
      } else {
        items.push({ re2: quoteChar(c), js: quoteChar(c), lit: o.icase ? c.toLowerCase() : c });
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
    return { ok: true, re2: top.re2, js: top.js, groupCount: groups, backrefs, maxCount, ...(prefilter && { prefilter }), ...literal };
  } catch (e) {
    if (e instanceof PosixError) return { ok: false, error: e.message };
    throw e;
  }
}
