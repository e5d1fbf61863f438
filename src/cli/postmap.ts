/*
 * NAME
 *   postmap - the simulator's postmap(1): query and check lookup tables
 * SYNOPSIS
 *   postfix-sim postmap [-f] [-c config_dir] -q key [type:]name...
 *   postfix-sim postmap [-f] [-c config_dir] -q - [type:]name... < keys
 *   postfix-sim postmap [-c config_dir] [type:]name...
 * DESCRIPTION
 *   Output, diagnostics and exit status are those of real postmap. Without
 *   -q, nothing is written: the source is checked and postmap's build-time
 *   warnings are printed.
 */
import { DEBIAN_POSTFIX_TYPES, INDEXED_TYPES, loadMainCf, openTable, printable, splitSpec } from '../engine/index.ts';
import type { Diagnostic, Host, LookupResult, Table } from '../engine/index.ts';
import { createNodeHost } from './node-host.ts';

/** What a command run produces: exactly what the real program would print. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number;
}

const USAGE = 'usage: postmap [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file...';
/** Postfix's stdout buffer (VSTREAM_BUFSIZE): output not yet flushed is lost on a fatal error. */
const STDOUT_BUFFER = 4096;

class Fatal extends Error {}

/** The part of postmap's getopt() string the simulator honours or accepts. */
const FLAGS_WITHOUT_ARG = new Set(['f', 'N', 'n', 'o', 'p', 'r', 'u', 'U', 'v', 'w', 'i']);
const FLAGS_NOT_SIMULATED = new Set(['b', 'h', 'm', 's', 'F', 'd']);

interface PostmapArgs {
  configDirectory?: string;
  fold: boolean;
  query?: string;
  maps: string[];
}

function parseArgs(argv: readonly string[], fail: (msg: string) => never, stderr: (line: string) => void): PostmapArgs {
  const args: PostmapArgs = { fold: true, maps: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      if (c === 'c' || c === 'q' || c === 'd') {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value === undefined) {
          stderr(`postmap: option requires an argument -- '${c}'`);
          fail(USAGE);
        }
        if (c === 'c') args.configDirectory = value;
        else if (c === 'q') {
          if (args.query !== undefined) fail('specify only one of -s -q or -d');
          args.query = value;
        } else fail(`-d (delete) is not simulated: the simulator never changes tables`);
        break;
      }
      if (c === 'f') args.fold = false;
      else if (FLAGS_NOT_SIMULATED.has(c)) fail(`-${c} is not simulated yet`);
      else if (!FLAGS_WITHOUT_ARG.has(c)) {
        stderr(`postmap: invalid option -- '${c}'`);
        fail(USAGE);
      }
    }
  }
  args.maps = argv.slice(i) as string[];
  if (args.maps.length === 0) fail(USAGE);
  return args;
}

/** withDefaultType - postmap's `[map_type:]file`: no colon means default_database_type. */
function withDefaultType(map: string, defaultType: string): string {
  return map.includes(':') ? map : `${defaultType}:${map}`;
}

/** flushed - what of `stdout` Postfix had written out when it died: whole buffers only. */
function flushed(stdout: string): string {
  const bytes = new TextEncoder().encode(stdout);
  return new TextDecoder().decode(bytes.slice(0, bytes.length - (bytes.length % STDOUT_BUFFER)));
}

/**
 * runPostmap - runs one postmap command line; never throws.
 * `host` defaults to the file system (rooted at -c DIR for /etc/postfix paths).
 */
export async function runPostmap(argv: readonly string[], io: { host?: Host; stdin?: string } = {}): Promise<CommandOutput> {
  let stdout = '';
  let stderr = '';
  let utf8 = false;
  const log = (d: Diagnostic): void => {
    stderr += `postmap: ${d.severity}: ${printable(d.message, utf8)}\n`;
  };
  const fail = (message: string): never => {
    log({ severity: 'fatal', message });
    throw new Fatal(message);
  };
  try {
    const args = parseArgs(argv, fail, (line) => (stderr += line + '\n'));
    // `postmap -c DIR` exports MAIL_CONFIG=DIR to what it runs; environ: tables see it.
    const host =
      io.host ??
      createNodeHost(
        args.configDirectory === undefined
          ? {}
          : { configDirectory: args.configDirectory, environment: { ...process.env, MAIL_CONFIG: args.configDirectory } as Record<string, string> },
      );
    // A missing main.cf reads as empty: the simulator must work where no Postfix is installed.
    const mainCfBytes = host.readFile('/etc/postfix/main.cf');
    const mainCf = loadMainCf(mainCfBytes && new TextDecoder().decode(mainCfBytes));
    mainCf.diagnostics.forEach(log);
    if (mainCf.error) fail(mainCf.error.message);
    utf8 = mainCf.get('smtputf8_enable') === 'yes';
    const defaultType = mainCf.get('default_database_type') ?? 'hash';
    const open = async (map: string): Promise<Table> => {
      const table = await openTable(withDefaultType(map, defaultType), {
        host,
        foldFixed: args.fold,
        ...(args.query === undefined && { builtWithoutFolding: !args.fold }),
      });
      if (args.query === undefined) table.buildDiagnostics?.forEach(log);
      table.diagnostics.forEach(log);
      if (table.openError) fail(table.openError.message);
      return table;
    };
    // report - what postmap prints for one answer; true when found.
    const report = (table: Table, key: string, result: LookupResult, batch: boolean): boolean => {
      result.warnings?.forEach(log);
      if (result.status === 'found') {
        if (result.value === '') {
          log({ severity: 'warning', message: `table ${table.spec}: key ${key}: empty string result is not allowed` });
          log({ severity: 'warning', message: `table ${table.spec} should return NO RESULT in case of NOT FOUND` });
        }
        stdout += batch ? `${key}\t${result.value}\n` : `${result.value}\n`;
        return true;
      }
      if (result.status === 'error') {
        if (result.error.severity === 'fatal') fail(result.error.message);
        fail(`table ${table.spec}: query error${result.error.message ? `: ${result.error.message}` : ''}`);
      }
      return false;
    };

    if (args.query === undefined) {
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
        if (report(table, args.query, table.lookup(args.query), false)) return { stdout, stderr, status: 0 };
      }
      return { stdout, stderr, status: 1 };
    }
    // Batch mode: maps are opened lazily, at the first key.
    const tables: (Table | undefined)[] = args.maps.map(() => undefined);
    let found = false;
    const text = io.stdin ?? '';
    const keys = text.split('\n');
    if (keys[keys.length - 1] === '') keys.pop();
    for (const key of keys) {
      for (let n = 0; n < args.maps.length; n++) {
        const table = (tables[n] ??= await open(args.maps[n]!));
        if (report(table, key, table.lookup(key), true)) {
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
