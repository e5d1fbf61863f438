/*
 * NAME
 *   regex/engines - re2js and native RegExp behind one CompiledRegex
 * DESCRIPTION
 *   re2js is linear-time and offers POSIX leftmost-longest matching, so it
 *   runs everything it can. Native RegExp only runs what RE2 lacks
 *   (lookaround, backreferences); it backtracks, hence the trace note.
 *   A required literal, when the translator found one, is checked first:
 *   it lets a 5k-rule table skip almost every rule without running a regex.
 */
import { RE2JS } from 're2js';
import type { RegexEngineName } from '../../trace/types.ts';
import type { CompiledRegex, LiteralPattern, Prefilter } from './types.ts';
export type { LiteralPattern, Prefilter } from './types.ts';

/** lowerKey - the key as prefilters compare it (long s folds to s in RE2 and glibc alike). */
export function lowerKey(key: string): string {
  const l = key.toLowerCase();
  return l.includes('\u017f') ? l.replace(/\u017f/g, 's') : l;
}

function passes(pf: Prefilter | undefined, input: string, lower: string): boolean {
  if (!pf) return true;
  const s = pf.fold ? lower : input;
  for (const t of pf.texts) if (!s.includes(t)) return false;
  return true;
}

/**
 * compileLiteral - the fast path for `^user@example\.com$`-style rules.
 * Only used for ASCII text, where toLowerCase() folds exactly as the engines do.
 */
export function compileLiteral(l: LiteralPattern, engine: RegexEngineName): CompiledRegex {
  const { text, start, end } = l;
  const find = (s: string): number => {
    if (start && end) return s === text || (l.endBeforeNewline && s === text + '\n') ? 0 : -1;
    if (start) return s.startsWith(text) ? 0 : -1;
    if (end) {
      if (s.endsWith(text)) return s.length - text.length;
      return l.endBeforeNewline && s.endsWith(text + '\n') ? s.length - text.length - 1 : -1;
    }
    return s.indexOf(text);
  };
  return {
    engine,
    groupCount: 0,
    notes: [],
    literal: l,
    test: (input, lower) => find(l.fold ? lower : input) >= 0,
    exec(input) {
      const at = find(l.fold ? lowerKey(input) : input);
      if (at < 0) return null;
      return [input.length === lowerKey(input).length ? input.slice(at, at + text.length) : text];
    },
  };
}

export interface Re2Options {
  icase: boolean;
  dotall: boolean;
  multiline: boolean;
  longest: boolean;
}

/**
 * compileRe2 - a re2js pattern, compiled on first use: re2js compiles take
 * ~0.15 ms and big tables rarely reach most rules (the index skips them).
 * The translators have already accepted the syntax at open; should re2js
 * still refuse it, test() throws and the table reports it as a lookup warning.
 */
export function compileRe2(source: string, o: Re2Options, prefilter: Prefilter | undefined, groupCount: number, notes: readonly string[] = []): CompiledRegex {
  const flags =
    (o.icase ? RE2JS.CASE_INSENSITIVE : 0) | (o.dotall ? RE2JS.DOTALL : 0) | (o.multiline ? RE2JS.MULTILINE : 0) | (o.longest ? RE2JS.LONGEST_MATCH : 0);
  let compiled: RE2JS | undefined;
  const re = (): RE2JS => (compiled ??= RE2JS.compile(source, flags));
  return {
    engine: 're2js',
    groupCount,
    notes,
    ...(prefilter && { prefilter }),
    test: (input, lower) => passes(prefilter, input, lower) && re().test(input),
    exec(input) {
      const m = re().exec(input);
      return m ? Array.from(m, (g) => (g === null ? undefined : (g as string | undefined))) : null;
    },
  };
}

/**
 * quickLiteral - `^user@example\.com$`: a pattern of plain characters and
 * `\.` between optional anchors, recognised without a full parse (most
 * rules of big tables look like this). Valid for ERE and PCRE alike.
 */
export function quickLiteral(pattern: string): { text: string; start: boolean; end: boolean } | undefined {
  const m = /^(\^?)((?:[A-Za-z0-9@_%=:,;~#&'"<>-]|\\\.)+)(\$?)$/.exec(pattern);
  if (!m) return undefined;
  return { text: m[2]!.replace(/\\\./g, '.'), start: m[1] === '^', end: m[3] === '$' };
}

/** Characters that mean something in RE2 or JS syntax outside a class. */
const META = new Set('\\^$.|?*+()[]{}/'.split(''));

/** quoteChar - one literal character in a form both RE2 and RegExp read literally. */
export function quoteChar(c: string): string {
  return META.has(c) ? '\\' + c : c;
}

/**
 * litChar - one literal character outside a class. Case-insensitivity is
 * spelled out for ASCII letters only ([aA]): Postfix matches bytes in the C
 * locale, where no other byte has a case (so the engines' own
 * case-insensitive modes, which fold Latin-1 and Unicode, are not used).
 */
export function litChar(c: string, fold: boolean): string {
  return fold && /^[A-Za-z]$/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : quoteChar(c);
}

const classChar = (c: number): string => (c <= 0xff ? '\\x' + c.toString(16).padStart(2, '0') : String.fromCodePoint(c));

/** CharSet - a [...] class being built; fold adds the other case of ASCII letters. */
export class CharSet {
  private readonly ranges: [number, number][] = [];
  private extra = '';
  add(lo: number, hi = lo): void {
    this.ranges.push([lo, hi]);
  }
  /** Ready-made class content (\d, POSIX class ranges...), already case-symmetric. */
  addText(t: string): void {
    this.extra += t;
  }
  text(negated: boolean, fold: boolean, extra = ''): string {
    const all = [...this.ranges];
    if (fold) {
      for (const [lo, hi] of this.ranges) {
        if (Math.max(lo, 65) <= Math.min(hi, 90)) all.push([Math.max(lo, 65) + 32, Math.min(hi, 90) + 32]);
        if (Math.max(lo, 97) <= Math.min(hi, 122)) all.push([Math.max(lo, 97) - 32, Math.min(hi, 122) - 32]);
      }
    }
    const body = all.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
    return `[${negated ? '^' : ''}${body}${this.extra}${extra}]`;
  }
}

export { toBinary, fromBinary } from '../../util/bytes.ts';

/** POSIX character class names and their ASCII members, as class content. */
export const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9A-Fa-f',
  space: '\\x09-\\x0d ',
  blank: '\\x09 ',
  punct: '\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
  cntrl: '\\x00-\\x1f\\x7f',
  word: '0-9A-Za-z_',
};
