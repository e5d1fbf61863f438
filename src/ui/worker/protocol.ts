/*
 * NAME
 *   protocol - messages between the page and the engine worker
 * DESCRIPTION
 *   Everything crosses postMessage as plain data (structured clone): file
 *   bytes, the environment, and the engine's results (LookupResult,
 *   SessionResult, DeliveryResult, Diagnostic). Three kinds of request:
 *   one table lookup, one SMTP session, and address resolution.
 */
import type { Diagnostic, LookupResult, SessionResult } from '../../engine/index.ts';
import type { ResolvedAddress } from '../../engine/index.ts';
import type { MailOutcome } from '../../engine/index.ts';

/** The workspace: every file by path, and the environment. */
interface Workspace {
  files: [path: string, bytes: Uint8Array][];
  environment: Record<string, string>;
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
}

export type EngineRequest = LookupRequest | SmtpdRequest | ResolveRequest;

/** The engine could not run at all (a bug, or a result that could not be cloned). */
interface Failure {
  id: number;
  ok: false;
  message: string;
}

/** What the worker answers for one lookup request. */
export type LookupResponse =
  | {
      id: number;
      ok: true;
      table: {
        spec: string;
        type: string;
        fixed: boolean;
        /** Logged each time the table is opened. */
        diagnostics: Diagnostic[];
        /** Logged by postmap when it built the indexed file (hash, btree, ...). */
        buildDiagnostics: Diagnostic[];
        openError?: Diagnostic;
      };
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
}

export type SmtpdResponse = ({ id: number; ok: true; elapsed: number } & SmtpdAnswer) | Failure;

/** What one address resolution request produced. */
export interface ResolveAnswer {
  configFatal?: ConfigFatal;
  diagnostics: Diagnostic[];
  /** What trivial-rewrite, cleanup, local and virtual logged when they opened their tables. */
  startup: { program: string; diagnostic: Diagnostic }[];
  sender: string;
  addresses: ResolvedAddress[];
}

export type ResolveResponse = ({ id: number; ok: true; elapsed: number } & ResolveAnswer) | Failure;

/** The response type that answers a request type. */
export type ResponseFor<R extends EngineRequest> = R extends SmtpdRequest ? SmtpdResponse : R extends ResolveRequest ? ResolveResponse : LookupResponse;

export type EngineResponse = LookupResponse | SmtpdResponse | ResolveResponse;
