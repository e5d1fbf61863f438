/*
 * NAME
 *   context - what searches need: files, parameters, and a shared table cache
 * DESCRIPTION
 *   Postfix opens each `type:name` once per process and shares it between
 *   every list and map that names it (dict_handle / dict_register). The
 *   cache does the same, keyed by the spec and the open flags that change
 *   what a table answers (no `$N` substitution), so a resolver and an smtpd
 *   evaluation over the same configuration open each table once.
 * SEE ALSO
 *   dict_open(3), maps(3), match_list(3)
 */
import type { ParameterView } from '../config/maincf.ts';
import { openTable } from '../tables/registry.ts';
import type { Host, Table } from '../tables/types.ts';

/** Open flags that change a table's answers. */
export interface TableFlags {
  /** DICT_FLAG_NO_REGSUB: `$N` in regexp/pcre results is not allowed. */
  noRegsub?: boolean;
}

/** Opened tables shared by every search over one configuration. */
export interface TableCache {
  open(spec: string, flags?: TableFlags): Promise<Table>;
}

/** What a match list or a maps search needs from its surroundings. */
export interface SearchContext {
  host: Host;
  params: ParameterView;
  cache: TableCache;
}

/**
 * createTableCache - a cache opening tables through the registry with Postfix's daemon flags.
 * `special` opens the tables that were built another way than by postmap
 * (alias databases built by postalias), or returns undefined.
 */
export function createTableCache(host: Host, params?: ParameterView, special?: (spec: string) => Table | undefined): TableCache {
  const tables = new Map<string, Promise<Table>>();
  return {
    open(spec, flags = {}) {
      const key = `${spec}\u0000${flags.noRegsub ? 1 : 0}`;
      let t = tables.get(key);
      const built = t ? undefined : special?.(spec);
      if (built) tables.set(key, (t = Promise.resolve(built)));
      if (!t) {
        t = openTable(spec, {
          host,
          foldFixed: true,
          ...(flags.noRegsub && { noRegsub: true }),
          ...(params && { mainCf: (name: string) => params.dynamic.get(name) }),
        });
        tables.set(key, t);
      }
      return t;
    },
  };
}

/** createSearchContext - a context with a fresh cache unless one is given. */
export function createSearchContext(host: Host, params: ParameterView, cache?: TableCache): SearchContext {
  return { host, params, cache: cache ?? createTableCache(host, params) };
}

/**
 * isFixedTable - whether a table takes partial keys. A table Postfix could
 * not open is a surrogate, which is a PATTERN table (dict_surrogate(3)).
 */
export function isFixedTable(table: Table): boolean {
  return table.openError ? false : table.fixed;
}
