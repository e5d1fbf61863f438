/*
 * NAME
 *   trace/types - the one vocabulary of diagnostics and trace data
 * DESCRIPTION
 *   Every decision the engine makes is recorded with these types; the UI
 *   and the CLI only render them. This module imports nothing.
 */

/** How bad a diagnostic is, in the words Postfix logs it with. */
export type Severity = 'info' | 'warning' | 'error' | 'fatal';

/**
 * A message Postfix would log, located where the user can fix it.
 * `message` is Postfix's own text without the "program: severity:" prefix,
 * e.g. `regexp map /etc/postfix/x, line 3: unknown regexp option "q": skipping this rule`.
 */
export interface Diagnostic {
  severity: Severity;
  message: string;
  /** The file the message is about (as Postfix names it), when there is one. */
  file?: string;
  /** 1-based line number in `file`, when there is one. */
  line?: number;
}

/** What one table lookup did: the input to every renderer. */
export interface LookupTrace {
  /** The table as configured, e.g. `hash:/etc/postfix/access`. */
  table: string;
  /** The key as the caller asked it. */
  key: string;
  /** The key as the table saw it (after case folding), when different. */
  foldedKey?: string;
  /** The rule or entry that decided the answer. */
  match?: RuleMatch;
  /** Rules that were evaluated and did not match, in order (pattern tables only, bounded). */
  tried?: number;
  /** The SQL statement sent, for sqlite tables. */
  query?: string;
  /** Why the table did not look at all (e.g. sqlite `domain` filter, suppressed query). */
  skipped?: string;
  /** Member lookups of unionmap/pipemap/proxy, in order. */
  children?: LookupTrace[];
  /** Free-form remarks about fidelity or engines. */
  notes?: string[];
}

/** The rule of a pattern table (or the entry of an indexed table) that matched. */
export interface RuleMatch {
  /** 1-based line of the rule in its file (first line of a continued rule). */
  line?: number;
  /** The rule text (pattern, or key) as written. */
  rule?: string;
  /** Captured groups, index 0 being the whole match; undefined for an unset group. */
  groups?: (string | undefined)[];
  /** Which regular-expression engine decided, for regexp/pcre. */
  engine?: RegexEngineName;
}

/** The regular-expression engines the simulator can use. */
export type RegexEngineName = 're2js' | 'js-regexp';

/** The three outcomes Postfix distinguishes for a dictionary lookup. */
export type LookupResult =
  | { status: 'found'; value: string; trace: LookupTrace; warnings?: Diagnostic[] }
  | { status: 'notfound'; trace: LookupTrace; warnings?: Diagnostic[] }
  | {
      status: 'error';
      /**
       * Severity `fatal`: the driver itself gave up, as Postfix's msg_fatal()
       * (postmap prints the message as is). Otherwise the table returned an
       * error code; postmap then says "table TYPE:NAME: query error" followed
       * by `: message` when the message is not empty (Postfix's `%m`).
       */
      error: Diagnostic;
      trace: LookupTrace;
      /** What was logged before the error (e.g. "Expansion limit exceeded"). */
      warnings?: Diagnostic[];
    };
