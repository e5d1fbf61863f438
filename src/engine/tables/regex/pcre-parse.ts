/*
 * NAME
 *   regex/pcre-parse - a PCRE2 pattern as a tree, for the backtracking matcher
 * DESCRIPTION
 *   Parses what pcre_table(5) patterns may use and RE2 cannot run:
 *   lookahead and lookbehind, backreferences (numbered, relative, named),
 *   atomic groups and possessive quantifiers, recursion and subroutine
 *   calls, conditional groups, branch reset, \K, inline and scoped options
 *   (imsxnU), \Q...\E, the backtracking control verbs, start-of-pattern
 *   settings ((*UTF), (*UCP), (*CR), (*LIMIT_MATCH=n), ...), \R \h \v \X
 *   \C \N, \p{...} (Unicode properties of the 256 byte values, as PCRE2
 *   reads a non-UTF subject: Latin-1), POSIX classes. Units are bytes, or
 *   code points after (*UTF). Case folds ASCII only without UTF.
 *   Syntax errors are PcreError (offset and PCRE2's message) for the cases
 *   people meet; pcre-syntax.ts reports the common ones first.
 * SEE ALSO
 *   pcre2pattern(3), pcre-match.ts
 */
import { PcreError, posixSyntax } from './pcre-escape.ts';

/** A set of code units: a bitmap for 0-255, ranges and tests (Unicode properties) above, optionally negated. */
export class UnitSet {
  readonly low = new Uint8Array(256);
  readonly high: [number, number][] = [];
  readonly tests: ((c: number) => boolean)[] = [];
  negated = false;
  add(lo: number, hi = lo): void {
    for (let c = lo; c <= Math.min(hi, 255); c++) this.low[c] = 1;
    if (hi > 255) this.high.push([Math.max(lo, 256), hi]);
  }
  /** addTest - every code point `test` accepts. */
  addTest(test: (c: number) => boolean): void {
    for (let c = 0; c < 256; c++) if (test(c)) this.low[c] = 1;
    this.tests.push(test);
  }
  addSet(other: UnitSet): void {
    for (let c = 0; c < 256; c++) if (other.has(c)) this.low[c] = 1;
    if (!other.negated) {
      this.high.push(...other.high);
      this.tests.push(...other.tests);
    } else this.tests.push((c) => other.has(c));
  }
  has(c: number): boolean {
    const inside = c < 256 ? this.low[c] === 1 : this.high.some(([a, b]) => c >= a && c <= b) || this.tests.some((t) => t(c));
    return inside !== this.negated;
  }
}

export type Node =
  | { t: 'set'; set: UnitSet }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; n: number; body: Node }
  | { t: 'atomic'; body: Node }
  | { t: 'look'; behind: boolean; neg: boolean; alts: Node[]; widths: number[] }
  | { t: 'rep'; min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive'; body: Node }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'begin' | 'end' | 'endnl' | 'wordb' | 'nwordb' | 'start' }
  | { t: 'backref'; refs: number[]; caseless: boolean }
  | { t: 'call'; n: number }
  | { t: 'cond'; cond: Cond; yes: Node; no: Node | null }
  | { t: 'verb'; verb: 'FAIL' | 'ACCEPT' | 'COMMIT' | 'PRUNE' | 'SKIP' | 'THEN' | 'MARK' }
  | { t: 'keep' }
  | { t: 'newline' } // \R
  | { t: 'cluster' } // \X
  | { t: 'empty' };

export type Cond =
  | { kind: 'group'; refs: number[] }
  | { kind: 'recursion'; n: number | null }
  | { kind: 'define' }
  | { kind: 'version'; yes: boolean }
  | { kind: 'assert'; node: Node };

export interface ParsedPattern {
  root: Node;
  groupCount: number;
  /** Group bodies by number (subroutine calls and recursion); 0 is the whole pattern. */
  groups: Node[];
  utf: boolean;
  /** (*LIMIT_MATCH=n). */
  limitMatch?: number;
  /** (*NOTEMPTY), (*NOTEMPTY_ATSTART). */
  notEmpty: boolean;
  notEmptyAtStart: boolean;
}

export interface PcreFlags {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
  dollarEndOnly: boolean;
  ungreedy: boolean;
}

interface Opts {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  xx: boolean;
  n: boolean;
  U: boolean;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The Unicode properties PCRE2 gives the 256 byte values (Latin-1), computed once per name with RegExp. */
const PROPERTY_CACHE = new Map<string, UnitSet | null>();
const BIDI_CLASSES = [
  'al',
  'an',
  'b',
  'bn',
  'cs',
  'en',
  'es',
  'et',
  'fsi',
  'l',
  'lre',
  'lri',
  'lro',
  'nsm',
  'on',
  'pdf',
  'pdi',
  'r',
  'rle',
  'rli',
  'rlo',
  's',
  'ws',
];

/** bidiClass - the Unicode Bidi_Class of a Latin-1 character (lowercased); undefined above U+00FF (not modelled). */
function bidiClass(c: number): string | undefined {
  if (c > 0xff) return undefined;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0xaa || c === 0xb5 || c === 0xba || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7)) return 'l';
  if ((c >= 0x30 && c <= 0x39) || c === 0xb2 || c === 0xb3 || c === 0xb9) return 'en';
  if (c === 0x2b || c === 0x2d) return 'es';
  if ((c >= 0x23 && c <= 0x25) || (c >= 0xa2 && c <= 0xa5) || c === 0xb0 || c === 0xb1) return 'et';
  if (c === 0x2c || c === 0x2e || c === 0x2f || c === 0x3a || c === 0xa0) return 'cs';
  if (c === 0x0a || c === 0x0d || (c >= 0x1c && c <= 0x1e) || c === 0x85) return 'b';
  if (c === 0x09 || c === 0x0b || c === 0x1f) return 's';
  if (c === 0x0c || c === 0x20) return 'ws';
  if (c <= 0x08 || (c >= 0x0e && c <= 0x1b) || (c >= 0x7f && c <= 0x9f) || c === 0xad) return 'bn';
  return 'on';
}

function propertySet(name: string): UnitSet | null {
  const key = name;
  if (PROPERTY_CACHE.has(key)) return PROPERTY_CACHE.get(key)!;
  const set = new UnitSet();
  const test = (re: RegExp | ((c: number) => boolean)): void => {
    set.addTest(typeof re === 'function' ? re : (c) => re.test(String.fromCodePoint(c)));
  };
  // PCRE2 10.40+ matches names loosely: any case, spaces, hyphens and underscores ignored.
  const bare = name.replace(/[ _-]/g, '').toLowerCase();
  const script = /^(sc|script|scx|scriptextensions)[:=](.*)$/.exec(bare);
  const scriptName = script ? name.slice(name.search(/[:=]/) + 1) : name;
  const kind = script?.[1]?.startsWith('scx') || script?.[1] === 'scriptextensions' ? 'Script_Extensions' : 'Script';
  // JS knows scripts by their exact spelling: try the name as written, then Capitalised words.
  const spellings = [
    scriptName.trim().replace(/[ -]/g, '_'),
    scriptName
      .trim()
      .toLowerCase()
      .replace(/(^|[ _-])([a-z])/g, (_m, _s: string, c: string) => '_' + c.toUpperCase())
      .slice(1),
  ];
  const tryScript = (): boolean => {
    for (const s of spellings) {
      try {
        test(new RegExp(`^\\p{${kind}=${s}}$`, 'u'));
        return true;
      } catch {
        // not this spelling
      }
    }
    return false;
  };
  const bidi = /^(bc|bidiclass)[:=](.*)$/.exec(bare);
  try {
    if (bidi) {
      if (!BIDI_CLASSES.includes(bidi[2]!)) throw new Error('unknown bidi class');
      test((c) => bidiClass(c) === bidi[2]);
    } else if (bare === 'any') test(() => true);
    else if (bare === 'l&' || bare === 'lc') test(/^[\p{Lu}\p{Ll}\p{Lt}]$/u);
    else if (bare === 'xan') test(/^[\p{L}\p{N}]$/u);
    else if (bare === 'xsp' || bare === 'xps') test(/^[\p{Z}\t\n\v\f\r]$/u);
    else if (bare === 'xwd') test(/^[\p{L}\p{N}_]$/u);
    else if (bare === 'xuc') test((c) => c === 0x24 || c === 0x40 || c === 0x60 || c >= 0xa0);
    else if (!script && /^[a-z]{1,2}$/.test(bare)) test(new RegExp(`^\\p{${bare[0]!.toUpperCase()}${bare.slice(1)}}$`, 'u'));
    else if (!tryScript()) throw new Error('unknown script');
  } catch {
    PROPERTY_CACHE.set(key, null);
    return null;
  }
  PROPERTY_CACHE.set(key, set);
  return set;
}

const range = (lo: number, hi: number): UnitSet => {
  const s = new UnitSet();
  s.add(lo, hi);
  return s;
};
const setOf = (...codes: number[]): UnitSet => {
  const s = new UnitSet();
  for (const c of codes) s.add(c);
  return s;
};
const negate = (s: UnitSet): UnitSet => {
  const n = new UnitSet();
  n.addSet(s);
  n.negated = !s.negated;
  return n;
};
const DIGIT = range(48, 57);
const WORD = (() => {
  const s = new UnitSet();
  for (let c = 0; c < 256; c++) if (isWord(c)) s.add(c);
  return s;
})();
const SPACE = setOf(9, 10, 11, 12, 13, 32);
const HSPACE = setOf(9, 32, 0xa0);
const VSPACE = setOf(10, 11, 12, 13, 0x85);
const POSIX: Record<string, (c: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => POSIX.alpha!(c) || POSIX.digit!(c),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  xdigit: (c) => POSIX.digit!(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
  space: (c) => (c >= 9 && c <= 13) || c === 32,
  blank: (c) => c === 9 || c === 32,
  punct: (c) => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  print: (c) => c >= 32 && c <= 126,
  graph: (c) => c >= 33 && c <= 126,
  cntrl: (c) => c < 32 || c === 127,
  word: (c) => isWord(c),
  ascii: (c) => c < 128,
};

/** The other case of an ASCII letter (the default character tables); in UTF mode, Unicode's simple case. */
function otherCases(c: number, utf: boolean): number[] {
  if (c >= 65 && c <= 90) return [c + 32];
  if (c >= 97 && c <= 122) return [c - 32];
  if (!utf || c < 128) return [];
  const s = String.fromCodePoint(c);
  const out = new Set<number>();
  for (const t of [s.toLowerCase(), s.toUpperCase()]) if ([...t].length === 1 && t !== s) out.add(t.codePointAt(0)!);
  return [...out];
}

/** The PCRE2 of the Postfix the goldens come from (Debian bookworm: 10.42), for (?(VERSION...). */
const PCRE2_VERSION = { major: 10, minor: 42 };

const UNSUPPORTED_PERL_ESCAPE = 'PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u';

/** parsePcre - the tree of `pattern` (one character per unit: bytes, or code points with (*UTF)). */
export function parsePcre(pattern: string, flags: PcreFlags): ParsedPattern {
  let p = pattern;
  let offset = 0; // of p[0] in the original pattern, for messages
  let utf = false;
  let limitMatch: number | undefined;
  let notEmpty = false;
  let notEmptyAtStart = false;
  // Start-of-pattern settings.
  for (;;) {
    const m = /^\(\*([A-Z_0-9]+)(?:=(\d+))?\)/.exec(p);
    if (!m) break;
    const name = m[1]!;
    if (name === 'UTF' || name === 'UTF8') utf = true;
    else if (name === 'LIMIT_MATCH') limitMatch = Math.min(limitMatch ?? Infinity, Number(m[2]));
    else if (name === 'NOTEMPTY') notEmpty = true;
    else if (name === 'NOTEMPTY_ATSTART') notEmptyAtStart = true;
    else if (
      !/^(UCP|CR|LF|CRLF|ANYCRLF|ANY|NUL|BSR_ANYCRLF|BSR_UNICODE|LIMIT_DEPTH|LIMIT_HEAP|LIMIT_RECURSION|NO_AUTO_POSSESS|NO_DOTSTAR_ANCHOR|NO_JIT|NO_START_OPT)$/.test(
        name,
      )
    )
      break;
    p = p.slice(m[0].length);
    offset += m[0].length;
  }
  if (utf) {
    // The pattern itself is UTF-8 then: read it as code points.
    const bytes = Uint8Array.from(p, (c) => c.charCodeAt(0));
    p = new TextDecoder('utf-8').decode(bytes);
  }
  let i = 0;
  let groupCount = 0;
  const groups: Node[] = [];
  const names = new Map<string, number[]>();
  // What PCRE2 checks once the pattern is read, after every syntax error: lookbehind lengths
  // (check_lookbehinds), then references in pattern order (compile_regex).
  const lookbehindErrors: number[] = [];
  // atomFn's side results: items read before the one it returns (\Q...\E), and whether a null
  // it returns was a comment or \E, after which a quantifier repeats the item before.
  const leading: Node[] = [];
  let transparent = false;
  const lateRefs: ({ name: string; node: { refs: number[] }; at: number } | { n: number; at: number })[] = [];
  const fail = (at: number, message: string): never => {
    throw new PcreError(at + offset, message);
  };

  function skipExtended(o: Opts): void {
    if (!o.x) return;
    for (;;) {
      while (i < p.length && /[ \t\n\r\f\v]/.test(p[i]!)) i++;
      if (p[i] === '#') {
        while (i < p.length && p[i] !== '\n') i++;
        continue;
      }
      break;
    }
  }

  function literal(c: number, o: Opts): Node {
    const s = new UnitSet();
    s.add(c);
    if (o.i) for (const x of otherCases(c, utf)) s.add(x);
    return { t: 'set', set: s };
  }

  /** parseNumber - digits at p[i]: the number, or undefined. */
  function number(): number | undefined {
    const m = /^\d+/.exec(p.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return Number(m[0]);
  }

  function groupName(end: string): string {
    const start = i;
    while (i < p.length && /\w/.test(p[i]!)) i++;
    const name = p.slice(start, i);
    if (name === '') fail(i, 'subpattern name expected');
    if (p[i] !== end) fail(i, `syntax error in subpattern name (missing terminator?)`);
    i++;
    return name;
  }

  /** refByName - the groups called `name`, just read with one terminator (PCRE2 points an unknown name's error at it). */
  function refByName(name: string, at = i - 1 - name.length): { refs: number[] } {
    const node = { refs: names.get(name) ?? [] };
    if (!names.has(name)) lateRefs.push({ name, node, at });
    return node;
  }

  /** braced - the code in \x{...}, \o{...} or \N{U+...}, read from the unit before its digits. */
  function braced(base: 8 | 16): number {
    i++;
    const digit = base === 8 ? /[0-7]/ : /[0-9a-fA-F]/;
    const start = i;
    while (i < p.length && digit.test(p[i]!)) i++;
    if (p[i] !== '}') {
      if (i === start && p[i] === '}') fail(i, 'digits missing in \\x{} or \\o{} or \\N{U+}');
      const what = base === 8 ? 'non-octal character in \\o{}' : 'non-hex character in \\x{}';
      fail(i >= p.length ? p.length - 1 : i, `${what} (closing brace missing?)`);
    }
    if (i === start) fail(i, 'digits missing in \\x{} or \\o{} or \\N{U+}');
    const code = parseInt(p.slice(start, i), base);
    if (code > (utf ? 0x10ffff : 0xff)) fail(i, 'character code point value in \\x{} or \\o{} is too large');
    i++;
    return code;
  }

  /** escape - a backslash escape at p[i] === '\\'; in a class `inClass` (then a UnitSet or a code). */
  function escape(o: Opts, inClass: boolean): Node | UnitSet | number {
    const at = i;
    i++;
    if (i >= p.length) fail(p.length, '\\ at end of pattern');
    const e = p[i++]!;
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, e: 27, a: 7 };
    if (simple[e] !== undefined) return simple[e]!;
    switch (e) {
      case 'd':
        return DIGIT;
      case 'D':
        return negate(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return negate(WORD);
      case 's':
        return SPACE;
      case 'S':
        return negate(SPACE);
      case 'h':
        return HSPACE;
      case 'H':
        return negate(HSPACE);
      case 'v':
        return VSPACE;
      case 'V':
        return negate(VSPACE);
      case 'N': {
        if (p.startsWith('{U+', i)) {
          if (!utf) fail(i, '\\N{U+dddd} is supported only in Unicode (UTF) mode');
          i += 2;
          return braced(16);
        }
        // \N{name} (a \N{2,3} is \N repeated)
        if (p[i] === '{' && !/^\{\d*,?\d*\}/.test(p.slice(i))) fail(i, UNSUPPORTED_PERL_ESCAPE);
        if (inClass) fail(i - 1, 'escape sequence is invalid in character class');
        return negate(setOf(10));
      }
      case 'F':
      case 'L':
      case 'l':
      case 'U':
      case 'u':
        return fail(i, UNSUPPORTED_PERL_ESCAPE);
      case 'x': {
        if (p[i] === '{') return braced(16);
        const m = /^[0-9a-fA-F]{0,2}/.exec(p.slice(i))![0];
        i += m.length;
        return m === '' ? 0 : parseInt(m, 16);
      }
      case 'o':
        if (p[i] !== '{') fail(i - 1, 'missing opening brace after \\o');
        return braced(8);
      case 'c': {
        const c = p[i++];
        if (c === undefined) fail(p.length, '\\c at end of pattern');
        if (c! < ' ' || c! > '~') fail(i - 1, '\\c must be followed by a printable ASCII character');
        return c!.toUpperCase().charCodeAt(0) ^ 0x40;
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(p.slice(i))![0];
        i += m.length;
        return parseInt('0' + m, 8);
      }
      case 'p':
      case 'P': {
        let name: string;
        if (p[i] === '{') {
          const end = p.indexOf('}', i);
          if (end < 0) fail(i, 'malformed \\P or \\p sequence');
          name = p.slice(i + 1, end);
          i = end + 1;
        } else name = p[i++] ?? '';
        let neg = e === 'P';
        if (name.startsWith('^')) {
          neg = !neg;
          name = name.slice(1);
        }
        const set = propertySet(name);
        if (!set) fail(i, 'unknown property after \\P or \\p');
        return neg ? negate(set!) : set!;
      }
      case 'Q':
      case 'E':
        return -1; // handled by the callers
    }
    if (inClass) {
      if (e === 'b') return 8;
      if (/[ABzZGRXK]/.test(e)) fail(i - 1, 'escape sequence is invalid in character class');
      if (/[1-7]/.test(e)) {
        const m = /^[0-7]{0,2}/.exec(p.slice(i))![0];
        i += m.length;
        return parseInt(e + m, 8);
      }
      if (/[A-Za-z0-9]/.test(e)) fail(i - 1, 'unrecognized character follows \\');
      return e.codePointAt(0)!;
    }
    switch (e) {
      case 'b':
        return { t: 'assert', kind: 'wordb' };
      case 'B':
        return { t: 'assert', kind: 'nwordb' };
      case 'A':
        return { t: 'assert', kind: 'begin' };
      case 'z':
        return { t: 'assert', kind: 'end' };
      case 'Z':
        return { t: 'assert', kind: 'endnl' };
      case 'G':
        return { t: 'assert', kind: 'start' };
      case 'K':
        return { t: 'keep' };
      case 'R':
        return { t: 'newline' };
      case 'X':
        return { t: 'cluster' };
      case 'C':
        return { t: 'set', set: negate(new UnitSet()) };
      case 'g': {
        if (p[i] === '<' || p[i] === "'") {
          // \g<n> or \g'name': a subroutine call.
          const close = p[i] === '<' ? '>' : "'";
          i++;
          const start = i;
          while (i < p.length && p[i] !== close) i++;
          const body = p.slice(start, i);
          i++;
          return callNode(body, at, start - 1);
        }
        const afterG = i;
        const brace = p[i] === '{';
        let body: string;
        if (brace) {
          const end = p.indexOf('}', i);
          body = p.slice(i + 1, end);
          i = end + 1;
        } else {
          const m = /^[+-]?\d+/.exec(p.slice(i));
          if (!m) fail(i, 'a numbered reference must not be zero');
          body = m![0];
          i += body.length;
        }
        // Where PCRE2 points at a reference it checks once the pattern is read.
        const refAt = brace ? i - 1 : i;
        if (/^[+-]\d+$/.test(body)) {
          // \g{-n}, \g{+n}: relative to the groups opened so far.
          if (Number(body) === 0) fail(afterG, 'a relative value of zero is not allowed');
          const n = groupCount + Number(body) + (body.startsWith('-') ? 1 : 0);
          if (n <= 0) fail(brace ? afterG : i, 'reference to non-existent subpattern');
          return backref(n, o, refAt);
        }
        if (/^\d+$/.test(body)) {
          if (Number(body) === 0) fail(i, 'reference to non-existent subpattern');
          return backref(Number(body), o, brace ? i - 1 : afterG);
        }
        return { t: 'backref', refs: refByName(body).refs, caseless: o.i };
      }
      case 'k': {
        const close = p[i] === '<' ? '>' : p[i] === "'" ? "'" : p[i] === '{' ? '}' : '';
        if (close === '') fail(i, '\\k is not followed by a braced, angle-bracketed, or quoted name');
        i++;
        const name = groupName(close);
        const ref = refByName(name);
        return { t: 'backref', refs: ref.refs, caseless: o.i } as Node & { refs: number[] };
      }
    }
    if (/[1-9]/.test(e)) {
      i--;
      const n = number()!;
      if (n < 10 || n <= groupCount) return backref(n, o, at + 1);
      // \ddd that is no group: an octal escape (only the octal digits).
      i = at + 1;
      const m = /^[0-7]{1,3}/.exec(p.slice(i));
      if (!m) fail(at + 1, 'reference to non-existent subpattern');
      i += m![0].length;
      return parseInt(m![0], 8);
    }
    if (/[A-Za-z0-9]/.test(e)) fail(i - 1, 'unrecognized character follows \\');
    return e.codePointAt(0)!;
  }

  function backref(n: number, o: Opts, at: number): Node {
    if (n <= 0) fail(i, 'reference to non-existent subpattern');
    lateRefs.push({ n, at });
    return { t: 'backref', refs: [n], caseless: o.i };
  }

  /** callNode - a subroutine call; `before` is where PCRE2 points at a relative call before the first group (\g<-1>). */
  function callNode(body: string, at: number, before = i - 1): Node {
    if (body === 'R' || body === '0') return { t: 'call', n: 0 };
    if (/^[+-]?\d+$/.test(body)) {
      const n = body.startsWith('+') ? groupCount + Number(body) : body.startsWith('-') ? groupCount + 1 + Number(body) : Number(body);
      if (n <= 0) fail(before, 'reference to non-existent subpattern');
      lateRefs.push({ n, at: i - 1 });
      return { t: 'call', n };
    }
    const node: Node & { t: 'call' } = { t: 'call', n: -1 };
    const ref = refByName(body);
    // Resolved at the end: the first group of that name.
    calls.push({ node, ref });
    return node;
  }
  const calls: { node: Node & { t: 'call' }; ref: { refs: number[] } }[] = [];

  function charClass(o: Opts): Node {
    const start = i;
    if (posixSyntax(p, i)) fail(i, p[i + 1] === ':' ? 'POSIX named classes are supported only within a class' : 'POSIX collating elements are not supported');
    i++;
    const set = new UnitSet();
    if (p[i] === '^') {
      set.negated = true;
      i++;
    }
    let first = true;
    const addCode = (c: number): void => {
      set.add(c);
      if (o.i) for (const x of otherCases(c, utf)) set.add(x);
    };
    // [\d-z], [[:digit:]-z]: a hyphen after a class may only end the class.
    const forbidRange = (): void => {
      if (p[i] === '-' && p[i + 1] !== ']' && i + 1 < p.length) fail(i, 'invalid range in character class');
    };
    for (;;) {
      if (i >= p.length) fail(i, 'missing terminating ] for character class');
      const c = p[i]!;
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (c === '[' && p[i + 1] !== ':' && posixSyntax(p, i)) fail(i, 'POSIX collating elements are not supported');
      if (c === '[' && p[i + 1] === ':' && posixSyntax(p, i)) {
        const m = /^\[:(\^?)(.*?):\]/.exec(p.slice(i))!;
        const test = Object.hasOwn(POSIX, m[2]!) ? POSIX[m[2]!] : undefined;
        if (!test) fail(i + 2 + m[1]!.length, 'unknown POSIX class name');
        for (let x = 0; x < 256; x++) if (test!(x) !== (m[1] === '^')) set.add(x);
        i += m[0].length;
        forbidRange();
        continue;
      }
      let lo: number;
      if (c === '\\') {
        if (p[i + 1] === 'Q') {
          const end = p.indexOf('\\E', i + 2);
          const text = p.slice(i + 2, end < 0 ? p.length : end);
          for (const ch of text) addCode(ch.codePointAt(0)!);
          i = end < 0 ? p.length : end + 2;
          continue;
        }
        if (p[i + 1] === 'E') {
          i += 2;
          continue;
        }
        const r = escape(o, true);
        if (r instanceof UnitSet) {
          set.addSet(r);
          forbidRange();
          continue;
        }
        lo = r as number;
      } else {
        lo = c.codePointAt(0)!;
        i += c.length;
      }
      if (p[i] === '-' && p[i + 1] !== ']' && p[i + 1] !== undefined) {
        i++;
        let hi: number;
        if (p[i] === '\\') {
          const r = escape(o, true);
          // [a-\d]: PCRE2 refuses a range ending in a class.
          if (r instanceof UnitSet) fail(i, 'invalid range in character class');
          hi = r as number;
        } else if (p[i] === '[' && p[i + 1] === ':' && posixSyntax(p, i)) {
          return fail(i + 1, 'invalid range in character class');
        } else {
          hi = p.codePointAt(i)!;
          i += String.fromCodePoint(hi).length;
        }
        if (hi < lo) fail(i - 1, 'range out of order in character class');
        for (let x = lo; x <= Math.min(hi, 0x2ffff); x++) {
          if (x > 255 && x - lo > 4096) {
            set.add(x, hi);
            break;
          }
          addCode(x);
        }
        continue;
      }
      addCode(lo);
    }
    void start;
    return { t: 'set', set };
  }

  function quantifier(o: Opts): { min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive' } | null {
    const c = p[i];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      // PCRE2 10.42 (Debian's): {,n} is no quantifier but text (10.43 reads it as {0,n}).
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(p.slice(i));
      if (!m) return null;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > 65535 || (max !== Infinity && max > 65535)) fail(i + m[0].length - 1, 'number too big in {} quantifier');
      if (max < min) fail(i + m[0].length - 1, 'numbers out of order in {} quantifier');
      i += m[0].length - 1;
    } else return null;
    i++;
    let mode: 'greedy' | 'lazy' | 'possessive' = o.U ? 'lazy' : 'greedy';
    if (p[i] === '?') {
      mode = o.U ? 'greedy' : 'lazy';
      i++;
    } else if (p[i] === '+') {
      mode = 'possessive';
      i++;
    }
    return { min, max, mode };
  }

  function dot(o: Opts): Node {
    return { t: 'set', set: o.s ? negate(new UnitSet()) : negate(setOf(10)) };
  }

  /** Parse alternatives until `)` or the end; `branchReset` numbers each alternative's groups alike. */
  function alternation(o0: Opts, branchReset = false): Node {
    const alts: Node[] = [];
    const startCount = groupCount;
    let maxCount = groupCount;
    let o = { ...o0 };
    for (;;) {
      if (branchReset) groupCount = startCount;
      const items: Node[] = [];
      for (;;) {
        skipExtended(o);
        if (i >= p.length || p[i] === '|' || p[i] === ')') break;
        transparent = false;
        let atom = atomFn(o, (no) => (o = no));
        items.push(...leading.splice(0));
        if (atom === null) {
          // A quantifier after (?#...) or \E repeats the item before it.
          skipExtended(o);
          if (!transparent || !quantifierFollows() || items.length === 0 || items.at(-1)!.t === 'rep') continue;
          atom = items.pop()!;
        }
        skipExtended(o);
        if (atom.t === 'assert' || atom.t === 'keep' || (atom.t === 'verb' && atom.verb !== 'ACCEPT')) {
          // \b, ^, \K, (*COMMIT)...: PCRE2 repeats no such item.
          if (quantifierFollows()) fail(p[i] === '{' ? p.indexOf('}', i) : i, 'quantifier does not follow a repeatable item');
        } else {
          const q = quantifier(o);
          if (q) atom = { t: 'rep', ...q, body: atom };
          else if ('*+?'.includes(p[i] ?? '\u0000') || (p[i] === '{' && /^\{\d/.test(p.slice(i)))) fail(i, 'quantifier does not follow a repeatable item');
        }
        items.push(atom);
      }
      maxCount = Math.max(maxCount, groupCount);
      alts.push(items.length === 1 ? items[0]! : items.length === 0 ? { t: 'empty' } : { t: 'seq', items });
      if (p[i] !== '|') break;
      i++;
    }
    groupCount = maxCount;
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  function closeParen(at: number): void {
    // alternation() stops at ')' or at the end: PCRE2 points at the end.
    if (p[i] !== ')') fail(Math.max(at, p.length), 'missing closing parenthesis');
    i++;
  }

  function quantifierFollows(): boolean {
    return '*+?'.includes(p[i] ?? '\u0000') || (p[i] === '{' && /^\{\d+(,\d*)?\}/.test(p.slice(i)));
  }

  function parseOptions(o: Opts): Opts | null {
    // (?imnsxU-imnsxU) or (?^...); null when p[i] starts no option setting.
    if (!/^[\^imnsxUJ)-]/.test(p[i] ?? '')) return null;
    const no = { ...o };
    if (p[i] === '^') {
      // (?^...) first unsets i, m, n, s and x.
      Object.assign(no, { i: false, m: false, n: false, s: false, x: false, xx: false });
      i++;
      if (p[i] === '-') fail(i, 'invalid hyphen in option setting');
    }
    let on = true;
    for (; p[i] !== ':' && p[i] !== ')'; i++) {
      const f = p[i];
      if (f === '-' && on) on = false;
      else if (f === 'x' && p[i + 1] === 'x') {
        no.x = no.xx = on;
        i++;
      } else if (f !== undefined && 'imnsxU'.includes(f)) {
        (no as unknown as Record<string, boolean>)[f] = on;
        if (f === 'x' && !on) no.xx = false;
      } else if (f !== 'J') fail(f === undefined ? p.length : i, f === undefined ? 'missing closing parenthesis' : 'unrecognized character after (? or (?-');
    }
    return no;
  }

  /** One atom; `setOpts` changes the options for the rest of the enclosing group. */
  function atomFn(o: Opts, setOpts: (o: Opts) => void): Node | null {
    const at = i;
    const c = p[i]!;
    if (c === '(') {
      i++;
      if (p[i] === '*' && /^[\w:]/.test(p[i + 1] ?? '')) {
        const name = /^\w*/.exec(p.slice(i + 1))![0];
        const m = /^\*([A-Z]*)(?::[^)]*)?\)/.exec(p.slice(i));
        const verbs: Record<string, Node['t'] extends never ? never : 'FAIL' | 'ACCEPT' | 'COMMIT' | 'PRUNE' | 'SKIP' | 'THEN' | 'MARK'> = {
          FAIL: 'FAIL',
          F: 'FAIL',
          ACCEPT: 'ACCEPT',
          COMMIT: 'COMMIT',
          PRUNE: 'PRUNE',
          SKIP: 'SKIP',
          THEN: 'THEN',
          MARK: 'MARK',
          '': 'MARK',
        };
        if (!m || verbs[m[1]!] === undefined) fail(i + 1 + name.length, '(*VERB) not recognized or malformed');
        i += m![0].length;
        return { t: 'verb', verb: verbs[m![1]!]! };
      }
      if (p[i] !== '?') {
        if (o.n) {
          const body = alternation(o);
          closeParen(at);
          return body;
        }
        const n = ++groupCount;
        const body = alternation(o);
        closeParen(at);
        const node: Node = { t: 'group', n, body };
        groups[n] = node;
        return node;
      }
      i++;
      const d = p[i];
      if (d === undefined) fail(p.length, 'missing closing parenthesis');
      if (d === '#') {
        const end = p.indexOf(')', i);
        if (end < 0) fail(p.length, 'missing ) at end of (?# comment');
        i = end + 1;
        transparent = true;
        return null;
      }
      if (d === ':' || d === '>' || d === '|') {
        i++;
        const body = alternation(o, d === '|');
        closeParen(at);
        return d === '>' ? { t: 'atomic', body } : body;
      }
      if (d === '=' || d === '!' || (d === '<' && (p[i + 1] === '=' || p[i + 1] === '!'))) {
        const behind = d === '<';
        const neg = (behind ? p[i + 1] : d) === '!';
        i += behind ? 2 : 1;
        const body = alternation(o);
        closeParen(at);
        const alts = body.t === 'alt' ? body.alts : [body];
        const widths = behind ? alts.map((a) => fixedWidth(a)) : [];
        if (behind && widths.some((w) => w < 0)) lookbehindErrors.push(at);
        return { t: 'look', behind, neg, alts, widths };
      }
      if (d === '<' || d === "'" || (d === 'P' && p[i + 1] === '<')) {
        i += d === 'P' ? 2 : 1;
        const name = groupName(d === "'" ? "'" : '>');
        const n = ++groupCount;
        names.set(name, [...(names.get(name) ?? []), n]);
        const body = alternation(o);
        closeParen(at);
        const node: Node = { t: 'group', n, body };
        groups[n] = node;
        return node;
      }
      if (d === 'P' && (p[i + 1] === '=' || p[i + 1] === '>')) {
        const kind = p[i + 1];
        i += 2;
        const name = groupName(')');
        return kind === '=' ? { t: 'backref', refs: refByName(name).refs, caseless: o.i } : callNode(name, at);
      }
      if (d === '&') {
        i++;
        return callNode(groupName(')'), at);
      }
      if (d === 'R' || isDigit(d) || ((d === '+' || d === '-') && isDigit(p[i + 1]))) {
        const m = /^(R|[+-]?\d+)\)/.exec(p.slice(i));
        if (!m) fail(i, 'missing closing parenthesis');
        i += m![0].length;
        return callNode(m![1]!, at);
      }
      if (d === '(') return conditional(o, at);
      if (d === 'C') {
        callout();
        return null;
      }
      const no = parseOptions(o);
      if (no) {
        if (p[i] === ')') {
          i++;
          setOpts(no);
          return null;
        }
        i++; // ':'
        const body = alternation(no);
        closeParen(at);
        return body;
      }
      fail(i, 'unrecognized character after (? or (?-');
    }
    if (c === '[') return charClass(o);
    if (c === '.') {
      i++;
      return dot(o);
    }
    if (c === '^') {
      i++;
      return { t: 'assert', kind: o.m ? 'bol' : 'begin' };
    }
    if (c === '$') {
      i++;
      return { t: 'assert', kind: o.m ? 'eol' : flags.dollarEndOnly ? 'end' : 'endnl' };
    }
    if (c === '\\') {
      if (p[i + 1] === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const text = p.slice(i + 2, end < 0 ? p.length : end);
        i = end < 0 ? p.length : end + 2;
        const items = [...text].map((ch) => literal(ch.codePointAt(0)!, o));
        // Each character is an item of its own: a quantifier repeats the last one.
        leading.push(...items.slice(0, -1));
        transparent = items.length === 0;
        return items.at(-1) ?? null;
      }
      if (p[i + 1] === 'E') {
        i += 2;
        transparent = true;
        return null;
      }
      const r = escape(o, false);
      if (r instanceof UnitSet) return { t: 'set', set: r };
      if (typeof r === 'number') return literal(r, o);
      return r;
    }
    if (c === ')') fail(i, 'unmatched closing parenthesis');
    if ('*+?'.includes(c) || (c === '{' && /^\{\d+(,\d*)?\}/.test(p.slice(i))))
      fail(c === '{' ? p.indexOf('}', i) : i, 'quantifier does not follow a repeatable item');
    const code = p.codePointAt(i)!;
    i += String.fromCodePoint(code).length;
    return literal(code, o);
  }

  /** callout - (?C), (?Cn) or (?C"text") at p[i] === 'C': read and ignored (Postfix sets no callout function). */
  function callout(): void {
    i++;
    if (isDigit(p[i])) {
      const digits = /^\d+/.exec(p.slice(i))![0];
      i += digits.length;
      if (Number(digits) > 255) fail(i, 'number after (?C is greater than 255');
    } else if (p[i] !== ')' && i < p.length) {
      const open = p[i]!;
      const close = open === '{' ? '}' : open;
      if (!'`\'"^%#${'.includes(open)) fail(i, 'unrecognized string delimiter follows (?C');
      const start = i;
      for (i++; ; i++) {
        if (i >= p.length) fail(start, 'missing terminating delimiter for callout with string argument');
        if (p[i] === close) {
          if (p[i + 1] !== close) break;
          i++; // a doubled delimiter stands for itself
        }
      }
      i++;
    }
    if (p[i] !== ')') fail(i, 'closing parenthesis for (?C expected');
    i++;
  }

  function conditional(o: Opts, at: number): Node {
    i++; // the second '('
    let cond: Cond;
    const rest = p.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^([+-]?\d+)\)/.exec(rest))) {
      const v = m[1]!;
      const n = v.startsWith('+') ? groupCount + Number(v) : v.startsWith('-') ? groupCount + 1 + Number(v) : Number(v);
      if (n <= 0) fail(i + v.length, 'reference to non-existent subpattern');
      lateRefs.push({ n, at: i + (/^[+-]/.test(v) ? 0 : -1) });
      cond = { kind: 'group', refs: [n] };
      i += m[0].length;
    } else if ((m = /^(?:<(\w+)>|'(\w+)')\)/.exec(rest))) {
      cond = { kind: 'group', refs: refByName(m[1] ?? m[2]!, i + 1).refs };
      i += m[0].length;
    } else if ((m = /^R(\d*)\)/.exec(rest))) {
      if (m[1] !== '') lateRefs.push({ n: Number(m[1]), at: i });
      cond = { kind: 'recursion', n: m[1] === '' ? null : Number(m[1]) };
      i += m[0].length;
    } else if ((m = /^R&(\w+)\)/.exec(rest))) {
      const ref = refByName(m[1]!, i + 2);
      cond = { kind: 'recursion', n: ref.refs[0] ?? -1 };
      i += m[0].length;
    } else if (/^VERSION[>=]/.test(rest)) {
      // (?(VERSION>=10.4)...): compared with the PCRE2 Debian's Postfix uses.
      i += 7;
      const ge = p[i] === '>';
      if (ge && p[i + 1] !== '=') fail(i + 1, 'syntax error or number too big in (?(VERSION condition');
      i += ge ? 2 : 1;
      const v = /^(\d+)(?:\.(\d\d?))?\)/.exec(p.slice(i));
      if (!v || Number(v[1]) > 1000) fail(i + /^\d*(?:\.\d*)?/.exec(p.slice(i))![0].length, 'syntax error or number too big in (?(VERSION condition');
      const asked = Number(v![1]) * 100 + (v![2] === undefined ? 0 : Number(v![2].padEnd(2, '0')));
      const have = PCRE2_VERSION.major * 100 + PCRE2_VERSION.minor;
      cond = { kind: 'version', yes: ge ? have >= asked : have === asked };
      i += v![0].length;
    } else if ((m = /^DEFINE\)/.exec(rest))) {
      cond = { kind: 'define' };
      i += m[0].length;
    } else if (rest.startsWith('?=') || rest.startsWith('?!') || rest.startsWith('?<=') || rest.startsWith('?<!')) {
      i--; // back to '(' of the assertion
      const node = atomFn(o, () => undefined)!;
      cond = { kind: 'assert', node };
    } else if ((m = /^(\w+)\)/.exec(rest))) {
      cond = { kind: 'group', refs: refByName(m[1]!, i).refs };
      i += m[0].length;
    } else fail(i, 'assertion expected after (?( or (?(?C)');
    const body = alternation(o);
    closeParen(at);
    const alts = body.t === 'alt' ? body.alts : [body];
    if (alts.length > 2) fail(i - 1, 'conditional subpattern contains more than two branches');
    return { t: 'cond', cond: cond!, yes: alts[0]!, no: alts[1] ?? null };
  }

  /** The fixed length of a lookbehind branch, or -1. */
  function fixedWidth(n: Node): number {
    switch (n.t) {
      case 'set':
        return 1;
      case 'seq': {
        let w = 0;
        for (const x of n.items) {
          const v = fixedWidth(x);
          if (v < 0) return -1;
          w += v;
        }
        return w;
      }
      case 'alt': {
        const ws = n.alts.map(fixedWidth);
        return ws.every((w) => w === ws[0]) ? ws[0]! : -1;
      }
      case 'group':
      case 'atomic':
        return fixedWidth(n.body);
      case 'rep':
        return n.min === n.max ? (fixedWidth(n.body) < 0 ? -1 : fixedWidth(n.body) * n.min) : -1;
      case 'assert':
      case 'look':
      case 'keep':
      case 'verb':
      case 'empty':
        return 0;
      default:
        return -1;
    }
  }

  const opts: Opts = { i: flags.caseless, m: flags.multiline, s: flags.dotall, x: flags.extended, xx: false, n: false, U: flags.ungreedy };
  const root = alternation(opts);
  if (i < p.length) fail(i, 'unmatched closing parenthesis');
  for (const at of lookbehindErrors) fail(at, 'lookbehind assertion is not fixed length');
  for (const ref of lateRefs) {
    if ('n' in ref) {
      if (ref.n > groupCount) fail(ref.at, 'reference to non-existent subpattern');
      continue;
    }
    const refs = names.get(ref.name);
    if (!refs) fail(ref.at, 'reference to non-existent subpattern');
    ref.node.refs.push(...refs!);
  }
  for (const { node, ref } of calls) node.n = ref.refs[0] ?? -1;
  groups[0] = root;
  return { root, groupCount, groups, utf, ...(limitMatch !== undefined && { limitMatch }), notEmpty, notEmptyAtStart };
}
