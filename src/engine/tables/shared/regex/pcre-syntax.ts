/*
 * NAME
 *   regex/pcre-syntax - PCRE2 patterns for pcre_table(5)
 * DESCRIPTION
 *   One pass over a PCRE2 pattern (8-bit, no UTF, as Postfix compiles it)
 *   that (1) reports the compile errors people actually make with PCRE2
 *   10.42's message and offset, (2) applies the table flags RE2 and JS
 *   lack (x EXTENDED, U UNGREEDY, A ANCHORED, E DOLLAR_ENDONLY, PCRE's `$`
 *   that also matches before a final newline), and (3) writes the pattern
 *   for re2js and for native RegExp, saying which one it needs.
 */
import { POSIX_CLASSES, quickLiteral, quoteClassChar, type LiteralPattern, type Prefilter } from './engines.ts';

export interface PcreOptions {
  caseless: boolean;
  multiline: boolean;
  dotall: boolean;
  extended: boolean;
  anchored: boolean;
  dollarEndOnly: boolean;
  ungreedy: boolean;
}

export type PcreTranslation =
  | {
      ok: true;
      re2: string;
      js: string;
      groupCount: number;
      /** RE2 cannot run it (lookaround, backreference, \Z...). */
      needsJs: boolean;
      /** A `$` that PCRE also matches before a final newline (re2 form only matches at the end). */
      dollarBeforeNewline: boolean;
      prefilter?: Prefilter;
      literal?: LiteralPattern;
    }
  | { ok: false; offset: number; error: string }
  | { ok: false; unsupported: string };

class PcreError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}
class Unsupported extends Error {}

const SIMPLE_ESC: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, e: 27, a: 7 };
const SPACE = '\\t\\n\\x0b\\f\\r ';

/** literalShape - `^text$` and friends, when the whole pattern is one ASCII literal. */
function literalShape(shape: string[], o: PcreOptions): { literal?: LiteralPattern } {
  // shape: one character per literal item, '<^>' '<$>' '<z>' for anchors, '' for anything else.
  const from = shape[0] === '<^>' ? 1 : 0;
  const last = shape[shape.length - 1]!;
  const end = shape.length > from && (last === '<$>' || last === '<z>');
  const body = shape.slice(from, end ? -1 : undefined);
  const text = body.join('');
  if (body.length === 0 || body.some((c) => c.length !== 1) || !/^[\x01-\x7f]*$/.test(text)) return {};
  const literal = { text: o.caseless ? text.toLowerCase() : text, fold: o.caseless, start: from === 1 || o.anchored, end };
  return { literal: { ...literal, endBeforeNewline: last === '<$>' } };
}

/** translatePcre - the RE2 and JS forms of a PCRE2 pattern, or PCRE2's error. */
export function translatePcre(pattern: string, o: PcreOptions): PcreTranslation {
  const quick = !o.multiline && !o.extended ? quickLiteral(pattern) : undefined;
  if (quick) {
    const text = o.caseless ? quick.text.toLowerCase() : quick.text;
    const literal = { text, fold: o.caseless, start: quick.start || o.anchored, end: quick.end, endBeforeNewline: quick.end && !o.dollarEndOnly };
    const prefilter = { texts: [text], fold: o.caseless };
    return { ok: true, re2: '', js: '', groupCount: 0, needsJs: false, dollarBeforeNewline: literal.endBeforeNewline, prefilter, literal };
  }
  const p = pattern;
  let i = 0;
  let re2 = '';
  let js = '';
  let needsJs = false;
  let dollarBeforeNewline = false;
  let groups = 0;
  let depth = 0;
  const refs: { n: number; end: number }[] = [];
  let canRepeat = false; // the last item can take a quantifier
  let lit = ''; // literal run at top level, for the prefilter
  const lits: string[] = [];
  const shape: string[] = []; // top-level items: a literal char, '^', '$', or '' for anything else
  let topAlt = false;
  let inlineFlags = false;
  const names = new Set<string>();
  const nameRefs: { name: string; end: number }[] = [];
  const lookbehinds: number[] = []; // offsets of open lookbehinds
  const commit = (): void => {
    if (lit.length >= 2) lits.push(lit);
    lit = '';
  };
  const emit = (a: string, b: string = a, repeatable = true, literal?: string, anchor = ''): void => {
    if (depth === 0) shape.push(literal ?? anchor);
    re2 += a;
    js += b;
    canRepeat = repeatable;
    if (literal !== undefined && depth === 0) lit += literal;
    else commit();
  };

  const hex = (c: number): string => (c < 0x100 ? '\\x' + c.toString(16).padStart(2, '0') : '\\x{' + c.toString(16) + '}');

  /** An escape outside or inside a class; returns [re2, js, literal?, repeatable?]. */
  function escape(inClass: boolean): [string, string, string?, boolean?] {
    i++; // the backslash
    if (i >= p.length) throw new PcreError(p.length, '\\ at end of pattern');
    const e = p[i++]!;
    if (e === 'd' || e === 'D' || e === 'w' || e === 'W') return ['\\' + e, '\\' + e];
    if (e === 's') return inClass ? [SPACE, SPACE] : [`[${SPACE}]`, `[${SPACE}]`];
    if (e === 'S') {
      if (inClass) throw new Unsupported('\\S inside a character class');
      return [`[^${SPACE}]`, `[^${SPACE}]`];
    }
    const simple = SIMPLE_ESC[e];
    if (simple !== undefined) return [hex(simple), hex(simple), String.fromCharCode(simple)];
    if (e === 'x') {
      let code: number;
      if (p[i] === '{') {
        const end = p.indexOf('}', i);
        const body = end < 0 ? '' : p.slice(i + 1, end);
        if (!/^[0-9a-fA-F]+$/.test(body)) throw new Unsupported('\\x{...} form');
        code = parseInt(body, 16);
        if (code > 0xff) throw new PcreError(end, 'character code point value in \\x{} or \\o{} is too large');
        i = end + 1;
      } else {
        const m = /^[0-9a-fA-F]{0,2}/.exec(p.slice(i))![0];
        code = m === '' ? 0 : parseInt(m, 16);
        i += m.length;
      }
      return [hex(code), hex(code), String.fromCharCode(code)];
    }
    if (!inClass && (e === 'b' || e === 'B')) return ['\\' + e, '\\' + e, undefined, false];
    if (inClass && e === 'b') return ['\\x08', '\\x08', '\b'];
    if (!inClass && e === 'A') return ['\\A', '(?<![\\s\\S])', undefined, false];
    if (!inClass && e === 'z') return ['\\z', '(?![\\s\\S])', undefined, false];
    if (!inClass && e === 'Z') {
      needsJs = true;
      return ['', '(?=\\n?(?![\\s\\S]))', undefined, false];
    }
    if (!inClass && e === 'G') return ['\\A', '(?<![\\s\\S])', undefined, false];
    if (/[1-9]/.test(e) && !inClass) {
      const m = /^\d*/.exec(p.slice(i))![0];
      const n = Number(e + m);
      i += m.length;
      refs.push({ n, end: i - 1 });
      needsJs = true;
      return ['', `(?:\\${n})`];
    }
    if (e === '0') {
      const m = /^[0-7]{0,2}/.exec(p.slice(i))![0];
      i += m.length;
      const code = parseInt('0' + m, 8);
      return [hex(code), hex(code), String.fromCharCode(code)];
    }
    if (e === 'k' && !inClass) {
      const m = /^(?:<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')/.exec(p.slice(i));
      if (!m) throw new PcreError(i, '\\k is not followed by a braced, angle-bracketed, or quoted name');
      i += m[0].length;
      needsJs = true;
      return ['', `\\k<${m[1] ?? m[2] ?? m[3]}>`];
    }
    if (e === 'c') {
      if (i >= p.length) throw new PcreError(i, '\\c at end of pattern');
      const code = p.charCodeAt(i++) ^ 0x40;
      return [hex(code & 0xff), hex(code & 0xff)];
    }
    if (/[A-Za-z]/.test(e)) throw new Unsupported(`the escape \\${e}`);
    if (e.charCodeAt(0) > 0x7f) throw new Unsupported('a non-ASCII escape');
    return inClass ? [quoteClassChar(e), quoteClassChar(e), e] : ['\\' + e, '\\' + e, e];
  }

  function charClass(): void {
    i++;
    let body = '';
    let neg = false;
    if (p[i] === '^') {
      neg = true;
      i++;
    }
    let first = true;
    let prev: number | undefined; // code of the last single char, for ranges
    for (;;) {
      if (i >= p.length) throw new PcreError(p.length, 'missing terminating ] for character class');
      const c = p[i]!;
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        if (end > 0) {
          let name = p.slice(i + 2, end);
          const negated = name.startsWith('^');
          if (negated) name = name.slice(1);
          const members = POSIX_CLASSES[name];
          if (members === undefined) throw new PcreError(i + 2 + (negated ? 1 : 0), 'unknown POSIX class name');
          if (negated) throw new Unsupported('a negated POSIX class');
          body += members;
          i = end + 2;
          prev = undefined;
          continue;
        }
      }
      if (c === '-' && prev !== undefined && p[i + 1] !== ']' && i + 1 < p.length) {
        i++;
        let code: number;
        if (p[i] === '\\') {
          const [r, , l] = escape(true);
          if (l === undefined) throw new Unsupported('a class range ending in a class escape');
          code = l.charCodeAt(0);
          void r;
        } else code = p.charCodeAt(i++);
        if (code < prev) throw new PcreError(i - 1, 'range out of order in character class');
        body += '-' + quoteClassChar(String.fromCharCode(code));
        prev = undefined;
        continue;
      }
      if (c === '\\') {
        const [r, , l] = escape(true);
        body += r;
        prev = l?.charCodeAt(0);
        continue;
      }
      body += quoteClassChar(c);
      prev = c.charCodeAt(0);
      i++;
    }
    const cls = `[${neg ? '^' : ''}${body}]`;
    emit(cls, cls);
  }

  function quantifier(): boolean {
    const c = p[i]!;
    let q: string;
    let min = 1;
    let max: number | undefined = 1;
    if (c === '*' || c === '+' || c === '?') {
      q = c;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : undefined;
      i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (!m) return false;
      min = Number(m[1]);
      max = m[3] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      const end = i + m[0].length - 1;
      if (min > 65535 || (max ?? 0) > 65535) throw new PcreError(end, 'number too big in {} quantifier');
      if (max !== undefined && max < min) throw new PcreError(end, 'numbers out of order in {} quantifier');
      if (min > 1000 || (max ?? 0) > 1000) needsJs = true;
      q = `{${min},${max ?? ''}}`;
      i += m[0].length;
    } else return false;
    if (!canRepeat) throw new PcreError(i - 1, 'quantifier does not follow a repeatable item');
    let lazy = false;
    if (p[i] === '+') throw new Unsupported('a possessive quantifier');
    if (p[i] === '?') {
      lazy = true;
      i++;
    }
    if (o.ungreedy) lazy = !lazy;
    const suffix = q + (lazy ? '?' : '');
    if (lookbehinds.length > 0 && max !== min) throw new PcreError(lookbehinds[lookbehinds.length - 1]!, 'lookbehind assertion is not fixed length');
    re2 += suffix;
    js += suffix;
    canRepeat = false;
    lit = lit.slice(0, -1); // the quantified character is not required
    commit();
    if (depth === 0) shape[shape.length - 1] = '';
    return true;
  }

  function group(): void {
    const open = i;
    i++;
    let kind = '(';
    let kindJs = '(';
    let lookbehind = false;
    if (p[i] === '*') throw new Unsupported('a backtracking control verb');
    if (p[i] === '?') {
      const rest = p.slice(i + 1);
      const named = /^(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest);
      const nameRef = /^P=([A-Za-z_]\w*)\)/.exec(rest);
      const flags = /^([imsU]*(?:-[imsU]*)?)([):])/.exec(rest);
      if (rest.startsWith(':')) {
        kind = kindJs = '(?:';
        i += 2;
      } else if (/^(?:=|!|<=|<!)/.test(rest)) {
        const op = rest.startsWith('<') ? rest.slice(0, 2) : rest[0]!;
        needsJs = true;
        lookbehind = op.startsWith('<');
        kind = '(?:';
        kindJs = `(?${op}`;
        i += 1 + op.length;
      } else if (named) {
        groups++;
        names.add(named[1] ?? named[2]!);
        kind = `(?P<${named[1] ?? named[2]}>`;
        kindJs = `(?<${named[1] ?? named[2]}>`;
        i += 1 + named[0].length;
      } else if (nameRef) {
        i += 1 + nameRef[0].length;
        nameRefs.push({ name: nameRef[1]!, end: i - 2 });
        needsJs = true;
        emit('', `\\k<${nameRef[1]}>`);
        return;
      } else if (rest.startsWith('#')) {
        const end = p.indexOf(')', i);
        if (end < 0) throw new PcreError(p.length, 'missing ) after (?# comment');
        i = end + 1;
        return;
      } else if (flags && flags[1] !== '') {
        // RE2 knows i m s U; native RegExp does not, checked at the end.
        inlineFlags = true;
        i += 1 + flags[0].length;
        if (flags[2] === ')') {
          emit(`(?${flags[1]})`, '', false);
          return;
        }
        kind = `(?${flags[1]}:`;
      } else if (/^[>|(R&0-9+P-]/.test(rest)) {
        throw new Unsupported(`the group syntax (?${rest[0]}`);
      } else {
        throw new PcreError(i + 1, 'unrecognized character after (? or (?-');
      }
    } else groups++;
    commit();
    if (depth === 0) shape.push('');
    depth++;
    if (lookbehind) lookbehinds.push(open);
    re2 += kind;
    js += kindJs;
    canRepeat = false;
    sequence();
    if (p[i] !== ')') throw new PcreError(p.length, 'missing closing parenthesis');
    i++;
    depth--;
    if (lookbehind) lookbehinds.pop();
    re2 += ')';
    js += ')';
    canRepeat = true;
    commit();
  }

  function sequence(): void {
    while (i < p.length) {
      const c = p[i]!;
      if (o.extended && /[ \t\n\r\f\v]/.test(c)) {
        i++;
        continue;
      }
      if (o.extended && c === '#') {
        const nl = p.indexOf('\n', i);
        i = nl < 0 ? p.length : nl + 1;
        continue;
      }
      if (c === ')') {
        if (depth === 0) throw new PcreError(i, 'unmatched closing parenthesis');
        return;
      }
      if (quantifier()) continue;
      if (c === '|') {
        if (depth === 0) topAlt = true;
        emit('|', '|', false);
        i++;
      } else if (c === '(') group();
      else if (c === '[') charClass();
      else if (c === '\\') {
        if (p[i + 1] === 'Q') {
          const end = p.indexOf('\\E', i + 2);
          const text = p.slice(i + 2, end < 0 ? p.length : end);
          i = end < 0 ? p.length : end + 2;
          for (const ch of text) emit(quote(ch), quote(ch), true, ch);
          continue;
        }
        if (p[i + 1] === 'E') {
          i += 2;
          continue;
        }
        const [a, b, l, rep] = escape(false);
        emit(a, b, rep !== false, l);
      } else if (c === '.') {
        emit('.', o.dotall ? '[\\s\\S]' : '[^\\n]', true);
        i++;
      } else if (c === '^') {
        emit('^', o.multiline ? '(?<![^\\n])' : '(?<![\\s\\S])', false, undefined, '<^>');
        i++;
      } else if (c === '$') {
        i++;
        if (o.multiline) emit('$', '(?![^\\n])', false);
        else if (o.dollarEndOnly) emit('\\z', '(?![\\s\\S])', false, undefined, '<z>');
        else {
          dollarBeforeNewline = true;
          emit('$', '(?=\\n?(?![\\s\\S]))', false, undefined, '<$>');
        }
      } else {
        emit(quote(c), quote(c), true, c);
        i++;
      }
    }
  }

  const quote = (c: string): string => ('\\^$.|?*+()[]{}/'.includes(c) ? '\\' + c : c);

  try {
    sequence();
    commit();
    for (const r of nameRefs) if (!names.has(r.name)) throw new PcreError(r.end, 'reference to non-existent subpattern');
    if (inlineFlags && needsJs) throw new Unsupported('inline options like (?i) together with lookaround or backreferences');
    for (const r of refs) if (r.n > groups) throw new PcreError(r.end, 'reference to non-existent subpattern');
    if (o.anchored) {
      re2 = `\\A(?:${re2})`;
      js = `(?<![\\s\\S])(?:${js})`;
    }
    const usable = !topAlt && !inlineFlags;
    const texts = lits.map((t) => (o.caseless ? t.toLowerCase() : t)).sort((a, b) => b.length - a.length);
    const prefilter = usable && texts.length > 0 ? { texts, fold: o.caseless } : undefined;
    return {
      ok: true,
      re2,
      js,
      groupCount: groups,
      needsJs,
      dollarBeforeNewline,
      ...(prefilter && { prefilter }),
      ...(usable && !o.multiline && !needsJs && literalShape(shape, o)),
    };
  } catch (e) {
    if (e instanceof PcreError) return { ok: false, offset: e.offset, error: e.message };
    if (e instanceof Unsupported) return { ok: false, unsupported: e.message };
    throw e;
  }
}
