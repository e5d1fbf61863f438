/*
 * NAME
 *   protocol - messages between the page and the engine worker
 * DESCRIPTION
 *   Everything crosses postMessage as plain data (structured clone): file
 *   bytes, the environment, and the engine's results (LookupResult,
 *   SessionResult, DeliveryResult, Diagnostic). Requests: one table
 *   lookup, one SMTP session, address resolution, and for the workbench a
 *   check of every file, a lookup as a program searches, and SQLite. Files
 *   come either whole (`files`) or as the changes since the last request
 *   (`sync`), so a big table crosses to the worker once, not per keystroke.
 */
import type { CheckResult, ConnectionResult, Diagnostic, LookupResult, SessionResult } from '../../engine/index.ts';
import type { ResolvedAddress } from '../../engine/index.ts';
import type { MailOutcome } from '../../engine/index.ts';
import type { Consumer, ConsumerLookup } from '../../engine/index.ts';

/** The workspace: every file by path, and the environment. */
interface Workspace {
  /** The whole file set; it replaces what the worker holds. Omitted when `sync` says what changed. */
  files?: [path: string, bytes: Uint8Array][];
  /** Changes since the previous request to this worker (see FileSync); the worker keeps the rest. */
  sync?: FileSync;
  environment: Record<string, string>;
}

/**
 * What changed in the workspace since the worker's last request: files put
 * (new or edited, with the page's version number) and removed. `reset`
 * first forgets every file (a new worker, or a new workspace). Tables the
 * worker opened stay cached while the files they read keep their versions.
 */
export interface FileSync {
  reset?: boolean;
  put: { path: string; version: number; bytes: Uint8Array }[];
  remove: string[];
}

/** One lookup: open `spec` over `files`, look up `key`, close. */
export interface LookupRequest extends Workspace {
  id: number;
  kind?: 'lookup';
  spec: string;
  key: string;
  /** postmap -f: no case folding, neither when "building" nor when querying. */
  noFold: boolean;
}

/** One SMTP session against /etc/postfix/main.cf (and master.cf) of the workspace. */
export interface SmtpdRequest extends Workspace {
  id: number;
  kind: 'smtpd';
  /** The master.cf service (inet) whose -o overrides apply. */
  service: string;
  /** Client address and verified name; empty: from `# client:` in the dialogue, else 127.0.0.1. */
  clientAddr: string;
  clientName: string;
  /** TLS facts: the session is encrypted; the client certificate's fingerprints and whether it is trusted. */
  tls: boolean;
  ccertFingerprint: string;
  ccertPkeyFingerprint: string;
  ccertVerified: boolean;
  /** Paths of the DNS and policy/verify facts files; a missing file means "no facts". */
  dnsPath: string;
  factsPath: string;
  dialogue: string;
}

/** sendmail -bv for each address, with one sender. */
export interface ResolveRequest extends Workspace {
  id: number;
  kind: 'resolve';
  sender: string;
  /** Addresses as given on a command line (external form). */
  addresses: string[];
  /** Path of the facts file (what non_smtpd_milters decide); a missing file means "no facts". */
  factsPath: string;
}

export type EngineRequest = LookupRequest | SmtpdRequest | ResolveRequest | CheckRequest | QueryRequest | SqliteRequest | ExpectRequest;

/** The engine could not run at all (a bug, or a result that could not be cloned). */
interface Failure {
  id: number;
  ok: false;
  message: string;
}

/** A table as opened for a lookup, with what Postfix logs about it. */
export interface OpenedTable {
  spec: string;
  type: string;
  fixed: boolean;
  /** Logged each time the table is opened. */
  diagnostics: Diagnostic[];
  /** Logged by postmap when it built the indexed file (hash, btree, ...). */
  buildDiagnostics: Diagnostic[];
  openError?: Diagnostic;
}

/** What the worker answers for one lookup request. */
export type LookupResponse =
  | {
      id: number;
      ok: true;
      table: OpenedTable;
      result: LookupResult;
      /** Milliseconds spent opening and looking up, inside the worker. */
      elapsed: number;
    }
  | Failure;

/** A configuration Postfix refuses before any session: the text it logs, and where. */
export interface ConfigFatal {
  /** As logged, e.g. `postfix/smtpd: fatal: /etc/postfix/main.cf, line 2: missing '=' ...`. */
  text: string;
  diagnostic: Diagnostic;
}

/** What one SMTP session request produced. */
export interface SmtpdAnswer {
  /** main.cf or master.cf could not be used: nothing else ran. */
  configFatal?: ConfigFatal;
  /** Warnings about the input files (main.cf, master.cf, DNS and other facts). */
  diagnostics: Diagnostic[];
  /** The client that connected, as used. */
  client?: { addr: string; name?: string };
  session?: SessionResult;
  /** What became of each accepted message (parallel to session.accepted). */
  outcomes?: MailOutcome[];
  /** Parameters set but not simulated (from the engine, when it reports them). */
  notices?: Notice[];
  /**
   * The dialogue played as connections (the service runs postscreen, or the
   * dialogue has `# connection` lines), in order; `session` is then absent.
   */
  connections?: ConnectionAnswer[];
  /** The dialogue has `# connection` lines. */
  multi?: boolean;
  /** The service runs postscreen(8). */
  postscreen?: boolean;
}

/** One connection: postscreen's verdict and trace, smtpd's session, and what became of accepted mail. */
export type ConnectionAnswer = ConnectionResult & {
  /** What became of each accepted message (parallel to `accepted`). */
  outcomes: MailOutcome[];
};

export type SmtpdResponse = ({ id: number; ok: true; elapsed: number } & SmtpdAnswer) | Failure;

/** What one address resolution request produced. */
export interface ResolveAnswer {
  configFatal?: ConfigFatal;
  diagnostics: Diagnostic[];
  /** What trivial-rewrite, cleanup, local and virtual logged when they opened their tables. */
  startup: { program: string; diagnostic: Diagnostic }[];
  sender: string;
  addresses: ResolvedAddress[];
  /** Parameters set but not simulated (from the engine, when it reports them). */
  notices?: Notice[];
}

export type ResolveResponse = ({ id: number; ok: true; elapsed: number } & ResolveAnswer) | Failure;

/** The response type that answers a request type. */
export type ResponseFor<R extends EngineRequest> = R extends SmtpdRequest
  ? SmtpdResponse
  : R extends ResolveRequest
    ? ResolveResponse
    : R extends CheckRequest
      ? CheckResponse
      : R extends QueryRequest
        ? QueryResponse
        : R extends SqliteRequest
          ? SqliteResponse
          : R extends ExpectRequest
            ? ExpectResponse
            : LookupResponse;

export type EngineResponse = LookupResponse | SmtpdResponse | ResolveResponse | CheckResponse | QueryResponse | SqliteResponse | ExpectResponse;

/* The workbench's requests: a check of the whole workspace, a lookup as a program would do it, SQLite. */

/** Read every file as Postfix would: main.cf, master.cf, the tables they name, DNS and other facts. */
export interface CheckRequest extends Workspace {
  id: number;
  kind: 'check';
  /** Paths of the DNS and policy/verify facts files. */
  dnsPath: string;
  factsPath: string;
}

/** A `type:name` named in main.cf or master.cf, where it is named. */
export interface Reference {
  /** As written after expansion, e.g. `hash:/etc/postfix/access`. */
  spec: string;
  type: string;
  /** The file the table reads (absolute), when it reads one. */
  path?: string;
  /** The parameter that names it. */
  parameter: string;
  /** Where it is named: main.cf, or master.cf for a `-o` override. */
  file: string;
  line?: number;
}

/** A parameter set in main.cf: its line and values, for hover and completion. */
export interface ParameterInfo {
  line: number;
  raw: string;
  expanded: string;
}

/**
 * A parameter set (or a feature used) that the simulator does not model.
 * The engine decides what goes here; the page shows every one.
 */
export interface Notice {
  message: string;
  parameter?: string;
  file?: string;
  line?: number;
}

export type CheckResponse =
  | {
      id: number;
      ok: true;
      /** Every diagnostic about the workspace's files, each at its file and line when it has one. */
      diagnostics: Diagnostic[];
      references: Reference[];
      /** Parameters set in main.cf. */
      parameters: Record<string, ParameterInfo>;
      /** `$name`s used in main.cf and master.cf but not set there: their default, expanded. */
      defaults: Record<string, string>;
      notices: Notice[];
      elapsed: number;
    }
  | Failure;

/** One key looked up in a table (or a parameter's list of tables) as postmap or a program does. */
export interface QueryRequest extends Workspace {
  id: number;
  kind: 'query';
  /** `type:name`, several separated by commas or spaces, or a parameter name whose tables to use. */
  spec: string;
  key: string;
  /** postmap -f (postmap only). */
  noFold: boolean;
  /** Whose search order: undefined for postmap -q (this key only). */
  consumer?: Consumer;
}

export type QueryResponse =
  | {
      id: number;
      ok: true;
      /** The tables as opened, with what Postfix logs. */
      tables: (OpenedTable & {
        /** What the simulator does not model about the table (a server it cannot reach), said once. */
        notices?: Diagnostic[];
      })[];
      /** postmap -q: the one lookup (first table of the list). */
      result?: LookupResult;
      /** A program's search. */
      consumer?: ConsumerLookup;
      elapsed: number;
    }
  | Failure;

/** SQLite in the page: list tables, read rows, run a statement, build a database from SQL. */
export type SqliteOp =
  | { op: 'schema'; path: string }
  | { op: 'rows'; path: string; table: string; offset: number; limit: number }
  | { op: 'query'; path: string; sql: string }
  | { op: 'build'; sql: string };

export type SqliteRequest = Workspace & { id: number; kind: 'sqlite' } & SqliteOp;

/** A result set, at most `limit` rows (values as text, null as null, blobs as a note). */
export interface Rows {
  columns: string[];
  rows: (string | null)[][];
  /** Rows in the table (rows op) or rows returned before the cut (query op). */
  total: number;
}

export type SqliteResponse =
  | {
      id: number;
      ok: true;
      /** schema: the tables with their row counts and CREATE statements. */
      tables?: { name: string; rows: number; sql: string }[];
      /** rows and query: the rows. */
      rows?: Rows;
      /** query: rows changed by the statement; `bytes` then holds the changed database. build: the new database. */
      changed?: number;
      bytes?: Uint8Array;
      /** SQLite's error message, e.g. `no such table: x`. */
      error?: string;
      elapsed: number;
    }
  | Failure;

/* Expectations: every *.expect file of /etc/postfix and /etc/postfix/tests, checked as `postfix-sim test` does. */

export interface ExpectRequest extends Workspace {
  id: number;
  kind: 'expect';
  /** Paths of the DNS and policy/verify facts files (used when they exist). */
  dnsPath: string;
  factsPath: string;
}

/** One expectation file's verdicts (CheckResult.file is the file's path) and its warnings. */
export interface ExpectFileAnswer {
  path: string;
  results: CheckResult[];
  diagnostics: Diagnostic[];
}

export type ExpectResponse =
  | {
      id: number;
      ok: true;
      files: ExpectFileAnswer[];
      /** What Postfix refuses to start with, when it does (every session then fails). */
      fatal?: string;
      elapsed: number;
    }
  | Failure;
