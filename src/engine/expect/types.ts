/*
 * NAME
 *   expect/types - what an expectation file says, as plain data
 * DESCRIPTION
 *   Sessions, addresses and lookups with the line each comes from; the
 *   parser (format.ts) makes them, the checker (check.ts, judge.ts) holds
 *   them against what happened. Serialisable: the page keeps them as is.
 * SEE ALSO
 *   expect/format.ts
 */
import type { Diagnostic } from '../trace/types.ts';

/** An expected SMTP reply: `250`, `5xx 5.7.1`, `554 5.7.1 *Relay access denied`. */
export interface ReplyPattern {
  /** Three characters, each a digit or `x` (any digit). */
  code: string;
  /** Enhanced status code, when given. */
  dsn?: string;
  /** Glob (`*` = any text) one line of the reply must match after code and DSN. */
  text?: string;
  /** As written. */
  source: string;
}

/** One line of a session's dialogue. */
export interface SessionLine {
  line: number;
  /** What the client sends (a command, or a message line after DATA). */
  text: string;
  /** Sent inside a message (after DATA), so it gets no reply of its own. */
  message?: boolean;
  /** The reply the command (or the message's closing dot) must get. */
  expect?: ReplyPattern;
}

export interface SessionExpectation {
  kind: 'session';
  /** Line of the `session` statement. */
  line: number;
  name: string;
  /** The master.cf inet service the client connects to (default smtp). */
  service?: string;
  client?: { addr: string; name?: string };
  tls?: { ccert?: { fingerprint: string; pkeyFingerprint?: string; verified: boolean } };
  pipelined: boolean;
  /** The expected greeting (a first line `=> 220`), with its line. */
  greeting?: { line: number; expect: ReplyPattern };
  lines: SessionLine[];
}

/** The keys an address statement may check, named as in the mail log and trivial-rewrite. */
export const ADDRESS_KEYS = ['class', 'transport', 'nexthop', 'orig_to', 'relay', 'dsn', 'status', 'text'] as const;
export type AddressKey = (typeof ADDRESS_KEYS)[number];

export interface AddressExpectation {
  kind: 'address';
  line: number;
  address: string;
  /** The envelope sender (sendmail -f); `root` when not given, as sendmail run by root. */
  sender: string;
  /** The final recipient the checks are about (else: every final recipient). */
  to?: string;
  /** The set of final recipients. */
  final?: string[];
  /** Key -> expected value (`text` is a glob). */
  checks: Partial<Record<AddressKey, string>>;
}

export interface LookupExpectation {
  kind: 'lookup';
  line: number;
  map: string;
  key: string;
  /** postmap -f: no case folding. */
  noFold: boolean;
  /** The value, or undefined for `not found`. */
  value?: string;
}

export type Expectation = SessionExpectation | AddressExpectation | LookupExpectation;

/** A parsed expectation file. */
export interface ExpectFile {
  file: string;
  items: Expectation[];
  /** Problems with lines, each with file and line; `error` lines are left out of `items`. */
  diagnostics: Diagnostic[];
}

/** The sender an address statement has when it names none: sendmail as root. */
export const DEFAULT_SENDER = 'root';
