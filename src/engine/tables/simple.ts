/*
 * NAME
 *   simple - static:, fail: and environ: tables
 * DESCRIPTION
 *   static:value answers `value` for every key (also the empty key);
 *   static:{ text } strips the braces and surrounding whitespace.
 *   fail:name fails every lookup with a temporary error.
 *   environ: looks keys up in the process environment (keys are folded
 *   like any fixed-case table, so only postmap -f finds upper-case names).
 *   internal: and randmap: are here too.
 * SEE ALSO
 *   DATABASE_README
 */
import type { LookupResult } from '../trace/types.ts';
import { balancedLength, extpar } from '../util/braces.ts';
import { splitList } from '../util/lists.ts';
import { fatal, keyFolder, keyTrace, surrogateTable, tableRecord } from './driver.ts';
import type { Table, TableDriver } from './types.ts';
import { fileValue } from './dict-file.ts';

/** static: tables. */
export const staticDriver: TableDriver = {
  open(type, name, options): Table {
    let value = name;
    if (name[0] === '{') {
      const stripped = extpar(name);
      if (stripped.error) return surrogateTable(type, name, fatal(`bad ${type}:name syntax: ${stripped.error}`));
      value = stripped.text;
    }
    if (options.rhsIsFile) {
      // -F: the value names files.
      const r = fileValue(value, options.host.readFile);
      if ('error' in r) return surrogateTable(type, name, fatal(r.error));
      value = r.value;
    }
    return tableRecord(type, name, true, (key, spec): LookupResult => ({ status: 'found', value, trace: { table: spec, key, match: { rule: value } } }));
  },
};

/** fail: tables. */
export const failDriver: TableDriver = {
  open(type, name): Table {
    const table = tableRecord(type, name, false, (key, spec): LookupResult => ({
      status: 'error',
      // A temporary failure; postmap adds Postfix's errno text.
      error: { severity: 'error', message: 'Application error' },
      trace: { table: spec, key, notes: ['fail: tables fail every lookup'] },
    }));
    return { ...table, sequence: () => ({ error: fatal(`table ${type}:${name}: sequence error: Application error`) }) };
  },
};

/** environ: tables. */
export const environDriver: TableDriver = {
  open(type, name, options): Table {
    const env = options.host.environment ?? {};
    const fold = keyFolder(options);
    return tableRecord(type, name, true, (key, spec): LookupResult => {
      const folded = fold(key);
      const trace = keyTrace(spec, key, folded);
      const value = Object.hasOwn(env, folded) ? env[folded] : undefined;
      return value === undefined ? { status: 'notfound', trace } : { status: 'found', value, trace };
    });
  },
};

/** internal: an in-memory table of Postfix's own; what a command line sees is empty. */
export const internalDriver: TableDriver = {
  open(type, name): Table {
    return tableRecord(type, name, true, (key, spec): LookupResult => ({
      status: 'notfound',
      trace: { table: spec, key, notes: ['internal: tables start empty'] },
    }));
  },
};

/**
 * randmap:{a, b, ...} answers one of its values at random. The simulator
 * picks by a hash of the key, so a scenario always gives the same trace,
 * and lists the other possible answers in the trace.
 */
export const randmapDriver: TableDriver = {
  open(type, name): Table {
    const spec = `${type}:${name}`;
    const len = balancedLength(name);
    const values: string[] = [];
    let error: string | undefined;
    if (len !== 0 && len === name.length) {
      for (const item of splitList(name.slice(1, -1))) {
        if (item[0] !== '{') {
          values.push(item);
          continue;
        }
        const stripped = extpar(item);
        if (stripped.error) {
          error = stripped.error;
          break;
        }
        values.push(stripped.text);
      }
    }
    if (error !== undefined) return surrogateTable(type, name, fatal(error), false);
    if (values.length === 0) return surrogateTable(type, name, fatal(`bad syntax: "${spec}"; need "${type}:{value...}"`), false);
    return tableRecord(type, name, false, (key): LookupResult => {
      let h = 0;
      for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
      const value = values[h % values.length]!;
      const others = [...new Set(values)].filter((v) => v !== value);
      return {
        status: 'found',
        value,
        trace: { table: spec, key, ...(others.length > 0 && { notes: [`chosen at random; Postfix may also answer: ${others.join(', ')}`] }) },
      };
    });
  },
};
