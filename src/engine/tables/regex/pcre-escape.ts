/*
 * NAME
 *   regex/pcre-escape - escapes and character classes of PCRE2 patterns
 * DESCRIPTION
 *   The self-contained pieces of pcre-syntax.ts: one backslash escape, one
 *   [...] class, and the literal-rule shape, each read from a position of
 *   the pattern. Errors carry PCRE2 10.42's message and offset (measured
 *   with Postfix 3.7.11); what RE2 and RegExp cannot do is named, not faked.
 */
import { CharSet, litChar, POSIX_CLASSES, type LiteralPattern } from './engines.ts';

/** A PCRE2 compile error: Postfix logs "error in regex at offset N: message". */
export class PcreError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** One escape, read: the RE2 and JS forms and what the caller must know. */
export interface Escape {
  i: number; // position after the escape
  re2: string;
  js: string;
  lit?: string; // the character it stands for, when it is one
  repeatable: boolean;
  ref?: number; // a numbered backreference (JS only)
  needsJs?: boolean;
  unsupported?: string;
}

const SIMPLE: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, e: 27, a: 7 };
export const SPACE = '\\t\\n\\x0b\\f\\r ';
const hex = (c: number): string => '\\x' + c.toString(16).padStart(2, '0');
const char = (i: number, c: number, fold = false): Escape => {
  const t = fold && /[A-Za-z]/.test(String.fromCharCode(c)) ? litChar(String.fromCharCode(c), true) : hex(c);
  return { i, re2: t, js: t, lit: String.fromCharCode(c), repeatable: true };
};
const assertion = (i: number, re2: string, js: string, needsJs = false): Escape => ({ i, re2, js, repeatable: false, needsJs });

/**
 * readEscape - the escape at p[i] === '\\'; `groups` = capture groups opened
 * so far; `fold` spells out ASCII case-insensitivity for a letter outside a class.
 */
export function readEscape(p: string, i: number, inClass: boolean, groups: number, fold = false): Escape {
  i++;
  if (i >= p.length) throw new PcreError(p.length, '\\ at end of pattern');
  const e = p[i++]!;
  if ('dDwW'.includes(e)) return { i, re2: '\\' + e, js: '\\' + e, repeatable: true };
  if (e === 's') return { i, re2: inClass ? SPACE : `[${SPACE}]`, js: inClass ? SPACE : `[${SPACE}]`, repeatable: true };
  if (e === 'S') {
    const s = `[^${SPACE}]`;
    return { i, re2: s, js: s, repeatable: true, ...(inClass && { unsupported: '\\S inside a character class' }) };
  }
  if (SIMPLE[e] !== undefined) return char(i, SIMPLE[e]);
  if (e === 'x') {
    if (p[i] === '{') {
      const end = p.indexOf('}', i);
      const body = end < 0 ? '' : p.slice(i + 1, end);
      if (!/^[0-9a-fA-F]+$/.test(body)) return { i, re2: '', js: '', repeatable: true, unsupported: 'this \\x{...} form' };
      const code = parseInt(body, 16);
      if (code > 0xff) throw new PcreError(end, 'character code point value in \\x{} or \\o{} is too large');
      return char(end + 1, code, fold && !inClass);
    }
    const m = /^[0-9a-fA-F]{0,2}/.exec(p.slice(i))![0];
    return char(i + m.length, m === '' ? 0 : parseInt(m, 16), fold && !inClass);
  }
  if (inClass) {
    if (e === 'b') return char(i, 8);
    if (e === 'N' && p[i] === '{') return { i, re2: '', js: '', repeatable: true, unsupported: 'the escape \\N{...}' };
    if (/[ABzZGRXKN]/.test(e)) throw new PcreError(i - 1, 'escape sequence is invalid in character class');
  } else {
    if (e === 'b' || e === 'B') return assertion(i, '\\' + e, '\\' + e);
    if (e === 'A' || e === 'G') return assertion(i, '\\A', '(?<![\\s\\S])');
    if (e === 'z') return assertion(i, '\\z', '(?![\\s\\S])');
    if (e === 'Z') return assertion(i, '', '(?=\\n?(?![\\s\\S]))', true);
    if (/[1-9]/.test(e)) {
      const m = /^\d*/.exec(p.slice(i))![0];
      const n = Number(e + m);
      if (n >= 10 && e !== '8' && e !== '9' && n > groups) {
        // Not a backreference: up to three octal digits.
        const oct = /^[0-7]{1,3}/.exec(e + m)![0];
        return char(i + oct.length - 1, parseInt(oct, 8) & 0xff, fold);
      }
      return { i: i + m.length, re2: '', js: '', repeatable: true, ref: n, needsJs: true };
    }
    if (e === 'k') {
      const m = /^(?:<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')/.exec(p.slice(i));
      if (!m) throw new PcreError(i, '\\k is not followed by a braced, angle-bracketed, or quoted name');
      return { i: i + m[0].length, re2: '', js: `\\k<${m[1] ?? m[2] ?? m[3]}>`, repeatable: true, needsJs: true };
    }
  }
  if (e === '0') {
    const m = /^[0-7]{0,2}/.exec(p.slice(i))![0];
    return char(i + m.length, parseInt('0' + m, 8), fold && !inClass);
  }
  if (e === 'c') {
    if (i >= p.length) throw new PcreError(i, '\\c at end of pattern');
    const c = p.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new PcreError(i, '\\c must be followed by a printable ASCII character');
    return char(i + 1, String.fromCharCode(c).toUpperCase().charCodeAt(0) ^ 0x40);
  }
  if ((e === 'o' || (e === 'N' && p.startsWith('{U+', i))) && p[i] === '{') {
    // \o{...}, \N{U+...}: the backtracking parser reads (and checks) them.
    const end = p.indexOf('}', i);
    return { i: end < 0 ? p.length : end + 1, re2: '', js: '', repeatable: true, unsupported: `the escape \\${e}{...}` };
  }
  if (/[A-Za-z]/.test(e)) return { i, re2: '', js: '', repeatable: true, unsupported: `the escape \\${e}` };
  if (e.charCodeAt(0) > 0x7f) return char(i, e.charCodeAt(0)); // an escaped byte stands for itself
  return { i, re2: '\\' + e, js: '\\' + e, lit: e, repeatable: true };
}

/** posixSyntax - `[:...:]`, `[.....]` or `[=...=]` at p[i] === '[' (PCRE2's check_posix_syntax). */
export function posixSyntax(p: string, i: number): boolean {
  const t = p[i + 1];
  if (t !== ':' && t !== '.' && t !== '=') return false;
  for (let j = i + 2; j < p.length; j++) {
    if (p[j] === '\\' && (p[j + 1] === ']' || p[j + 1] === '\\')) j++;
    else if ((p[j] === '[' && p[j + 1] === t) || p[j] === ']') return false;
    else if (p[j] === t && p[j + 1] === ']') return true;
  }
  return false;
}

/** readClass - the class at p[i] === '['; returns its text (same for RE2 and JS). */
export function readClass(p: string, i: number, groups: number, fold: boolean): { i: number; text: string; unsupported?: string } {
  if (posixSyntax(p, i)) {
    // `[:alpha:]` outside a class; `[.a.]`, `[=a=]` anywhere (PCRE2's check_posix_syntax)
    throw new PcreError(i, p[i + 1] === ':' ? 'POSIX named classes are supported only within a class' : 'POSIX collating elements are not supported');
  }
  i++;
  const set = new CharSet();
  let unsupported: string | undefined;
  const neg = p[i] === '^';
  if (neg) i++;
  let first = true;
  let prev: number | undefined; // the last single character, for ranges
  // [\d-z], [[:digit:]-z]: a hyphen after a class may only end the class.
  const forbidRange = (): void => {
    if (p[i] === '-' && p[i + 1] !== ']' && i + 1 < p.length) throw new PcreError(i, 'invalid range in character class');
  };
  for (;;) {
    if (i >= p.length) throw new PcreError(p.length, 'missing terminating ] for character class');
    const c = p[i]!;
    if (c === ']' && !first) break;
    first = false;
    if (c === '[' && p[i + 1] !== ':' && posixSyntax(p, i)) throw new PcreError(i, 'POSIX collating elements are not supported');
    const posix = c === '[' && p[i + 1] === ':' ? p.indexOf(':]', i + 2) : -1;
    if (posix > 0) {
      const negated = p[i + 2] === '^';
      const name = p.slice(i + 2 + (negated ? 1 : 0), posix);
      const members = POSIX_CLASSES[fold && (name === 'upper' || name === 'lower') ? 'alpha' : name];
      if (!Object.hasOwn(POSIX_CLASSES, name) || members === undefined) throw new PcreError(i + 2 + (negated ? 1 : 0), 'unknown POSIX class name');
      if (negated) unsupported ??= 'a negated POSIX class';
      set.addText(members);
      i = posix + 2;
      prev = undefined;
      forbidRange();
    } else if (c === '-' && prev !== undefined && p[i + 1] !== ']' && i + 1 < p.length) {
      if (p[i + 1] === '[' && p[i + 2] === ':' && p.indexOf(':]', i + 3) > 0) throw new PcreError(i + 2, 'invalid range in character class');
      const end = p[i + 1] === '\\' ? readEscape(p, i + 1, true, groups) : undefined;
      const code = end ? end.lit?.charCodeAt(0) : p.charCodeAt(i + 1);
      i = end ? end.i : i + 2;
      // [a-\d]: PCRE2 refuses a range ending in a class.
      if (code === undefined && !end?.unsupported) throw new PcreError(i, 'invalid range in character class');
      if (code === undefined) unsupported ??= end!.unsupported;
      else if (code < prev) throw new PcreError(i - 1, 'range out of order in character class');
      else if (code > prev) set.add(prev + 1, code); // prev itself is already in the set
      prev = undefined;
    } else if (c === '\\' && (p[i + 1] === 'Q' || p[i + 1] === 'E')) {
      const end = p[i + 1] === 'E' ? i : p.indexOf('\\E', i + 2);
      for (const ch of p.slice(i + 2, end < 0 ? p.length : end)) set.add(ch.charCodeAt(0));
      i = end < 0 ? p.length : end + 2;
    } else if (c === '\\') {
      const e = readEscape(p, i, true, groups);
      if (e.unsupported) unsupported ??= e.unsupported;
      if (e.lit !== undefined) set.add(e.lit.charCodeAt(0));
      else set.addText(e.re2);
      prev = e.lit?.charCodeAt(0);
      i = e.i;
      if (e.lit === undefined && !e.unsupported) forbidRange();
    } else {
      set.add(c.charCodeAt(0));
      prev = c.charCodeAt(0);
      i++;
    }
  }
  return { i: i + 1, text: set.text(neg, fold), ...(unsupported && { unsupported }) };
}

/** literalShape - `^text$` and friends, when the whole pattern is one ASCII literal. */
export function literalShape(shape: string[], o: { caseless: boolean; anchored: boolean }): { literal?: LiteralPattern } {
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
