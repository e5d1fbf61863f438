/*
 * NAME
 *   regex/types - the interface between pattern tables and regex engines
 * DESCRIPTION
 *   regexp_table(5) and pcre_table(5) rules compile to a CompiledRegex; the
 *   table never sees which library runs it, only the name for the trace.
 */
import type { RegexEngineName } from '../../trace/types.ts';

/** Literals every match must contain; `fold` when compared case-insensitively. */
export interface Prefilter {
  texts: string[];
  fold: boolean;
}

/** A pattern that is one literal, optionally anchored: matched with string operations. */
export interface LiteralPattern {
  text: string;
  fold: boolean;
  start: boolean;
  end: boolean;
  /** PCRE `$`: also before a final newline. */
  endBeforeNewline: boolean;
}

/** One compiled pattern, ready to match whole lookup keys (unanchored). */
export interface CompiledRegex {
  /** The engine that answers for this pattern (for RuleMatch.engine). */
  readonly engine: RegexEngineName;
  /** Number of capturing groups (re_nsub, PCRE2_INFO_CAPTURECOUNT). */
  readonly groupCount: number;
  /** True when the pattern matches somewhere in `input`. `lower` is the key in lowercase, for prefilters. */
  test(input: string, lower: string): boolean;
  /** Groups of the match, [0] being the whole match, undefined when a group did not take part. */
  exec(input: string): (string | undefined)[] | null;
  /** Literals every match contains (checked by test() too); tables may index them. */
  readonly prefilter?: Prefilter;
  /** Set when the pattern is one literal (see compileLiteral); lets tables index runs of such rules. */
  readonly literal?: LiteralPattern;
  /** Fidelity remarks for the trace (e.g. "JS RegExp fallback"). */
  readonly notes: readonly string[];
}

/** A pattern compiled, or the text Postfix would log after "map X, line N: ". */
export type CompileResult = { ok: true; regex: CompiledRegex } | { ok: false; message: string; simulator?: boolean };
