/*
 * NAME
 *   pcre - the pcre: table driver (Perl-compatible regular expressions)
 * DESCRIPTION
 *   Models pcre_table(5) as Postfix 3.7 runs it with PCRE2 (no UTF mode):
 *   flags i (CASELESS) and s (DOTALL) on by default; m, x, A, E, U toggle
 *   MULTILINE, EXTENDED, ANCHORED, DOLLAR_ENDONLY, UNGREEDY; X is obsolete.
 *   re2js runs every pattern it can; lookaround and backreferences (the man
 *   page's own examples) run on native RegExp, which backtracks like PCRE.
 * SEE ALSO
 *   pcre_table(5), shared/pattern-rules.ts, shared/regex/pcre-syntax.ts
 */
import { compileLiteral, compileRe2 } from './regex/engines.ts';
import { compileBacktrack } from './regex/pcre-match.ts';
import { PcreError } from './regex/pcre-escape.ts';
import { translatePcre } from './regex/pcre-syntax.ts';
import type { CompileResult, CompiledRegex } from './regex/types.ts';
import { patternTableDriver, type Dialect } from './pattern-rules.ts';
import type { TableDriver } from './types.ts';

/** compilePcre - one pcre_table(5) pattern with its toggled flags. */
export function compilePcre(source: string, toggled: ReadonlySet<string>): CompileResult {
  const o = {
    caseless: !toggled.has('i'),
    dotall: !toggled.has('s'),
    multiline: toggled.has('m'),
    extended: toggled.has('x'),
    anchored: toggled.has('A'),
    dollarEndOnly: toggled.has('E'),
    ungreedy: toggled.has('U'),
  };
  const t = translatePcre(source, o);
  if (!t.ok && !('unsupported' in t)) {
    // The translator stops at the first error it meets; PCRE2 reports every syntax error before the
    // ones it finds compiling (lookbehind lengths, references): the parser orders them as PCRE2 does.
    const b = backtracking(source, o, '');
    return !b.ok && !b.simulator ? b : { ok: false, message: `error in regex at offset ${t.offset}: ${t.error}` };
  }
  // What RE2 cannot run goes to the backtracking matcher, with PCRE2's match limit.
  if (!t.ok || t.needsJs) return backtracking(source, o, 'unsupported' in t ? t.unsupported : 'lookaround, a backreference or an atomic group');
  if (t.literal) return { ok: true, regex: compileLiteral(t.literal, 're2js') };
  let js: CompiledRegex | undefined;
  const getJs = (): CompiledRegex => {
    if (js) return js;
    const b = backtracking(source, o, 'a `$` before a final newline');
    if (!b.ok) throw new Error(b.message);
    return (js = b.regex);
  };
  try {
    const re2Options = { icase: false, dotall: o.dotall, multiline: o.multiline, longest: false };
    const re2 = compileRe2(t.re2, re2Options, t.prefilter, t.groupCount);
    if (!t.dollarBeforeNewline) return { ok: true, regex: re2 };
    // PCRE's `$` also matches before a final newline; only such keys need RegExp (compiled on first use).
    const pick = (input: string): CompiledRegex => (input.endsWith('\n') ? getJs() : re2);
    const regex: CompiledRegex = {
      engine: 're2js',
      groupCount: re2.groupCount,
      notes: [],
      ...(re2.prefilter && { prefilter: re2.prefilter }),
      test: (input, lower) => pick(input).test(input, lower),
      exec: (input) => pick(input).exec(input),
    };
    return { ok: true, regex };
  } catch (e) {
    return { ok: false, message: (e as Error).message, simulator: true };
  }
}

type Options = { caseless: boolean; dotall: boolean; multiline: boolean; extended: boolean; anchored: boolean; dollarEndOnly: boolean; ungreedy: boolean };

/** backtracking - the pattern on the backtracking matcher (pcre-match.ts), or PCRE2's compile error. */
function backtracking(source: string, o: Options, why: string): CompileResult {
  try {
    const b = compileBacktrack(source, o, o.anchored);
    const regex: CompiledRegex = {
      engine: 'backtrack',
      groupCount: b.groupCount,
      notes: [`${why}: run by a backtracking matcher with PCRE2's match limit`],
      test: (input) => b.exec(input) !== null,
      exec: (input) => b.exec(input),
    };
    return { ok: true, regex };
  } catch (e) {
    if (e instanceof PcreError) return { ok: false, message: `error in regex at offset ${e.offset}: ${e.message}` };
    return { ok: false, message: (e as Error).message, simulator: true };
  }
}

const PCRE: Dialect = {
  kind: 'pcre',
  flags: 'imsxAEU',
  obsoleteFlags: 'X',
  secondPattern: false,
  noDelimiterVerb: 'ignoring',
  zeroIndexWords: 'out of range',
  compile: compilePcre,
};

/** The pcre: table driver. */
export const pcreDriver: TableDriver = patternTableDriver(PCRE);
