/*
 * NAME
 *   shared/table - small pieces every driver uses
 * DESCRIPTION
 *   The generic table record every driver fills in (as each dict_xxx embeds DICT), and the
 *   surrogate table Postfix substitutes for a table that cannot be opened
 *   (dict_surrogate(3)): every lookup fails with the reason.
 */
import type { Diagnostic, LookupResult, LookupTrace } from '../trace/types.ts';
import type { OpenOptions, Table } from './types.ts';
import { casefoldUtf8, foldKey } from '../util/casefold.ts';
import { decodeBytes } from '../util/bytes.ts';
import { balancedLength, extpar } from '../util/braces.ts';
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

/** readTableFile - a table's source text, or the fatal error Postfix gives when it cannot be opened. */
export function readTableFile(readFile: (path: string) => Uint8Array | undefined, path: string): { text: string } | { error: Diagnostic } {
  const bytes = readFile(path);
  if (bytes === undefined) return { error: fatal(`open ${path}: No such file or directory`, path) };
  return { text: decodeBytes(bytes) };
}

/**
 * readRuleSource - dict_stream_open(): the rules of a regexp, pcre or cidr
 * table. A name starting with `{` is Postfix 3.7's inline form
 * `{ {rule} {rule} ... }`: each rule, stripped of its braces and
 * surrounding whitespace, becomes one line of the text, which is then read
 * like a file (so messages say "line N" of the rule). Otherwise the file
 * `name`. Errors are the text Postfix gives the table's surrogate.
 */
export function readRuleSource(type: string, name: string, readFile: (path: string) => Uint8Array | undefined): { text: string } | { error: Diagnostic } {
  if (name[0] !== '{') return readTableFile(readFile, name);
  const bad = (why: string): { error: Diagnostic } => ({ error: fatal(`${type} map: ${why}`) });
  const len = balancedLength(name);
  if (len === 0) return bad(`missing '}' in "${name}"`);
  if (len !== name.length) return bad(`syntax error after '}' in "${name}"`);
  let text = '';
  for (const token of splitList(name.slice(1, -1))) {
    const rule = extpar(token);
    if (rule.error !== undefined) return bad(rule.error);
    text += rule.text + '\n';
  }
  return { text };
}

/** keyFolder - how a fixed-case table folds keys: not at all (postmap -f), ASCII only, or as Unicode (UTF-8 mode). */
export function keyFolder(options: Pick<OpenOptions, 'foldFixed' | 'utf8'>): (key: string) => string {
  if (options.foldFixed === false) return (k) => k;
  return options.utf8 ? casefoldUtf8 : foldKey;
}
