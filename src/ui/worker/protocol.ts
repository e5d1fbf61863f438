/*
 * NAME
 *   protocol - messages between the page and the engine worker
 * DESCRIPTION
 *   Everything crosses postMessage as plain data (structured clone): file
 *   bytes, the environment, and the engine's LookupResult / Diagnostic.
 */
import type { Diagnostic, LookupResult } from '../../engine/index.ts';

/** One lookup: open `spec` over `files`, look up `key`, close. */
export interface LookupRequest {
  id: number;
  files: [path: string, bytes: Uint8Array][];
  environment: Record<string, string>;
  spec: string;
  key: string;
  /** postmap -f: no case folding, neither when "building" nor when querying. */
  noFold: boolean;
}

/** What the worker answers for one request. */
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
  | { id: number; ok: false; message: string };
