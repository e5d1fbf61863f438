/*
 * NAME
 *   indexed - hash, btree, lmdb, cdb, dbm, sdbm and texthash tables
 * DESCRIPTION
 *   The simulator cannot read Berkeley DB, LMDB or CDB files; it reads the
 *   postmap source text that `postmap type:file` would build them from,
 *   and answers as the built file would: keys folded to lowercase at build
 *   (unless built with postmap -f), the first of duplicate keys kept, and
 *   postmap's build-time warnings kept as buildDiagnostics.
 *   texthash reads the same format at every open (no postmap step), so its
 *   warnings are logged at open and its texts differ slightly.
 *   All are FIXED tables (consulted for partial keys too).
 * SEE ALSO
 *   postmap(1), DATABASE_README
 */
import type { Diagnostic, LookupResult, LookupTrace } from '../trace/types.ts';
import { parsePostmapSource } from './postmap-source.ts';
import type { SourceEntry } from './postmap-source.ts';
import { fatal, readTableFile, surrogateTable, warning } from './driver.ts';
import { foldKey } from '../util/casefold.ts';
import type { OpenOptions, Table, TableDriver } from './types.ts';

/** How each indexed type names its database in postmap's duplicate-entry warning. */
function databaseName(type: string, path: string): string {
  switch (type) {
    case 'hash':
    case 'btree':
      return `${path}.db`;
    case 'lmdb':
      return `lmdb:${path}`;
    default:
      return path;
  }
}

/** byLine - duplicate warnings are found after parsing; Postfix logs them in line order. */
/** builtSuffix - the file postmap builds from source NAME of `type` is NAME plus this. */
export function builtSuffix(type: string): string {
  return ({ hash: '.db', btree: '.db', lmdb: '.lmdb', cdb: '.cdb' } as Record<string, string>)[type] ?? '';
}

const byLine = (list: Diagnostic[]): Diagnostic[] => list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

/** A folded-key store with the first entry of each key, as the built file holds it. */
function buildStore(entries: SourceEntry[], fold: boolean, onDuplicate: (entry: SourceEntry, storedKey: string) => void): Map<string, SourceEntry> {
  const store = new Map<string, SourceEntry>();
  for (const entry of entries) {
    const storedKey = fold ? foldKey(entry.key) : entry.key;
    if (store.has(storedKey)) onDuplicate(entry, storedKey);
    else store.set(storedKey, entry);
  }
  return store;
}

function storeTable(
  type: string,
  name: string,
  store: Map<string, SourceEntry>,
  options: OpenOptions,
  diagnostics: Diagnostic[],
  buildDiagnostics?: Diagnostic[],
): Table {
  const spec = `${type}:${name}`;
  const fold = options.foldFixed ?? true;
  return {
    spec,
    type,
    name,
    fixed: true,
    diagnostics,
    ...(buildDiagnostics && { buildDiagnostics }),
    lookup(key: string): LookupResult {
      const folded = fold ? foldKey(key) : key;
      const entry = store.get(folded);
      const trace: LookupTrace = { table: spec, key };
      if (folded !== key) trace.foldedKey = folded;
      if (!entry) return { status: 'notfound', trace };
      trace.match = { line: entry.line, rule: entry.key };
      return { status: 'found', value: entry.value, trace };
    },
  };
}

/** hash:, btree:, lmdb:, cdb:, dbm:, sdbm: simulated from the postmap source file `name`. */
export const indexedDriver: TableDriver = {
  open(type, name, options) {
    const source = readTableFile(options.host.readFile, name);
    if ('error' in source || options.host.isBuilt?.(name) === false) {
      // A source that postmap never built (or no file at all): the database is missing.
      return surrogateTable(type, name, fatal(`open database ${name}${builtSuffix(type)}: No such file or directory`, name));
    }
    const build: Diagnostic[] = [];
    const entries = parsePostmapSource(source.text, name, { expectedFormatSuffix: '' }, build);
    const dbName = databaseName(type, name);
    const unfolded = options.builtWithoutFolding ?? options.host.builtWithoutFolding?.(name) ?? false;
    const store = buildStore(entries, !unfolded, (_entry, storedKey) => build.push(warning(`${dbName}: duplicate entry: "${storedKey}"`, name, _entry.line)));
    return storeTable(type, name, store, options, [], byLine(build));
  },
};

/** texthash: the postmap source format read directly at open. */
export const texthashDriver: TableDriver = {
  open(type, name, options) {
    const source = readTableFile(options.host.readFile, name);
    if ('error' in source) return surrogateTable(type, name, fatal(`open database ${name}: No such file or directory`, name));
    const diagnostics: Diagnostic[] = [];
    const entries = parsePostmapSource(source.text, name, { expectedFormatSuffix: ' -- ignoring this line' }, diagnostics);
    const store = buildStore(entries, options.foldFixed ?? true, (entry) =>
      diagnostics.push(warning(`${name}, line ${entry.line}: duplicate entry: "${entry.key}"`, name, entry.line)),
    );
    return storeTable(type, name, store, options, byLine(diagnostics));
  },
};
