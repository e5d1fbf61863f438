/*
 * NAME
 *   shared/table - small pieces every driver uses
 * DESCRIPTION
 *   The generic table record every driver fills in (as each dict_xxx embeds DICT), and the
 *   surrogate table Postfix substitutes for a table that cannot be opened
 *   (dict_surrogate(3)): every lookup fails with the reason.
 */
import type { Diagnostic, LookupResult, LookupTrace } from '../trace/types.ts';
import type { Table } from './types.ts';

/**
 * tableRecord - an opened table: `type:name`, its FIXED flag, its lookup
 * (handed the spec for its trace) and what opening it logged.
 */
export function tableRecord(
  type: string,
  name: string,
  fixed: boolean,
  lookup: (key: string, spec: string) => LookupResult,
  diagnostics: readonly Diagnostic[] = [],
): Table {
  const spec = `${type}:${name}`;
  return { spec, type, name, fixed, diagnostics, lookup: (key) => lookup(key, spec) };
}

/** keyTrace - the start of a lookup's trace: the key, and the folded key when folding changed it. */
export function keyTrace(spec: string, key: string, folded: string): LookupTrace {
  return { table: spec, key, ...(folded !== key && { foldedKey: folded }) };
}

/** surrogateTable - a table that could not be opened; lookups report `error`. */
export function surrogateTable(type: string, name: string, error: Diagnostic, fixed = true, diagnostics: readonly Diagnostic[] = []): Table {
  const spec = `${type}:${name}`;
  return {
    spec,
    type,
    name,
    fixed,
    diagnostics,
    openError: error,
    lookup(key: string): LookupResult {
      return { status: 'error', error, trace: { table: spec, key, notes: [error.message] } };
    },
  };
}

/** fatal - a fatal diagnostic in Postfix's wording. */
export function fatal(message: string, file?: string, line?: number): Diagnostic {
  return { severity: 'fatal', message, ...(file !== undefined && { file }), ...(line !== undefined && { line }) };
}

/** warning - a warning diagnostic in Postfix's wording. */
export function warning(message: string, file?: string, line?: number): Diagnostic {
  return { severity: 'warning', message, ...(file !== undefined && { file }), ...(line !== undefined && { line }) };
}

/** readTableFile - a table's source text, or the fatal error Postfix gives when it cannot be opened. */
export function readTableFile(readFile: (path: string) => Uint8Array | undefined, path: string): { text: string } | { error: Diagnostic } {
  const bytes = readFile(path);
  if (bytes === undefined) return { error: fatal(`open ${path}: No such file or directory`, path) };
  return { text: new TextDecoder('utf-8').decode(bytes) };
}
