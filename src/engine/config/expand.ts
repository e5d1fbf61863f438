/*
 * NAME
 *   expand - $name expansion in parameter values (mac_parse(3), mac_expand(3))
 * SYNOPSIS
 *   macExpand(value, { lookup, recurse?, scan? })
 * DESCRIPTION
 *   The forms of postconf(5): `$name`, `${name}`, `$(name)`, `$$`,
 *   `${name?value}`, `${name:value}`, `${name?{value}}`, `${name:{value}}`,
 *   `${name?{a}:{b}}`, and the relational first operand
 *   `${{a} == {b} ? {x} : {y}}` with ==, !=, <, <=, >=, > (numeric when
 *   both sides are all digits, else by byte comparison) and the
 *   compatibility-level operators `<level` etc. (3.10 > 3.9).
 *
 *   As in Postfix, a looked-up value is expanded again (recurse) within one
 *   nesting counter: more than 100 nested expansions give "unreasonable
 *   macro call nesting". Syntax problems are warnings in Postfix's words and
 *   set `error`; the caller decides whether that is fatal (postconf: "macro
 *   processing error"). An undefined name expands to nothing and sets
 *   `undefined`. In scan mode nothing is produced: every name reference in
 *   both branches is reported to `lookup` (postconf's unused-parameter scan).
 * SEE ALSO
 *   postconf(5), COMPATIBILITY_README
 */
import { MAC_PARSE_ERROR, MAC_PARSE_UNDEF, macParse } from '../util/mac-parse.ts';
import type { MacPiece } from '../util/mac-parse.ts';

/** lookup - a parameter's value, or undefined when the parameter is not defined. */
export type MacLookup = (name: string, mode: 'use' | 'test') => string | undefined;

/** What one expansion produced. */
export interface Expansion {
  value: string;
  /** Warnings Postfix logs while expanding (message text only). */
  warnings: string[];
  /** A syntax or evaluation error (MAC_PARSE_ERROR). */
  error: boolean;
  /** Some `$name` had no value (MAC_PARSE_UNDEF). */
  undefined: boolean;
}

const PARSE_ERROR = MAC_PARSE_ERROR;
const PARSE_UNDEF = MAC_PARSE_UNDEF;
const WHITESPACE = ' \t\r\n';
const OP_CHARS = '<>!=?+-*/~&|%';
const OPERATORS = ['==', '!=', '<', '<=', '>=', '>'] as const;
type Operator = (typeof OPERATORS)[number];
/** MAC_EXP_OP_STR_ANY, with the stray quotes of the 3.7 source. */
const OP_STR_ANY = '"==" or "!="" or "<"" or "<="" or ">="" or ">"';

interface Context {
  out: string;
  warnings: string[];
  status: number;
  level: number;
  recurse: boolean;
  scan: boolean;
  lookup: MacLookup;
}

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);
const span = (s: string, from: number, set: string): number => {
  let i = from;
  while (i < s.length && set.includes(s[i]!)) i++;
  return i - from;
};
/** First `n` bytes-ish of a string, as printf's %.20s. */
const head = (s: string, n = 20): string => s.slice(0, n);

/**
 * compatLevelFromString - compat_level_from_string(): major[.minor[.patch]]
 * as one comparable number, or an error message.
 */
export function compatLevelFromString(text: string): number | string {
  const m = /^([+-]?\d+)(?:\.([+-]?\d+)(?:\.([+-]?\d+))?)?$/.exec(text.replace(/^[ \t\n\r\v\f]+/, ''));
  const bad = `malformed compatibility level syntax: "${text}"`;
  if (!m) return bad;
  const [major, minor, patch] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  if (major < 0 || major > 2 ** 43 || minor < 0 || minor > 1023 || patch < 0 || patch > 1023) return bad;
  return major * 2 ** 20 + minor * 2 ** 10 + patch;
}

/** Postfix's alldig(): non-empty and only digits. */
const allDigits = (s: string): boolean => /^[0-9]+$/.test(s);

function evaluate(left: string, op: Operator, right: string, level: boolean, ctx: Context): boolean | undefined {
  let delta: number;
  if (level) {
    const a = compatLevelFromString(left);
    if (typeof a === 'string') return void ctx.warnings.push(a);
    const b = compatLevelFromString(right);
    if (typeof b === 'string') return void ctx.warnings.push(b);
    delta = a - b;
  } else if (allDigits(left) && allDigits(right)) {
    const d = BigInt(left) - BigInt(right);
    delta = d < 0n ? -1 : d > 0n ? 1 : 0;
  } else {
    delta = left < right ? -1 : left > right ? 1 : 0;
  }
  switch (op) {
    case '==':
      return delta === 0;
    case '!=':
      return delta !== 0;
    case '<':
      return delta < 0;
    case '<=':
      return delta <= 0;
    case '>=':
      return delta >= 0;
    case '>':
      return delta > 0;
  }
}

function parseError(ctx: Context, message: string): number {
  ctx.warnings.push(message);
  return (ctx.status |= PARSE_ERROR);
}

/** Balanced `{...}` at s[at] (after whitespace was skipped): [payload, index after trailing whitespace]. */
function curlyPayload(ctx: Context, s: string, at: number): [string, number] | undefined {
  let level = 1;
  let i = at + 1;
  for (; ; i++) {
    if (i >= s.length) {
      parseError(ctx, `unbalanced {} in attribute expression: "${s.slice(at)}"`);
      return undefined;
    }
    if (s[i] === '{') level++;
    else if (s[i] === '}' && --level <= 0) break;
  }
  const payload = s.slice(at + 1, i);
  i++;
  return [payload, i + span(s, i, WHITESPACE)];
}

/** Index of `{` after optional whitespace at `at`, or -1. */
function findLeftCurly(s: string, at: number): number {
  const i = at + span(s, at, WHITESPACE);
  return s[i] === '{' ? i : -1;
}

function subExpand(ctx: Context, text: string): string {
  const sub: Context = { ...ctx, out: '', status: 0, level: 0 };
  ctx.status |= parse(text, sub);
  ctx.warnings = sub.warnings;
  return sub.out;
}

/** Relational `{a} op {b}` at s[at]: [truth as a fake lookup value, next index] or undefined on error. */
function relational(ctx: Context, s: string, at: number): [string | undefined, number] | undefined {
  const left = curlyPayload(ctx, s, at);
  if (!left) return undefined;
  let cp = left[1];
  const opLen = span(s, cp, OP_CHARS);
  const opPos = cp;
  const op = s.slice(cp, cp + opLen) as Operator;
  if (!OPERATORS.includes(op)) {
    parseError(ctx, `${OP_STR_ANY} expected at: "...${left[0]}}>>>${head(s.slice(cp))}"`);
    return undefined;
  }
  cp += opLen;
  let isLevel = false;
  if (isAlnum(s[cp])) {
    let len = 1;
    while (isAlnum(s[cp + len])) len++;
    const suffix = s.slice(cp, cp + len);
    if (suffix !== 'level') {
      parseError(ctx, `bad operator suffix at: "...${op}>>>${suffix}"`);
      return undefined;
    }
    isLevel = true;
    cp += len;
  }
  const r = findLeftCurly(s, cp);
  if (r < 0) {
    parseError(ctx, `"{expression}" expected at: "...{${left[0]}} ${s.slice(opPos, opPos + opLen)}>>>${head(s.slice(cp))}"`);
    return undefined;
  }
  const right = curlyPayload(ctx, s, r);
  if (!right) return undefined;
  const a = subExpand(ctx, left[0]);
  const b = subExpand(ctx, right[0]);
  let result: boolean | undefined = false;
  if (!ctx.scan) {
    result = evaluate(a, op, b, isLevel, ctx);
    if (result === undefined) ctx.status |= PARSE_ERROR;
  }
  if (ctx.status & PARSE_ERROR) return undefined;
  return [ctx.scan ? undefined : result ? 'true' : '', right[1]];
}

/** mac_expand_callback for one `${...}` body or `$name`. */
function expression(ctx: Context, text: string): number {
  let lookup: string | undefined;
  let cp: number;
  let ch: string | undefined;
  const curly = findLeftCurly(text, 0);
  if (curly >= 0) {
    const rel = relational(ctx, text, curly);
    if (!rel) return ctx.status;
    [lookup, cp] = rel;
    ch = text[cp];
    if (ch !== undefined) {
      if (ch !== '?' && ch !== ':') return parseError(ctx, `"?" or ":" expected at: "...}>>>${head(text.slice(cp))}"`);
      cp++;
    }
  } else {
    const start = span(text, 0, WHITESPACE);
    let mode: 'use' | 'test';
    let end: number;
    for (cp = start; ; cp++) {
      const ws = span(text, cp, WHITESPACE);
      ch = text[cp + ws];
      if (ch === undefined) {
        end = cp;
        mode = 'use';
        break;
      }
      if (ch === '?' || ch === ':') {
        end = cp;
        cp += ws + 1;
        mode = 'test';
        break;
      }
      const c = text[cp]!;
      if (!isAlnum(c) && c !== '_') return parseError(ctx, `attribute name syntax error at: "...${text.slice(0, cp)}>>>${head(text.slice(cp))}"`);
    }
    lookup = ctx.lookup(text.slice(start, end), mode);
  }
  const set = lookup !== undefined && lookup !== '';
  const operand = (): [string, number] | undefined => {
    const l = findLeftCurly(text, cp);
    if (l >= 0) return curlyPayload(ctx, text, l);
    return [text.slice(cp), text.length];
  };
  if (ch === '?') {
    const t = operand();
    if (!t) return ctx.status;
    cp = t[1];
    if (set || ctx.scan) ctx.status |= parse(t[0], ctx);
    if (cp >= text.length) return ctx.status;
    if (text[cp] !== ':') return parseError(ctx, `":" expected at: "...${t[0]}}>>>${head(text.slice(cp))}"`);
    cp++;
    ch = ':';
  }
  if (ch === ':') {
    const f = operand();
    if (!f) return ctx.status;
    cp = f[1];
    if (!set || ctx.scan) ctx.status |= parse(f[0], ctx);
    if (cp < text.length) return parseError(ctx, `unexpected input at: "...${f[0]}}>>>${head(text.slice(cp))}"`);
    return ctx.status;
  }
  if (lookup === undefined) ctx.status |= PARSE_UNDEF;
  else if (lookup === '' || ctx.scan) {
    /* nothing */
  } else if (ctx.recurse) ctx.status |= parse(lookup, ctx);
  else ctx.out += lookup;
  return ctx.status;
}

function callback(ctx: Context, type: MacPiece, text: string): number {
  if (ctx.level++ > 100) parseError(ctx, `unreasonable macro call nesting: "${text}"`);
  if (ctx.status & PARSE_ERROR) return ctx.status;
  if (type === 'expr') {
    const status = expression(ctx, text);
    if (status & PARSE_ERROR) return status;
  } else if (!ctx.scan) ctx.out += text;
  ctx.level--;
  return ctx.status;
}

/** mac_parse() with this expansion's callback. */
const parse = (value: string, ctx: Context): number =>
  macParse(
    value,
    (type, text) => callback(ctx, type, text),
    (w) => ctx.warnings.push(w),
  );

/**
 * macExpand - expand `value` as mac_expand() does. `recurse` expands
 * looked-up values again (MAC_EXP_FLAG_RECURSE, what main.cf users and
 * `postconf -x` do); `scan` only reports names to `lookup`.
 */
export function macExpand(value: string, options: { lookup: MacLookup; recurse?: boolean; scan?: boolean }): Expansion {
  const ctx: Context = {
    out: '',
    warnings: [],
    status: 0,
    level: 0,
    recurse: options.recurse ?? false,
    scan: options.scan ?? false,
    lookup: options.lookup,
  };
  const status = parse(value, ctx);
  return {
    value: ctx.out,
    warnings: ctx.warnings,
    error: (status & PARSE_ERROR) !== 0,
    undefined: (status & PARSE_UNDEF) !== 0,
  };
}
