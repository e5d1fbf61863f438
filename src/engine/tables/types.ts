/*
 * NAME
 *   tables/types - the one interface every lookup table driver implements
 * DESCRIPTION
 *   Modelled on Postfix's dict(3): a table has a type, a name, FIXED or
 *   PATTERN behaviour, and a lookup that answers found, not found or error.
 *   Drivers parse their source when the table is opened; a lookup never parses.
 * SEE ALSO
 *   DATABASE_README, postmap(1)
 */
import type { Diagnostic, LookupResult } from '../trace/types.ts';

/** What the engine may ask of its surroundings: files, environment, WASM loaders. */
export interface Host {
  /** The bytes of a file, by the path Postfix would open, or undefined when it does not exist. */
  readFile(path: string): Uint8Array | undefined;
  /** The process environment, for `environ:` tables. */
  environment?: Readonly<Record<string, string>>;
  /**
   * True when the indexed file built from source `path` was built with
   * `postmap -f` (keys kept in their case). A fact about the world the
   * simulator cannot see in the source text; default false.
   */
  builtWithoutFolding?(path: string): boolean;
  /**
   * False when the indexed file for source `path` was never built (postmap
   * was not run): Postfix then cannot open the table. Default: built.
   */
  isBuilt?(path: string): boolean;
  /**
   * The postmap(1) options the indexed file built from source `path` was
   * built with (-f, -r, -w, -N, -n, -F). Default: none. Takes precedence
   * over builtWithoutFolding.
   */
  buildFlags?(path: string): BuildFlags | undefined;
  /** Loads SQLite (sql.js) on demand; only called when a sqlite table is opened. */
  loadSqlJs?(): Promise<import('sql.js').SqlJsStatic>;
}

/** The postmap(1) options an indexed file was built with. */
export interface BuildFlags {
  /** -f: keys stored in their case. */
  noFold?: boolean;
  /** Duplicate keys: warn and keep the first (default), -r replace (last wins), -w ignore (first wins, silently). */
  duplicates?: DuplicateMode;
  /** -N: keys stored with their terminating null; -n: without. Default: the type's (cdb without, the others with). */
  nul?: boolean;
  /** -F: values are lists of files; the file holds their content, base64-encoded. */
  rhsIsFile?: boolean;
  /** Built by postalias(1) (newaliases) from aliases(5) text, not by postmap. */
  postalias?: boolean;
}

/** DICT_FLAG_DUP_WARN, DICT_FLAG_DUP_REPLACE, DICT_FLAG_DUP_IGNORE. */
export type DuplicateMode = 'warn' | 'replace' | 'ignore';

/** How a table is opened: the dict(3) request flags that change what a driver does. */
export interface OpenOptions {
  host: Host;
  /**
   * Case-fold the key of a fixed-case table before lookup (DICT_FLAG_FOLD_FIX).
   * postmap(1) and the daemons set it; `postmap -f` clears it. Default true.
   */
  foldFixed?: boolean;
  /**
   * Build indexed tables as `postmap -f` does (keys kept in their case), for
   * postmap's build mode. Otherwise Host.builtWithoutFolding decides.
   */
  builtWithoutFolding?: boolean;
  /** Disallow `$N` substitution in regexp/pcre results (DICT_FLAG_NO_REGSUB). */
  noRegsub?: boolean;
  /**
   * postmap's build mode: the options of this build (the file being built
   * is the one later lookups see). Otherwise Host.buildFlags decides.
   */
  build?: BuildFlags;
  /** -N (`with`: only keys stored with a null) or -n (`without`); default both are tried (DICT_FLAG_TRY1NULL/TRY0NULL). */
  nul?: 'with' | 'without';
  /** Values name files whose content is the value, base64-encoded (DICT_FLAG_SRC_RHS_IS_FILE, postmap -F). */
  rhsIsFile?: boolean;
  /** How tables read at open (texthash) treat duplicate keys (postmap -r, -w). */
  duplicates?: DuplicateMode;
  /**
   * UTF-8 mode (smtputf8_enable = yes, DICT_FLAG_UTF8_ACTIVE): keys are
   * casefolded as Unicode, a key or value that is not UTF-8 is refused
   * with Postfix's warning, and postmap skips source lines that are not
   * UTF-8. Default off (8-bit mode: ASCII folding, any bytes).
   */
  utf8?: boolean;
  /** Values of main.cf parameters, for tables that read some (legacy sqlite form, proxy). */
  mainCf?: (name: string) => string | undefined;
}

/** Opens a table by `type:name` as the registry does (dict_open(3)). */
export type OpenMember = (spec: string, options: OpenOptions) => Promise<Table>;

/** One opened lookup table. */
export interface Table {
  /** The table as configured: `type:name`. */
  readonly spec: string;
  /** The table type, e.g. `hash`, `regexp`. */
  readonly type: string;
  /** Everything after the first colon. */
  readonly name: string;
  /**
   * FIXED tables are consulted for full and partial keys; PATTERN tables only
   * ever see the full key (DICT_FLAG_FIXED vs DICT_FLAG_PATTERN).
   */
  readonly fixed: boolean;
  /** What Postfix logs each time it opens this table. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * For tables that postmap(1) builds (hash, btree, lmdb, cdb, ...): what
   * postmap logged when it built the file. Not repeated when the table is opened.
   */
  readonly buildDiagnostics?: readonly Diagnostic[];
  /**
   * Set when Postfix could not open the table at all. postmap(1) exits with
   * this fatal error; daemons turn the table into one whose every lookup fails.
   */
  readonly openError?: Diagnostic;
  /**
   * What the simulator assumes about this table that Postfix would not log
   * (e.g. a server it does not run): said once per table, not per lookup.
   */
  readonly notices?: readonly Diagnostic[];
  /**
   * The name Postfix's dictionary carries when it differs from `name`
   * (hash and btree: NAME.db, cdb: NAME.cdb), used in some messages.
   */
  readonly dictName?: string;
  /** Looks up one key. Never throws. */
  lookup(key: string): LookupResult;
  /**
   * dict_seq(): every entry, in database order (postmap -s); an error
   * (severity fatal: postmap's whole message) for tables that cannot list.
   * Absent: "sequence operation is not supported".
   */
  sequence?(): { entries: { key: string; value: string }[] } | { error: Diagnostic };
  /** Frees resources (compiled patterns, SQLite databases). */
  close?(): void;
}

/** A table driver: how one type is opened. Registered in registry.ts. */
export interface TableDriver {
  /** Opens `type:name`. Must not throw for bad user input: report diagnostics instead. */
  /** `openMember` is the registry's openTable, for tables made of tables (unionmap, pipemap, proxy). */
  open(type: string, name: string, options: OpenOptions, openMember: OpenMember): Table | Promise<Table>;
  /** True when the type needs a server or system database the simulator does not model. */
  readonly unsupported?: string;
}
