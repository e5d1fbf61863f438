/*
 * NAME
 *   postmap - the simulator's postmap(1) and postalias(1): query, list and check lookup tables
 * SYNOPSIS
 *   postfix-sim postmap [-fFnNrw] [-c config_dir] -q key [type:]name...
 *   postfix-sim postmap [-fFnNrw] [-c config_dir] -q - [type:]name... < keys
 *   postfix-sim postmap [-fF] [-c config_dir] -s [type:]name
 *   postfix-sim postmap [-fFnNrw] [-c config_dir] [type:]name...
 * DESCRIPTION
 *   Output, diagnostics and exit status are those of real postmap. Without
 *   -q or -s, nothing is written: the source is checked and postmap's
 *   build-time warnings are printed. Options as postmap.c parses them:
 *   -f no key folding; -F values name files (built tables hold their
 *   content base64-encoded, -q and -s decode it); -N / -n only keys stored
 *   with / without their terminating null; -r / -w duplicates replace /
 *   are ignored; -o, -p, -u, -U, -v are accepted and change no answer.
 *   -s lists btree, lmdb, hash, texthash and inline tables sorted by key
 *   (Postfix lists hash, texthash and inline in its hash order).
 *
 *   postalias is the same program for aliases(5) files (runPostalias): its
 *   indexed tables are built from `name: value` lines, it prints `key:`
 *   before a value in -q - and -s output, and has no -F, -b, -h, -m, -U.
 *   postmap reads the indexed tables that main.cf names in alias_database
 *   and alias_maps as postalias built them.
 */
import { DEBIAN_POSTFIX_TYPES, INDEXED_TYPES, loadMainCf, openTable, printable, splitSpec } from '../engine/index.ts';
import type { BuildFlags, Diagnostic, Host, LookupResult, OpenOptions, Table } from '../engine/index.ts';
import { aliasDatabaseHost, checkParameters, decodeBytes, encodeBytes, fileContent } from '../engine/index.ts';
import { getopt } from './getopt.ts';
import { createNodeHost } from './node-host.ts';

/** What a command run produces: exactly what the real program would print. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number;
}

/** What differs between postmap and postalias. */
interface Program {
  name: 'postmap' | 'postalias';
  usage: string;
  /** The getopt() string: letters followed by `:` take an argument. */
  options: string;
  /** Between the key and the TAB in -q - and -s output. */
  keySuffix: string;
}

const POSTMAP: Program = {
  name: 'postmap',
  usage: 'usage: postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file...',
  options: 'bc:d:fFhimnNopq:rsuUvw',
  keySuffix: '',
};
const POSTALIAS: Program = {
  name: 'postalias',
  usage: 'usage: postalias [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file...',
  options: 'Nc:d:finopq:rsuvw',
  keySuffix: ':',
};
/** Postfix's stdout buffer (VSTREAM_BUFSIZE): output not yet flushed is lost on a fatal error. */
const STDOUT_BUFFER = 4096;

class Fatal extends Error {}

interface PostmapArgs {
  configDirectory?: string;
  fold: boolean;
  query?: string;
  sequence: boolean;
  delete?: string;
  rhsIsFile: boolean;
  /** -N / -n: the last one given. */
  nul?: 'with' | 'without';
  /** -r / -w: the last one given. */
  duplicates?: 'replace' | 'ignore';
  /** -u: no UTF-8 mode even with smtputf8_enable = yes. */
  noUtf8: boolean;
  /** -b, -h, -m (message query modes), -i (incremental build). */
  body: boolean;
  header: boolean;
  mime: boolean;
  incremental: boolean;
  maps: string[];
}

/** parseArgs - getopt(3) as Postfix calls it: options stop at the first non-option; checks in postmap.c's order. */
function parseArgs(program: Program, argv: readonly string[], fail: (msg: string) => never, stderr: (line: string) => void): PostmapArgs {
  const OPTIONS = program.options;
  const USAGE = program.usage;
  const args: PostmapArgs = {
    fold: true,
    sequence: false,
    rhsIsFile: false,
    noUtf8: false,
    body: false,
    header: false,
    mime: false,
    incremental: false,
    maps: [],
  };
  const onlyOne = (): never => fail('specify only one of -s -q or -d');
  const end = getopt(program.name, argv, OPTIONS, (c, value) => {
    if (value !== undefined) {
      if (c === 'c') args.configDirectory = value;
      else {
        if (args.sequence || args.query !== undefined || args.delete !== undefined) onlyOne();
        if (c === 'q') args.query = value;
        else args.delete = value;
      }
      return undefined;
    }
    switch (c) {
      case 'f':
        args.fold = false;
        break;
      case 'F':
        args.rhsIsFile = true;
        break;
      case 'N':
        args.nul = 'with';
        break;
      case 'n':
        args.nul = 'without';
        break;
      case 'r':
        args.duplicates = 'replace';
        break;
      case 'w':
        args.duplicates = 'ignore';
        break;
      case 's':
        if (args.query !== undefined || args.delete !== undefined) fail('specify only one of -s or -q or -d');
        args.sequence = true;
        break;
      case 'b':
        args.body = true;
        break;
      case 'h':
        args.header = true;
        break;
      case 'm':
        args.mime = true;
        break;
      case 'i':
        args.incremental = true;
        break;
      case 'u':
        args.noUtf8 = true;
        break;
      // -o, -p (privileges and permissions of a built file), -U (UTF-8 checks with -b, -h), -v: no answer changes.
    }
    return undefined;
  });
  if ('error' in end) {
    stderr(end.error);
    fail(USAGE);
  }
  args.maps = argv.slice('operands' in end ? end.operands : argv.length);
  return args;
}

/** withDefaultType - postmap's `[map_type:]file`: no colon means default_database_type. */
function withDefaultType(map: string, defaultType: string): string {
  return map.includes(':') ? map : `${defaultType}:${map}`;
}

/** flushed - what of `stdout` Postfix had written out when it died: whole buffers only. */
function flushed(stdout: string): string {
  const bytes = encodeBytes(stdout);
  return decodeBytes(bytes.slice(0, bytes.length - (bytes.length % STDOUT_BUFFER)));
}

/** postaliasHost - every indexed file was built by postalias (unless the host knows better). */
function postaliasHost(host: Host): Host {
  return { ...host, buildFlags: (path) => host.buildFlags?.(path) ?? { postalias: true } };
}

/** dictLabel - `type:name` as Postfix's dictionary names itself (hash: NAME.db). */
const dictLabel = (t: Table): string => `${t.type}:${t.dictName ?? t.name}`;

/**
 * runPostmap - runs one postmap command line; never throws.
 * `host` defaults to the file system (rooted at -c DIR for /etc/postfix paths).
 * Strings carry bytes as the engine does (see util/bytes.ts): stdin and
 * stdout may hold bytes that are not UTF-8.
 */
export function runPostmap(argv: readonly string[], io: { host?: Host; stdin?: string } = {}): Promise<CommandOutput> {
  return runMapCommand(POSTMAP, argv, io);
}

/** runPostalias - runs one postalias command line; never throws. */
export function runPostalias(argv: readonly string[], io: { host?: Host; stdin?: string } = {}): Promise<CommandOutput> {
  return runMapCommand(POSTALIAS, argv, io);
}

async function runMapCommand(program: Program, argv: readonly string[], io: { host?: Host; stdin?: string }): Promise<CommandOutput> {
  const USAGE = program.usage;
  let stdout = '';
  let stderr = '';
  let utf8 = false;
  const log = (d: Diagnostic): void => {
    stderr += `${program.name}: ${d.severity}: ${printable(d.message, utf8)}\n`;
  };
  const fail = (message: string): never => {
    log({ severity: 'fatal', message });
    throw new Fatal(message);
  };
  try {
    const args = parseArgs(program, argv, fail, (line) => (stderr += line + '\n'));
    // `postmap -c DIR` exports MAIL_CONFIG=DIR to what it runs; environ: tables see it.
    const fileHost =
      io.host ??
      createNodeHost(
        args.configDirectory === undefined
          ? {}
          : { configDirectory: args.configDirectory, environment: { ...process.env, MAIL_CONFIG: args.configDirectory } as Record<string, string> },
      );
    // A missing main.cf reads as empty: the simulator must work where no Postfix is installed.
    const mainCfBytes = fileHost.readFile('/etc/postfix/main.cf');
    const mainCf = loadMainCf(mainCfBytes && decodeBytes(mainCfBytes));
    mainCf.diagnostics.forEach(log);
    if (mainCf.error) fail(mainCf.error.message);
    // mail_conf_read(): the parameters every Postfix program reads and checks at start-up.
    const checked = checkParameters(mainCf, 'postmap', {
      configDirectory: args.configDirectory ?? '/etc/postfix',
      readFile: (path) => fileHost.readFile(path),
    });
    checked.warnings.forEach(log);
    if (checked.fatal) fail(checked.fatal.message);
    utf8 = mainCf.get('smtputf8_enable') === 'yes';
    const defaultType = mainCf.get('default_database_type') ?? 'hash';
    // The indexed files postalias builds: every one for postalias, those main.cf names as alias databases for postmap.
    const host = program === POSTALIAS ? postaliasHost(fileHost) : aliasDatabaseHost(fileHost, mainCf);
    const messageModes = args.body || args.header || args.mime;
    if (messageModes && args.query !== '-') fail('specify -b -h or -m only with "-q -"');
    if (args.mime && !args.body && !args.header) log({ severity: 'warning', message: 'ignoring -m option without -b or -h' });
    if (args.delete !== undefined) fail('-d (delete) is not simulated: the simulator never changes tables');
    if (messageModes) fail('-b and -h (message header and body keys) are not simulated yet');

    const build: BuildFlags = {
      ...(program === POSTALIAS && { postalias: true }),
      noFold: !args.fold,
      ...(args.duplicates && { duplicates: args.duplicates }),
      ...(args.nul && { nul: args.nul === 'with' }),
      ...(args.rhsIsFile && { rhsIsFile: true }),
    };
    const building = args.query === undefined && !args.sequence;
    const openOptions: OpenOptions = {
      host,
      mainCf: (name) => mainCf.dynamic.get(name),
      // DICT_FLAG_UTF8_REQUEST (unless -u) with smtputf8_enable = yes: UTF-8 mode.
      ...(utf8 && !args.noUtf8 && { utf8: true }),
      foldFixed: args.fold,
      ...(args.rhsIsFile && { rhsIsFile: true }),
      ...(args.duplicates && { duplicates: args.duplicates }),
      ...(!building && args.nul && { nul: args.nul }),
      ...(building && { build, builtWithoutFolding: !args.fold }),
    };
    const open = async (map: string): Promise<Table> => {
      const table = await openTable(withDefaultType(map, defaultType), openOptions);
      if (building) table.buildDiagnostics?.forEach(log);
      table.diagnostics.forEach(log);
      if (table.openError) fail(table.openError.message);
      return table;
    };
    // -F: dict_file_lookup() decodes what the table holds.
    const decoded = (table: Table, key: string, value: string): string => {
      const r = fileContent(value);
      if ('text' in r) return r.text;
      log({ severity: 'warning', message: `table ${dictLabel(table)}: key ${key}: ${r.error}` });
      return fail(`table ${dictLabel(table)}: query error`);
    };
    const emptyWarning = (label: string, key: string): void => {
      log({ severity: 'warning', message: `table ${label}: key ${key}: empty string result is not allowed` });
      log({ severity: 'warning', message: `table ${label} should return NO RESULT in case of NOT FOUND` });
    };
    // report - what postmap prints for one answer; true when found.
    const report = (map: string, table: Table, key: string, result: LookupResult, batch: boolean): boolean => {
      result.warnings?.forEach(log);
      if (result.status === 'found') {
        const value = args.rhsIsFile ? decoded(table, key, result.value) : result.value;
        // postmap names the table as given on the command line here, and by its dictionary below.
        if (value === '') emptyWarning(batch ? dictLabel(table) : withDefaultType(map, defaultType), key);
        stdout += batch ? `${key}${program.keySuffix}\t${value}\n` : `${value}\n`;
        return true;
      }
      if (result.status === 'error') {
        if (result.error.severity === 'fatal') fail(result.error.message);
        fail(`table ${dictLabel(table)}: query error${result.error.message ? `: ${result.error.message}` : ''}`);
      }
      return false;
    };

    if (args.sequence) {
      // postmap -s lists the first map only; without a map it just exits 1.
      const map = args.maps[0];
      if (map === undefined) return { stdout, stderr, status: 1 };
      const spec = withDefaultType(map, defaultType);
      if (spec.startsWith('proxy:')) fail("can't sequence maps via the proxy service");
      const table = await open(map);
      const listed = table.sequence?.() ?? { error: { severity: 'fatal', message: `table ${dictLabel(table)}: sequence operation is not supported` } };
      if ('error' in listed) fail(listed.error.message);
      for (const { key, value: stored } of (listed as { entries: { key: string; value: string }[] }).entries) {
        if (key === '') log({ severity: 'warning', message: `table ${spec}: empty lookup key value is not allowed` });
        else if (stored === '') emptyWarning(spec, key);
        let value = stored;
        if (args.rhsIsFile) {
          const r = fileContent(stored);
          if ('error' in r) {
            log({ severity: 'warning', message: `table ${dictLabel(table)}: key ${key}: ${r.error}` });
            continue;
          }
          value = r.text;
        }
        stdout += `${key}${program.keySuffix}\t${value}\n`;
      }
      return { stdout, stderr, status: 0 };
    }
    if (args.maps.length === 0) fail(USAGE);

    if (building) {
      if (args.incremental) fail('-i (incremental update from standard input) is not simulated: the simulator never changes tables');
      // Build mode: postmap opens the source first, then asks for a writable table of the type.
      for (const map of args.maps) {
        const split = splitSpec(withDefaultType(map, defaultType));
        if ('error' in split) fail(split.error);
        const { type, name } = split as { type: string; name: string };
        if (host.readFile(name) === undefined) fail(`open ${name}: No such file or directory`);
        if (!INDEXED_TYPES.includes(type))
          fail(
            DEBIAN_POSTFIX_TYPES.includes(type)
              ? `unsupported dictionary type: ${type} does not support bulk-mode creation.`
              : `unsupported dictionary type: ${type}. Is the postfix-${type} package installed?`,
          );
        await open(map);
      }
      return { stdout, stderr, status: 0 };
    }
    if (args.query !== '-') {
      for (const map of args.maps) {
        const table = await open(map);
        if (report(map, table, args.query!, table.lookup(args.query!), false)) return { stdout, stderr, status: 0 };
      }
      return { stdout, stderr, status: 1 };
    }
    // Batch mode: maps are opened lazily, at the first key.
    const tables: (Table | undefined)[] = args.maps.map(() => undefined);
    let found = false;
    const text = io.stdin ?? '';
    const keys = text.split('\n');
    if (keys[keys.length - 1] === '') keys.pop();
    for (const line of keys) {
      // A key is a C string: it ends at a NUL byte.
      const key = line.split('\0')[0]!;
      for (let n = 0; n < args.maps.length; n++) {
        const table = (tables[n] ??= await open(args.maps[n]!));
        if (report(args.maps[n]!, table, key, table.lookup(key), true)) {
          found = true;
          break;
        }
      }
    }
    return { stdout, stderr, status: found ? 0 : 1 };
  } catch (e) {
    if (!(e instanceof Fatal)) stderr += `postmap: fatal: internal error: ${(e as Error).stack ?? e}\n`;
    return { stdout: flushed(stdout), stderr, status: 1 };
  }
}
