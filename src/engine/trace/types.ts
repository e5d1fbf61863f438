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
export type RegexEngineName = 're2js' | 'js-regexp' | 'backtrack';

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

/* Address resolution (match lists, maps, trivial-rewrite, cleanup, local, virtual). */

/** One item of a match list (match_list(3)) as it was tried. */
export interface ListItemTrace {
  /** The pattern or `type:table` as listed, without `!`. */
  item: string;
  /** The item was negated (an odd number of `!`). */
  negated: boolean;
  /** The `/file/name` the item came from, when it came from a file. */
  file?: string;
  /** The item matched the subject (before negation is applied). */
  matched: boolean;
  /** Table lookups the item made, in order. */
  lookups?: LookupTrace[];
}

/** A match list evaluation: the first matching item decides. */
export interface MatchListTrace {
  /** The parameter that holds the list, e.g. `mydestination`. */
  list: string;
  /** What was matched (a domain; or a name and an address). */
  subject: string[];
  items: ListItemTrace[];
  /** The list's answer (a matching `!item` answers false). */
  matched: boolean;
  /** A table lookup failed: the list answers "no match" with this error. */
  error?: Diagnostic;
  /** What the table lookups logged (e.g. a surrogate table's reason), before `error`. */
  warnings?: Diagnostic[];
}

/** One maps_find(3): a key sent to each table of a list in order. */
export interface MapsTrace {
  /** The parameter naming the tables, e.g. `transport_maps`. */
  maps: string;
  key: string;
  /** A partial key: pattern tables (regexp, pcre, ...) were skipped. */
  partial: boolean;
  status: 'found' | 'notfound' | 'error';
  value?: string;
  /** The table that answered (found or error). */
  table?: string;
  lookups: LookupTrace[];
  /** Tables not asked because the key is partial and they only take full keys. */
  skipped?: string[];
  warnings?: Diagnostic[];
}

/** One mail_addr_find(3): the keys derived from an address, in the order tried. */
export interface AddrFindTrace {
  maps: string;
  address: string;
  /** The strategy flags in Postfix's names (full, noext, localpart_if_local, ...). */
  strategy: string[];
  keys: MapsTrace[];
  status: 'found' | 'notfound' | 'error';
  value?: string;
  /** The key that found `value`. */
  key?: string;
  /** The address extension that was stripped to find `value` (with its delimiter). */
  extension?: string;
}

/** One decision of the address pipeline; renderers switch on `kind`. */
export type AddressEvent =
  | { kind: 'rewrite'; context: 'local' | 'remote'; step: string; before: string; after: string; detail?: string }
  | { kind: 'list'; trace: MatchListTrace }
  | { kind: 'find'; trace: AddrFindTrace }
  | { kind: 'maps'; trace: MapsTrace }
  | { kind: 'class'; domain: string; class: AddressClass; parameter?: string }
  | { kind: 'transport'; step: string; transport: string; nexthop: string; source?: string }
  | {
      kind: 'map';
      step: 'canonical' | 'virtual' | 'masquerade' | 'alias' | 'relocated' | 'bcc';
      parameter: string;
      before: string;
      after: string[];
      note?: string;
    }
  | { kind: 'diagnostic'; diagnostic: Diagnostic; /** The program that logs it (trivial-rewrite when absent). */ program?: string }
  | { kind: 'note'; text: string };

/** The address classes of ADDRESS_CLASS_README. */
export type AddressClass = 'local' | 'virtual_alias' | 'virtual_mailbox' | 'relay' | 'default';

/**
 * One step of a simulation (an smtpd stage, a restriction, a key tried, an
 * action taken), nested as the program nested them. `kind` says what the
 * step is; renderers switch on it and show `title`, `result` and `detail`.
 */
export interface TraceNode {
  kind: 'session' | 'command' | 'stage' | 'restriction' | 'class' | 'lookup' | 'action' | 'resolve' | 'dns' | 'fact' | 'note';
  /** What was done, e.g. `check_recipient_access hash:/etc/postfix/access`. */
  title: string;
  /** The outcome, e.g. `OK`, `DUNNO`, `REJECT`, `found`, `not found`. */
  result?: string;
  /** Why, or the reply text. */
  detail?: string;
  /** The table lookup this step made, when it is one. */
  lookup?: LookupTrace;
  children?: TraceNode[];
}
