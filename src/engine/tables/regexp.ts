/*
 * NAME
 *   regexp - the regexp: table driver (POSIX regular expressions)
 * DESCRIPTION
 *   Models regexp_table(5) as Postfix 3.7 runs it on glibc: flags i
 *   (REG_ICASE, on by default), m (REG_NEWLINE) and x (REG_EXTENDED, on by
 *   default; toggling it gives a basic RE). Matching is leftmost-longest,
 *   done by re2js with LONGEST_MATCH; a pattern with backreferences, which
 *   RE2 lacks, runs on native RegExp with a warning that submatch choice
 *   may differ from glibc's.
 * SEE ALSO
 *   regexp_table(5), shared/pattern-rules.ts, shared/regex/posix.ts
 */
import { compileLiteral, compileRe2 } from './regex/engines.ts';
import { compileBacktrack, MatchError } from './regex/pcre-match.ts';
import { translatePosix } from './regex/posix.ts';
import type { CompileResult, CompiledRegex } from './regex/types.ts';
import { patternTableDriver, type Dialect } from './pattern-rules.ts';
import type { TableDriver } from './types.ts';

/** compilePosix - one regexp_table(5) pattern with its toggled flags. */
export function compilePosix(source: string, toggled: ReadonlySet<string>): CompileResult {
  const o = { icase: !toggled.has('i'), newline: toggled.has('m'), extended: !toggled.has('x') };
  const t = translatePosix(source, o);
  if (!t.ok) return { ok: false, message: t.error };
  if (t.backrefs || t.wordEdges || t.maxCount > 1000) {
    // RE2 has no backreferences or lookbehind and caps counts at 1000; the backtracking matcher has all but is leftmost-first.
    const why = t.backrefs ? 'a backreference' : t.wordEdges ? 'a word edge \\< or \\>' : 'a repeat count above 1000';
    // The translation is plain RegExp syntax, which the backtracking matcher reads; case is spelled
    // out by the translator, but a backreference must compare case-insensitively too.
    try {
      const b = compileBacktrack(
        t.js,
        { caseless: o.icase, multiline: o.newline, dotall: !o.newline, extended: false, dollarEndOnly: false, ungreedy: false },
        false,
      );
      const run = <T>(f: () => T): T => {
        try {
          return f();
        } catch (e) {
          // glibc has no step limit; the simulator must stop somewhere, and says so.
          if (e instanceof MatchError)
            throw new Error(`postfix-sim: the backtracking matcher gave up (${e.message}); glibc would go on: rule skipped`, { cause: e });
          throw e;
        }
      };
      const regex: CompiledRegex = {
        engine: 'backtrack',
        groupCount: t.groupCount,
        notes: [`pattern uses ${why}: run by a backtracking matcher (leftmost-first), glibc picks the leftmost-longest match`],
        ...(t.prefilter && { prefilter: t.prefilter }),
        test: (input) => run(() => b.exec(input) !== null),
        exec: (input) => run(() => b.exec(input)),
      };
      return { ok: true, regex };
    } catch (e) {
      return { ok: false, message: (e as Error).message, simulator: true };
    }
  }
  if (t.literal) return { ok: true, regex: compileLiteral(t.literal, 're2js') };
  try {
    const re2Options = { icase: false, dotall: !o.newline, multiline: o.newline, longest: true };
    const regex = compileRe2(t.re2, re2Options, t.prefilter, t.groupCount);
    return { ok: true, regex };
  } catch (e) {
    return { ok: false, message: (e as Error).message, simulator: true };
  }
}

const REGEXP: Dialect = {
  kind: 'regexp',
  flags: 'imx',
  obsoleteFlags: '',
  secondPattern: true,
  noDelimiterVerb: 'skipping',
  zeroIndexWords: 'out-of-range',
  compile: compilePosix,
};

/** The regexp: table driver. */
export const regexpDriver: TableDriver = patternTableDriver(REGEXP);
