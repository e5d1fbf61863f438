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
import { extpar } from '../util/braces.ts';
import { splitList } from '../util/lists.ts';

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

/**
 * readStreamTable - dict_stream_open(): a pattern table's rules from its
 * file, or from the map name itself when it starts with `{` (Postfix 3.7's
 * inline form `regexp:{{/rule/ result}, {/rule2/ result}}`: every item is
 * one `{rule}`, read as one line).
 */
export function readStreamTable(readFile: (path: string) => Uint8Array | undefined, type: string, name: string): { text: string } | { error: Diagnostic } {
  if (!name.startsWith('{')) return readTableFile(readFile, name);
  const outer = extpar(name);
  if (outer.error !== undefined) return { error: fatal(`${type} map: ${outer.error}`, name) };
  let text = '';
  for (const item of splitList(outer.text)) {
    const rule = extpar(item);
    if (rule.error !== undefined) return { error: fatal(`${type} map: ${rule.error}`, name) };
    text += `${rule.text}\n`;
  }
  return { text };
}

/** readTableFile - a table's source text, or the fatal error Postfix gives when it cannot be opened. */
export function readTableFile(readFile: (path: string) => Uint8Array | undefined, path: string): { text: string } | { error: Diagnostic } {
  const bytes = readFile(path);
  if (bytes === undefined) return { error: fatal(`open ${path}: No such file or directory`, path) };
  return { text: new TextDecoder('utf-8').decode(bytes) };
}
