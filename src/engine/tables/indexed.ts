/*
 * NAME
 *   indexed - hash, btree, lmdb, cdb and texthash tables
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
import { fatal, keyFolder, readTableFile, surrogateTable, warning } from './driver.ts';
import { readLogicalLines } from '../util/readlline.ts';
import type { BuildFlags, DuplicateMode, OpenOptions, Table, TableDriver } from './types.ts';
import { fileValue } from './dict-file.ts';
import { aliasSignatures, parseAliasSource } from './alias-source.ts';
import { toBinary } from '../util/bytes.ts';

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

/** builtSuffix - the file postmap builds from source NAME of `type` is NAME plus this. */
export function builtSuffix(type: string): string {
  return ({ hash: '.db', btree: '.db', lmdb: '.lmdb', cdb: '.cdb' } as Record<string, string>)[type] ?? '';
}

/** The name of the dictionary Postfix opens for source NAME (dict->name): the database file for Berkeley DB and cdb. */
function dictNameOf(type: string, name: string): string {
  return type === 'hash' || type === 'btree' || type === 'cdb' ? name + builtSuffix(type) : name;
}

const byLine = (list: Diagnostic[]): Diagnostic[] => list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

/**
 * buildStore - the entries as the built file (or texthash's memory) holds
 * them: keys folded unless `fold` is off; a duplicate keeps the first entry
 * (warn, ignore) or replaces it (replace); `onDuplicate` hears about the
 * ones Postfix warns about.
 */
function buildStore(
  entries: SourceEntry[],
  fold: (key: string) => string,
  duplicates: DuplicateMode,
  onDuplicate: (entry: SourceEntry, storedKey: string) => void,
): Map<string, SourceEntry> {
  const store = new Map<string, SourceEntry>();
  for (const entry of entries) {
    const storedKey = fold(entry.key);
    if (!store.has(storedKey)) store.set(storedKey, entry);
    else if (duplicates === 'replace') store.set(storedKey, entry);
    else if (duplicates === 'warn') onDuplicate(entry, storedKey);
  }
  return store;
}

/** withFileValues - -F: each value names files; the entry holds their content in base64 (or is skipped, with postmap's warning). */
function withFileValues(entries: SourceEntry[], path: string, options: OpenOptions, diagnostics: Diagnostic[]): SourceEntry[] {
  const out: SourceEntry[] = [];
  for (const entry of entries) {
    const r = fileValue(entry.value, options.host.readFile);
    if ('error' in r) diagnostics.push(warning(`${path}, line ${entry.line}: ${r.error}: skipping this entry`, path, entry.line));
    else out.push({ ...entry, value: r.value });
  }
  return out;
}

/**
 * utf8Lines - UTF-8 mode: the source without its logical lines that are
 * not UTF-8 (with postmap's warning); the others keep their line numbers
 * (skipped lines become comments).
 */
function utf8Lines(text: string, path: string, diagnostics: Diagnostic[]): string {
  if (!/[\udc80-\udcff]/.test(text)) return text;
  const lines = text.split('\n');
  for (const { text: line, line: n } of readLogicalLines(text, path, [])) {
    if (!/[\udc80-\udcff]/.test(line)) continue;
    diagnostics.push(warning(`${path}, line ${n}: non-UTF-8 input "${line}" -- ignoring this line`, path, n));
    // Comment out the logical line: its first physical line and the continuation lines after it.
    lines[n - 1] = '#';
    for (let k = n; k < lines.length && /^[ \t]/.test(lines[k]!) && lines[k]!.trim() !== ''; k++) lines[k] = '#';
  }
  return lines.join('\n');
}

/** What sets an indexed table apart from texthash: how it was built. */
interface StoreOptions {
  /** Entries stored exactly as given (postalias's signatures), with their own null flag. */
  extra?: { key: string; value: string; nul?: boolean }[];
  /** Keys stored with a terminating null (TRY1NULL) or without. */
  nul?: boolean;
  /** dict_seq() order: sorted by key bytes (btree, lmdb), or not supported (cdb). */
  sequence: 'sorted' | 'unsupported';
}

function storeTable(
  type: string,
  name: string,
  store: Map<string, SourceEntry>,
  options: OpenOptions,
  diagnostics: Diagnostic[],
  how: StoreOptions,
  buildDiagnostics?: Diagnostic[],
): Table {
  const spec = `${type}:${name}`;
  const fold = keyFolder(options);
  // postmap -N looks only for keys stored with a null, -n only for keys without.
  const unreachable = how.nul !== undefined && options.nul !== undefined && how.nul !== (options.nul === 'with');
  const dictName = dictNameOf(type, name);
  return {
    spec,
    type,
    name,
    fixed: true,
    diagnostics,
    ...(dictName !== name && { dictName }),
    ...(buildDiagnostics && { buildDiagnostics }),
    lookup(key: string): LookupResult {
      const folded = fold(key);
      const trace: LookupTrace = { table: spec, key };
      if (folded !== key) trace.foldedKey = folded;
      if (unreachable) {
        trace.notes = [
          `keys were stored ${how.nul ? 'with' : 'without'} a terminating null; postmap -${how.nul ? 'n' : 'N'} looks only for keys ${how.nul ? 'without' : 'with'} one`,
        ];
        return { status: 'notfound', trace };
      }
      const entry = store.get(folded);
      if (!entry) {
        // postalias's signatures: stored as written, without a null.
        const extra = how.extra?.find((x) => x.key === folded && (x.nul === undefined || options.nul === undefined || x.nul === (options.nul === 'with')));
        if (!extra) return { status: 'notfound', trace };
        trace.notes = ['added by postalias'];
        return { status: 'found', value: extra.value, trace };
      }
      trace.match = { ...(entry.line > 0 && { line: entry.line }), rule: entry.key };
      return { status: 'found', value: entry.value, trace };
    },
    sequence() {
      if (how.sequence === 'unsupported') return { error: fatal(`table ${type}:${dictName}: sequence operation is not supported`) };
      const bytesOf = (k: string): string => toBinary(k);
      const all = new Map([...store].map(([k, e]) => [k, e.value]));
      for (const x of how.extra ?? []) if (!all.has(x.key)) all.set(x.key, x.value);
      const keys = [...all.keys()].sort((a, b) => (bytesOf(a) < bytesOf(b) ? -1 : bytesOf(a) > bytesOf(b) ? 1 : 0));
      return { entries: keys.map((k) => ({ key: k, value: all.get(k)! })) };
    },
  };
}

/** hash:, btree:, lmdb:, cdb: simulated from the postmap source file `name`. */
export const indexedDriver: TableDriver = {
  open(type, name, options) {
    const source = readTableFile(options.host.readFile, name);
    if ('error' in source || options.host.isBuilt?.(name) === false) {
      // A source that postmap never built (or no file at all): the database is missing.
      return surrogateTable(type, name, fatal(`open database ${name}${builtSuffix(type)}: No such file or directory`, name));
    }
    const flags: BuildFlags = options.build ??
      options.host.buildFlags?.(name) ?? { noFold: options.builtWithoutFolding ?? options.host.builtWithoutFolding?.(name) ?? false };
    const build: Diagnostic[] = [];
    // The file was built in UTF-8 mode when the table is read in it (same main.cf): lines that are not UTF-8 were skipped.
    const text = options.utf8 ? utf8Lines(source.text, name, build) : source.text;
    let entries = flags.postalias ? parseAliasSource(text, name, build) : parsePostmapSource(text, name, { expectedFormatSuffix: '' }, build);
    if (flags.rhsIsFile) entries = withFileValues(entries, name, options, build);
    const dbName = databaseName(type, name);
    const buildFold = flags.noFold ? (k: string) => k : keyFolder({ utf8: options.utf8 ?? false });
    const store = buildStore(entries, buildFold, flags.duplicates ?? 'warn', (entry, storedKey) =>
      build.push(warning(`${dbName}: duplicate entry: "${storedKey}"`, name, entry.line)),
    );
    let extra: StoreOptions['extra'];
    const after: Diagnostic[] = [];
    if (flags.postalias) {
      extra = [];
      for (const x of aliasSignatures(options.mainCf?.('myhostname') ?? 'localhost')) {
        const key = x.fold ? buildFold(x.key) : x.key;
        // The `@` signature is appended like any entry; a name `@` of the file makes it a duplicate.
        if (store.has(key)) {
          if (x.fold && (flags.duplicates ?? 'warn') === 'warn') after.push(warning(`${dbName}: duplicate entry: "${key}"`, name));
          if (x.fold && flags.duplicates === 'replace') store.set(key, { key, value: x.value, line: 0 });
          continue;
        }
        if (x.fold) store.set(key, { key, value: x.value, line: 0 });
        else extra.push({ key, value: x.value, ...(x.nul !== undefined && { nul: x.nul }) });
      }
    }
    // Berkeley DB and LMDB files hold keys with their null unless built with -n; cdb without unless -N.
    const nul = flags.nul ?? type !== 'cdb';
    return storeTable(type, name, store, options, [], { nul, sequence: type === 'cdb' ? 'unsupported' : 'sorted', ...(extra && { extra }) }, [
      ...byLine(build),
      ...after,
    ]);
  },
};

/** texthash: the postmap source format read directly at open. */
export const texthashDriver: TableDriver = {
  open(type, name, options) {
    const source = readTableFile(options.host.readFile, name);
    if ('error' in source) return surrogateTable(type, name, fatal(`open database ${name}: No such file or directory`, name));
    const diagnostics: Diagnostic[] = [];
    const text = options.utf8 ? utf8Lines(source.text, name, diagnostics) : source.text;
    let entries = parsePostmapSource(text, name, { expectedFormatSuffix: ' -- ignoring this line' }, diagnostics);
    if (options.rhsIsFile) entries = withFileValues(entries, name, options, diagnostics);
    const store = buildStore(entries, keyFolder(options), options.duplicates ?? 'warn', (entry) =>
      diagnostics.push(warning(`${name}, line ${entry.line}: duplicate entry: "${entry.key}"`, name, entry.line)),
    );
    return storeTable(type, name, store, options, byLine(diagnostics), { sequence: 'sorted' });
  },
};
