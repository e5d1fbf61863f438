/*
 * NAME
 *   registry - the only list of lookup table type names
 * DESCRIPTION
 *   As dict_open(3): a `type:name` spec is split at its first colon, the
 *   type selects a driver, and a type nobody knows becomes a surrogate
 *   table whose lookups fail ("unsupported dictionary type"). Composite
 *   tables (unionmap, pipemap, proxy) open their members through here.
 *   Adding a table type = one driver module + one line below.
 * SEE ALSO
 *   DATABASE_README, postconf -m
 */
import { cidrDriver } from './cidr.ts';
import { indexedDriver, texthashDriver } from './indexed.ts';
import { inlineDriver } from './inline.ts';
import { pcreDriver } from './pcre.ts';
import { pipemapDriver, unionmapDriver } from './composite.ts';
import { proxyDriver } from './proxy.ts';
import { regexpDriver } from './regexp.ts';
import { environDriver, failDriver, internalDriver, randmapDriver, staticDriver } from './simple.ts';
import { sqliteDriver } from './sqlite.ts';
import { fatal, surrogateTable } from './driver.ts';
import { unixDriver } from './unix.ts';
import { memcacheDriver, nisDriver, socketmapDriver, tcpDriver } from './servers.ts';
import type { OpenOptions, Table, TableDriver } from './types.ts';

/** Types that need a server or a system database; opened as tables that say so. */
const NOT_SIMULATED: Record<string, { fixed: boolean }> = {
  mysql: { fixed: true },
  pgsql: { fixed: true },
  ldap: { fixed: true },
  mongodb: { fixed: true },
  nisplus: { fixed: true },
  netinfo: { fixed: true },
};

const notSimulated = (fixed: boolean): TableDriver => ({
  unsupported: 'needs a server or system database',
  open(type, name) {
    // Postfix's own words (what a Postfix without the type's package says), and why.
    const table = surrogateTable(type, name, fatal(`unsupported dictionary type: ${type}`), fixed);
    return {
      ...table,
      notices: [{ severity: 'info', message: `${type}: tables are not simulated: they need a server or a system database` }],
    };
  },
});

/** Every table type the simulator knows, by Postfix's name for it. */
export const DRIVERS: Readonly<Record<string, TableDriver>> = {
  btree: indexedDriver,
  cdb: indexedDriver,
  hash: indexedDriver,
  lmdb: indexedDriver,
  texthash: texthashDriver,
  inline: inlineDriver,
  static: staticDriver,
  fail: failDriver,
  environ: environDriver,
  regexp: regexpDriver,
  pcre: pcreDriver,
  cidr: cidrDriver,
  sqlite: sqliteDriver,
  unionmap: unionmapDriver,
  pipemap: pipemapDriver,
  proxy: proxyDriver,
  internal: internalDriver,
  randmap: randmapDriver,
  unix: unixDriver,
  nis: nisDriver,
  memcache: memcacheDriver,
  socketmap: socketmapDriver,
  tcp: tcpDriver,
  ...Object.fromEntries(Object.entries(NOT_SIMULATED).map(([t, { fixed }]) => [t, notSimulated(fixed)])),
};

/** What `postconf -m` lists on Debian's Postfix 3.7 with the pcre, sqlite, lmdb and cdb packages. */
export const DEBIAN_POSTFIX_TYPES: readonly string[] = [
  'btree',
  'cdb',
  'cidr',
  'environ',
  'fail',
  'hash',
  'inline',
  'internal',
  'lmdb',
  'memcache',
  'nis',
  'pcre',
  'pipemap',
  'proxy',
  'randmap',
  'regexp',
  'socketmap',
  'sqlite',
  'static',
  'tcp',
  'texthash',
  'unionmap',
  'unix',
];

/** The type names of indexed (postmap-built) tables (Debian builds no dbm or sdbm: "unsupported dictionary type"). */
export const INDEXED_TYPES: readonly string[] = ['btree', 'cdb', 'hash', 'lmdb'];

/** splitSpec - `type:name` split at the first colon, or the fatal error dict_open(3) gives. */
export function splitSpec(spec: string): { type: string; name: string } | { error: string } {
  const colon = spec.indexOf(':');
  if (colon < 0) return { error: `open dictionary: expecting "type:name" form instead of "${spec}"` };
  const type = spec.slice(0, colon);
  const name = spec.slice(colon + 1);
  if (type === '' || name === '') return { error: `open dictionary: expecting "type:name" form instead of "${type}:${name}"` };
  return { type, name };
}

/**
 * openTable - opens `type:name`. Never throws for user input: a table that
 * cannot be opened comes back with `openError` set and failing lookups.
 */
export async function openTable(spec: string, options: OpenOptions): Promise<Table> {
  const split = splitSpec(spec);
  if ('error' in split) return surrogateTable('', spec, fatal(split.error));
  const { type, name } = split;
  const driver = DRIVERS[type];
  if (!driver) return surrogateTable(type, name, fatal(`unsupported dictionary type: ${type}`));
  try {
    const table = await driver.open(type, name, options, openTable);
    return options.utf8 && !table.openError ? utf8Table(table) : table;
  } catch (e) {
    // A driver bug must not take the page down; say so instead.
    return surrogateTable(type, name, fatal(`internal error opening ${spec}: ${(e as Error).message}`));
  }
}

/** Bytes that are not UTF-8 (util/bytes.ts keeps each one as a lone surrogate). */
const NOT_UTF8 = /[\udc80-\udcff]/;

/**
 * utf8Table - dict_utf8(3): in UTF-8 mode a key that is not UTF-8 is not
 * looked up (a warning, not found), and a value that is not UTF-8 is a
 * configuration error (a warning, then the lookup fails).
 */
function utf8Table(table: Table): Table {
  const label = `${table.type}:${table.dictName ?? table.name}`;
  return {
    ...table,
    lookup(key) {
      if (NOT_UTF8.test(key))
        return {
          status: 'notfound',
          warnings: [{ severity: 'warning', message: `${label}: non-UTF-8 key "${key}": malformed UTF-8 or invalid codepoint` }],
          trace: { table: table.spec, key, notes: ['UTF-8 mode (smtputf8_enable = yes): a key that is not UTF-8 is not looked up'] },
        };
      const r = table.lookup(key);
      if (r.status !== 'found' || !NOT_UTF8.test(r.value)) return r;
      return {
        status: 'error',
        error: { severity: 'error', message: '' },
        warnings: [
          ...(r.warnings ?? []),
          { severity: 'warning', message: `${label}: key "${key}": non-UTF-8 value "${r.value}": malformed UTF-8 or invalid codepoint` },
        ],
        trace: r.trace,
      };
    },
  };
}
