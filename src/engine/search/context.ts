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
import type { Host, OpenOptions, Table } from '../tables/types.ts';
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

/** The indexed files a list of table specs names, directly or behind proxy:. */
function indexedPaths(specs: readonly string[]): Set<string> {
  const paths = new Set<string>();
  const visit = (spec: string): void => {
    const colon = spec.indexOf(':');
    if (colon < 0) return;
    const type = spec.slice(0, colon);
    if (type === 'proxy') return visit(spec.slice(colon + 1));
    if (INDEXED_TYPES.includes(type)) paths.add(spec.slice(colon + 1));
  };
  specs.forEach(visit);
  return paths;
}

/** withAliasBuilds - `host`, where these files were built by postalias unless the host says how they were built. */
function withAliasBuilds(host: Host, paths: ReadonlySet<string>): Host {
  if (paths.size === 0) return host;
  return { ...host, buildFlags: (path) => host.buildFlags?.(path) ?? (paths.has(path) ? { postalias: true } : undefined) };
}

/** The files alias_database and alias_maps name: newaliases and postalias build them from aliases(5) text. */
const aliasPathsOf = (params: ParameterView): Set<string> =>
  indexedPaths((['alias_database', 'alias_maps'] as const).flatMap((name) => splitList(params.get(name) ?? '')));

/**
 * aliasDatabaseHost - `host`, where the indexed files that alias_database
 * and alias_maps name (directly or behind proxy:) were built by postalias
 * (newaliases) from aliases(5) text, unless the host says how they were
 * built. Everyone who opens them (local(8), smtpd's recipient validation
 * through local_recipient_maps, postmap) sees the same database.
 */
export function aliasDatabaseHost(host: Host, params: ParameterView): Host {
  return withAliasBuilds(host, aliasPathsOf(params));
}

/**
 * daemonOpenOptions - how a daemon running with `params` opens a table:
 * fixed tables fold keys, alias databases are as postalias built them,
 * UTF-8 mode with smtputf8_enable = yes (DICT_FLAG_UTF8_REQUEST), main.cf
 * parameters for tables that read them. `signature` tells apart parameter
 * sets that open the same spec differently (for caches kept across them).
 */
export function daemonOpenOptions(host: Host, params?: ParameterView): { options: OpenOptions; signature: string } {
  if (!params) return { options: { host, foldFixed: true }, signature: '' };
  const aliases = aliasPathsOf(params);
  const utf8 = params.get('smtputf8_enable')?.toLowerCase() === 'yes';
  return {
    options: { host: withAliasBuilds(host, aliases), foldFixed: true, ...(utf8 && { utf8: true }), mainCf: (name) => params.dynamic.get(name) },
    signature: `${utf8 ? 'utf8' : ''}\u0000${[...aliases].sort().join('\u0000')}`,
  };
}

/**
 * openAliasTable - `spec` as local(8) opens an alias database: an indexed
 * file (directly or behind proxy:) as postalias built it from aliases(5)
 * text; other types open as usual.
 */
export function openAliasTable(spec: string, host: Host, params?: ParameterView): Promise<Table> {
  const { options } = daemonOpenOptions(host, params);
  return openTable(spec, { ...options, host: withAliasBuilds(options.host, indexedPaths([spec])) });
}

/** createTableCache - a cache opening tables through the registry with Postfix's daemon flags. */
export function createTableCache(host: Host, params?: ParameterView): TableCache {
  const tables = new Map<string, Promise<Table>>();
  const { options } = daemonOpenOptions(host, params);
  return {
    open(spec, flags = {}) {
      const key = `${spec}\u0000${flags.noRegsub ? 1 : 0}`;
      let t = tables.get(key);
      if (!t) {
        t = openTable(spec, { ...options, ...(flags.noRegsub && { noRegsub: true }) });
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
