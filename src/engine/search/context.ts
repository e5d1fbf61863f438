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
import { INDEXED_TYPES, openTable } from '../tables/registry.ts';
import type { Host, Table } from '../tables/types.ts';
import { splitList } from '../util/lists.ts';

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
 * aliasDatabaseHost - `host`, where the indexed files that alias_database
 * and alias_maps name (directly or behind proxy:) were built by postalias
 * (newaliases) from aliases(5) text, unless the host says how they were
 * built. Everyone who opens them (local(8), smtpd's recipient validation
 * through local_recipient_maps, postmap) sees the same database.
 */
export function aliasDatabaseHost(host: Host, params: ParameterView): Host {
  const paths = new Set<string>();
  const visit = (spec: string): void => {
    const colon = spec.indexOf(':');
    if (colon < 0) return;
    const type = spec.slice(0, colon);
    if (type === 'proxy') return visit(spec.slice(colon + 1));
    if (INDEXED_TYPES.includes(type)) paths.add(spec.slice(colon + 1));
  };
  for (const param of ['alias_database', 'alias_maps']) splitList(params.get(param) ?? '').forEach(visit);
  if (paths.size === 0) return host;
  return { ...host, buildFlags: (path) => host.buildFlags?.(path) ?? (paths.has(path) ? { postalias: true } : undefined) };
}

/** createTableCache - a cache opening tables through the registry with Postfix's daemon flags. */
export function createTableCache(originalHost: Host, params?: ParameterView): TableCache {
  const tables = new Map<string, Promise<Table>>();
  const host = params ? aliasDatabaseHost(originalHost, params) : originalHost;
  // Daemons open their tables with DICT_FLAG_UTF8_REQUEST: UTF-8 mode when smtputf8_enable = yes.
  const utf8 = params?.get('smtputf8_enable')?.toLowerCase() === 'yes';
  return {
    open(spec, flags = {}) {
      const key = `${spec}\u0000${flags.noRegsub ? 1 : 0}`;
      let t = tables.get(key);
      if (!t) {
        t = openTable(spec, {
          host,
          foldFixed: true,
          ...(utf8 && { utf8: true }),
          ...(flags.noRegsub && { noRegsub: true }),
          ...(params && { mainCf: (name: string) => params.get(name) }),
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
