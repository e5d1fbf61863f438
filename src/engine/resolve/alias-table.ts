/*
 * NAME
 *   alias-table - indexed alias databases as postalias(1) builds them
 * DESCRIPTION
 *   An alias database (hash:/etc/aliases and the like) is built by
 *   postalias or newaliases from aliases(5) text, not by postmap: each
 *   logical line is `name: value`, the name is the address tokens before
 *   the first colon (internal form, folded to lowercase), the value is the
 *   rest in external form. A line without a colon, or whose name is
 *   empty or contains `@`/`%`, is skipped with postalias's warning. The
 *   first of duplicate names is kept. postalias also stores `@` = `@`.
 *   The simulator reads the source text and answers as the built file
 *   would. Indexed tables named in alias_maps are opened this way.
 * SEE ALSO
 *   postalias(1), aliases(5)
 */
import { readLogicalLines } from '../util/readlline.ts';
import { keyTrace, tableRecord } from '../tables/driver.ts';
import { builtSuffix } from '../tables/indexed.ts';
import { foldKey } from '../util/casefold.ts';
import type { Host, Table } from '../tables/types.ts';
import type { Diagnostic, LookupResult } from '../trace/types.ts';
import { externalize, internalize, scanTokens } from './tok822.ts';

/** Table types postalias builds (indexed types). */
export const ALIAS_DATABASE_TYPES: readonly string[] = ['hash', 'btree', 'lmdb', 'cdb', 'dbm', 'sdbm'];

/** openAliasTable - `type:path` read as an aliases(5) source. Undefined when the type is not indexed. */
export function openAliasTable(spec: string, host: Host): Table | undefined {
  const colon = spec.indexOf(':');
  const type = spec.slice(0, colon);
  const path = spec.slice(colon + 1);
  if (colon < 0 || !ALIAS_DATABASE_TYPES.includes(type)) return undefined;
  const bytes = host.readFile(path);
  const suffix = builtSuffix(type);
  if (!bytes) {
    const error: Diagnostic = { severity: 'fatal', message: `open database ${path}${suffix}: No such file or directory` };
    return { ...tableRecord(type, path, true, (key): LookupResult => ({ status: 'error', error, trace: { table: spec, key } })), openError: error };
  }
  const build: Diagnostic[] = [];
  const store = new Map<string, { value: string; line: number; rule: string }>();
  for (const { text, line } of readLogicalLines(new TextDecoder().decode(bytes), path, build)) {
    const tokens = scanTokens(text);
    const c = tokens.findIndex((t) => t.type === ':');
    if (c <= 0 || c === tokens.length - 1 || tokens.slice(0, c).some((t) => t.type === ',')) {
      build.push({ severity: 'warning', message: `${path}, line ${line}: need name:value pair`, file: path, line });
      continue;
    }
    if (tokens.slice(0, c).some((t) => t.type === '@' || t.type === '%')) {
      build.push({ severity: 'warning', message: `${path}, line ${line}: name must be local`, file: path, line });
      continue;
    }
    const key = foldKey(internalize(tokens.slice(0, c)));
    if (store.has(key)) {
      build.push({ severity: 'warning', message: `${path}${suffix}: duplicate entry: "${key}"`, file: path, line });
      continue;
    }
    store.set(key, { value: externalize(tokens.slice(c + 1)), line, rule: text });
  }
  if (!store.has('@')) store.set('@', { value: '@', line: 0, rule: '@: @' });
  const lookup = (key: string): LookupResult => {
    const folded = foldKey(key);
    const e = store.get(folded);
    const trace = keyTrace(spec, key, folded);
    if (!e) return { status: 'notfound', trace };
    return { status: 'found', value: e.value, trace: { ...trace, match: { ...(e.line && { line: e.line }), rule: e.rule } } };
  };
  return { ...tableRecord(type, path, true, lookup), buildDiagnostics: build };
}
