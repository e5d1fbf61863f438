/*
 * NAME
 *   check - read the whole workspace as Postfix would, for the editors
 * DESCRIPTION
 *   After each edit the editors show what Postfix would say about every
 *   file, at its line: main.cf and master.cf as postconf reads them, each
 *   table main.cf names as the daemons open it (alias_maps as postalias
 *   builds them), and the DNS and policy facts files. A table that cannot
 *   be opened (most often: the file is missing) is reported at the line of
 *   main.cf that names it, so the page can offer to create the file. The
 *   answer also lists every `type:name` reference, the parameters set with
 *   their expanded values, and the defaults of `$name`s used, for hover
 *   and completion. Tables come from the worker's cache, so a keystroke in
 *   one file reopens only what read that file.
 */
import { DRIVERS, loadMainCf, openAliasTable, parseDnsFacts, parseFacts, parseMasterCf, postconfShow, splitList, stripBraces } from '../../engine/index.ts';
import type { Diagnostic, MainCf, Table } from '../../engine/index.ts';
import type { FileStore } from './store.ts';
import type { PersistentTableCache } from './table-cache.ts';
import type { CheckRequest, CheckResponse, Notice, ParameterInfo, Reference } from './protocol.ts';

const CONFIG = '/etc/postfix';
const MAIN_CF = `${CONFIG}/main.cf`;
const MASTER_CF = `${CONFIG}/master.cf`;
const decoder = new TextDecoder();

/** Parameters whose tables local(8) opens as alias databases (postalias). */
const ALIAS_PARAMETERS = new Set(['alias_maps', 'alias_database']);
/** Parameters whose tables are opened without `$N` substitution. */
const NO_REGSUB = new Set(['transport_maps', 'sender_dependent_relayhost_maps', 'sender_dependent_default_transport_maps']);

/** The line each parameter is (last) set on: logical lines start in column 1, `#` lines are comments. */
export function parameterLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split('\n').forEach((l, i) => {
    const m = /^([A-Za-z0-9_.-]+)\s*=/.exec(l);
    if (m) lines.set(m[1]!, i + 1);
  });
  return lines;
}

/** `$name`, `${name}`, `${name?x}`, `${name:x}` uses in a text. */
export function macroNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$(?:\{([A-Za-z0-9_]+)|\(([A-Za-z0-9_]+)|([A-Za-z0-9_]+))/g)) names.add((m[1] ?? m[2] ?? m[3])!);
  return names;
}

/** Every `type:name` in a list value, with nested unionmap/pipemap/proxy members. */
export function tableSpecs(value: string): string[] {
  const out: string[] = [];
  const tokens = splitList(value);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^!+/, '');
    if (tokens[i - 1] === 'check_policy_service') continue; // a socket, not a table
    const m = /^([a-z0-9_]+):(.+)$/s.exec(token);
    if (!m || !(m[1]! in DRIVERS)) continue;
    out.push(token);
    const [type, name] = [m[1]!, m[2]!];
    if (type === 'proxy') out.push(...tableSpecs(name));
    if ((type === 'unionmap' || type === 'pipemap') && name.startsWith('{')) {
      const inner = stripBraces(name);
      if ('text' in inner) out.push(...tableSpecs(inner.text));
    }
  }
  return out;
}

const pathOf = (spec: string): string | undefined => {
  const name = spec.slice(spec.indexOf(':') + 1);
  return name.startsWith('/') ? name : undefined;
};

/** The `dbpath` of a sqlite .cf file, when it has one. */
function sqliteDbPath(store: FileStore, cfPath: string): string | undefined {
  const bytes = store.read(cfPath);
  const m = bytes && /^\s*dbpath\s*=\s*(\S+)\s*$/m.exec(decoder.decode(bytes));
  return m?.[1];
}

const text = (store: FileStore, path: string): string | undefined => {
  const b = store.read(path);
  return b && decoder.decode(b);
};

/** runCheck - every file read as Postfix reads it. */
export async function runCheck(
  store: FileStore,
  cache: PersistentTableCache,
  req: CheckRequest,
): Promise<Omit<Extract<CheckResponse, { ok: true }>, 'id' | 'ok' | 'elapsed'>> {
  const diagnostics: Diagnostic[] = [];
  const references: Reference[] = [];
  const parameters: Record<string, ParameterInfo> = {};
  const defaults: Record<string, string> = {};
  const notices: Notice[] = [];

  const mainText = text(store, MAIN_CF);
  const main: MainCf = loadMainCf(mainText);
  diagnostics.push(...main.diagnostics);
  if (main.error) diagnostics.push({ file: MAIN_CF, ...main.error });
  const lines = mainText === undefined ? new Map<string, number>() : parameterLines(mainText);
  for (const [name, raw] of main.params) {
    parameters[name] = { line: lines.get(name) ?? 0, raw, expanded: main.dynamic.get(name) ?? '' };
  }

  // postconf names parameters no program uses (the daemons are silent about them).
  if (mainText !== undefined && !main.error) {
    const pc = postconfShow({ nondefault: true, names: [], configDirectory: CONFIG, readFile: (p) => text(store, p) });
    for (const m of pc.messages) {
      const unused = /^warning: \S+: unused parameter: ((\S+?)=.*)$/.exec(m);
      const line = unused && lines.get(unused[2]!);
      if (unused) diagnostics.push({ severity: 'warning', message: `postconf: unused parameter: ${unused[1]}`, file: MAIN_CF, ...(line && { line }) });
    }
  }

  const masterText = text(store, MASTER_CF);
  const uses = macroNames(mainText ?? '');
  if (masterText !== undefined) {
    const master = parseMasterCf(masterText);
    diagnostics.push(...master.diagnostics);
    if (master.error) diagnostics.push({ file: MASTER_CF, ...master.error });
    for (const n of macroNames(masterText)) uses.add(n);
    for (const s of master.services)
      for (const [name, value] of s.overrides)
        for (const spec of tableSpecs(main.expand(value).value))
          references.push({
            spec,
            type: spec.slice(0, spec.indexOf(':')),
            ...(pathOf(spec) && { path: pathOf(spec)! }),
            parameter: name,
            file: MASTER_CF,
            line: s.line,
          });
  }
  for (const n of uses) if (!main.params.has(n)) defaults[n] = main.dynamic.get(n) ?? '';

  for (const [name, info] of Object.entries(parameters))
    for (const spec of tableSpecs(info.expanded))
      references.push({
        spec,
        type: spec.slice(0, spec.indexOf(':')),
        ...(pathOf(spec) && { path: pathOf(spec)! }),
        parameter: name,
        file: MAIN_CF,
        line: info.line,
      });

  // Each referenced table once, as the program that reads it opens it.
  const opened = new Set<string>();
  for (const ref of [...references]) {
    const key = `${ref.spec}\0${ALIAS_PARAMETERS.has(ref.parameter) ? 'alias' : NO_REGSUB.has(ref.parameter) ? 'noregsub' : ''}`;
    if (opened.has(key) || ref.type === 'proxy' || ref.type === 'unionmap' || ref.type === 'pipemap') continue;
    opened.add(key);
    // Alias databases open as postalias built them (the cache knows alias_maps and alias_database).
    const table: Table = ALIAS_PARAMETERS.has(ref.parameter)
      ? await openAliasTable(ref.spec, store.host(), main)
      : await cache.forParams(main).open(ref.spec, { noRegsub: NO_REGSUB.has(ref.parameter) });
    diagnostics.push(...table.diagnostics, ...(table.buildDiagnostics ?? []));
    if (table.openError)
      diagnostics.push({
        ...table.openError,
        severity: 'error',
        message: `${ref.spec}: ${table.openError.message}`,
        file: ref.file,
        ...(ref.line !== undefined && { line: ref.line }),
      });
    if (ref.type === 'sqlite' && ref.path) {
      const db = sqliteDbPath(store, ref.path);
      if (db) references.push({ spec: `sqlite-db:${db}`, type: 'sqlite-db', path: db, parameter: ref.parameter, file: ref.path });
    }
  }

  for (const [path, parse] of [
    [req.dnsPath.trim(), parseDnsFacts],
    [req.factsPath.trim(), parseFacts],
  ] as const) {
    const t = path ? text(store, path) : undefined;
    if (t !== undefined) diagnostics.push(...parse(t, path).diagnostics);
  }

  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const k = `${d.severity}\0${d.message}\0${d.file ?? ''}\0${d.line ?? ''}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  return { diagnostics: unique, references, parameters, defaults, notices };
}
