/*
 * NAME
 *   simple - static:, fail: and environ: tables
 * DESCRIPTION
 *   static:value answers `value` for every key (also the empty key);
 *   static:{ text } strips the braces and surrounding whitespace.
 *   fail:name fails every lookup with a temporary error.
 *   environ: looks keys up in the process environment (keys are folded
 *   like any fixed-case table, so only postmap -f finds upper-case names).
 * SEE ALSO
 *   DATABASE_README
 */
import type { LookupResult } from '../trace/types.ts';
import { stripBraces } from './shared/braces.ts';
import { fatal, foldKey, surrogateTable } from './shared/table.ts';
import type { Table, TableDriver } from './types.ts';

/** static: tables. */
export const staticDriver: TableDriver = {
  open(type, name): Table {
    let value = name;
    if (name[0] === '{') {
      const stripped = stripBraces(name);
      if (stripped.error) return surrogateTable(type, name, fatal(`bad ${type}:name syntax: ${stripped.error}`));
      value = stripped.text;
    }
    const spec = `${type}:${name}`;
    return {
      spec,
      type,
      name,
      fixed: true,
      diagnostics: [],
      lookup: (key): LookupResult => ({ status: 'found', value, trace: { table: spec, key, match: { rule: value } } }),
    };
  },
};

/** fail: tables. */
export const failDriver: TableDriver = {
  open(type, name): Table {
    const spec = `${type}:${name}`;
    return {
      spec,
      type,
      name,
      fixed: false,
      diagnostics: [],
      lookup: (key): LookupResult => ({
        status: 'error',
        // A temporary failure; postmap adds Postfix's errno text.
        error: { severity: 'error', message: 'Application error' },
        trace: { table: spec, key, notes: ['fail: tables fail every lookup'] },
      }),
    };
  },
};

/** environ: tables. */
export const environDriver: TableDriver = {
  open(type, name, options): Table {
    const spec = `${type}:${name}`;
    const env = options.host.environment ?? {};
    const fold = options.foldFixed ?? true;
    return {
      spec,
      type,
      name,
      fixed: true,
      diagnostics: [],
      lookup(key): LookupResult {
        const folded = fold ? foldKey(key) : key;
        const trace = { table: spec, key, ...(folded !== key && { foldedKey: folded }) };
        const value = Object.hasOwn(env, folded) ? env[folded] : undefined;
        return value === undefined ? { status: 'notfound', trace } : { status: 'found', value, trace };
      },
    };
  },
};
