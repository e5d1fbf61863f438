/*
 * NAME
 *   servers - nis, memcache, socketmap and tcp tables, with no server to ask
 * DESCRIPTION
 *   These tables ask a server. The simulator has none, so they answer as
 *   Postfix does on a host where nothing listens and no NIS domain is set
 *   (what the golden recordings' private namespaces are):
 *
 *   nis:       dict_nis_init logs "NIS domain name not set - NIS lookups
 *              disabled" once per program; every lookup finds nothing.
 *   memcache:  the file names the server (`memcache = inet:host:port` or
 *              `unix:/path`, default inet:localhost:11211); each lookup
 *              fails to connect ("Connection refused", or "No such file or
 *              directory" for a socket path).
 *   socketmap: `socketmap:inet:host:port:name` or `socketmap:unix:/path:name`;
 *              each lookup fails to connect.
 *   tcp:       `tcp:host:port`; each lookup tries ten times, then fails.
 *
 *   Each table says once, in `notices`, that its server is not simulated;
 *   a lookup's trace only says what Postfix would do.
 * SEE ALSO
 *   nis_table(5), memcache_table(5), socketmap_table(5), tcp_table(5)
 */
import type { Diagnostic, LookupResult } from '../trace/types.ts';
import { cfgParserFromFile, parseParameterFile } from './cfg-parser.ts';
import { fatal, readTableFile, surrogateTable, tableRecord, warning } from './driver.ts';
import type { Host, Table, TableDriver } from './types.ts';

/** The programs (hosts) that have already logged dict_nis_init's warning. */
const NIS_INITIALIZED = new WeakSet<Host>();

const notice = (type: string, what: string): Diagnostic => ({
  severity: 'info',
  message: `${type}: tables are not simulated: ${what}`,
});

/**
 * SERVER_TABLE_TYPES - the table types that ask a server. The scenario names
 * each one a configuration uses once, with its parameter (scenario/notices.ts).
 */
export const SERVER_TABLE_TYPES: readonly string[] = ['nis', 'memcache', 'socketmap', 'tcp'];

/** serverWhat - what a server table does here, for its notice; `server` is memcache's, read from its file. */
export function serverWhat(type: string, name: string, server?: string): string {
  switch (type) {
    case 'nis':
      return 'the host has no NIS domain, so every lookup finds nothing';
    case 'memcache':
      return server === undefined
        ? `nothing listens on the server ${name} names, as on a host without memcached`
        : `nothing listens on ${server}, as on a host without memcached`;
    case 'socketmap':
      return `nothing listens on ${name.slice(0, Math.max(0, name.lastIndexOf(':')))}`;
    default:
      return `nothing listens on ${name} (Postfix tries ten times, a second apart)`;
  }
}

/** connectError - what connecting to an endpoint gives where nothing listens: [what is named, reason]. */
function connectError(endpoint: string): [string, string] {
  if (endpoint.startsWith('unix:')) return [endpoint.slice(5), 'No such file or directory'];
  if (endpoint.startsWith('/')) return [endpoint, 'No such file or directory'];
  return [endpoint.startsWith('inet:') ? endpoint.slice(5) : endpoint, 'Connection refused'];
}

/** unreachable - a table whose every lookup fails to connect, with Postfix's warnings. */
function unreachable(type: string, name: string, fixed: boolean, warnings: (key: string) => Diagnostic[], reason: string, what: string): Table {
  const table = tableRecord(type, name, fixed, (key, spec): LookupResult => ({
    status: 'error',
    error: { severity: 'error', message: reason },
    warnings: warnings(key),
    trace: { table: spec, key, notes: [`no server: ${reason}`] },
  }));
  return { ...table, notices: [notice(type, what)] };
}

/** nis: tables. */
export const nisDriver: TableDriver = {
  open(type, name, options) {
    const diagnostics: Diagnostic[] = [];
    if (!NIS_INITIALIZED.has(options.host)) {
      NIS_INITIALIZED.add(options.host);
      diagnostics.push(warning('dict_nis_init: NIS domain name not set - NIS lookups disabled'));
    }
    const table = tableRecord(
      type,
      name,
      true,
      (key, spec): LookupResult => ({ status: 'notfound', trace: { table: spec, key, notes: ['NIS lookups disabled: no NIS domain name'] } }),
      diagnostics,
    );
    return { ...table, notices: [notice(type, serverWhat(type, name))] };
  },
};

/** memcache: tables. */
export const memcacheDriver: TableDriver = {
  open(type, name, options) {
    const read = readTableFile(options.host.readFile, name);
    if ('error' in read) return surrogateTable(type, name, read.error);
    const parsed = parseParameterFile(read.text, name);
    if ('error' in parsed) return surrogateTable(type, name, fatal(parsed.error));
    const server = cfgParserFromFile(name, parsed.params, parsed.diagnostics).getStr('memcache', 'inet:localhost:11211', 0, 0) ?? '';
    const [target, reason] = connectError(server);
    return unreachable(type, name, true, () => [warning(`connect to ${target}: ${reason}`)], reason, serverWhat(type, name, server));
  },
};

/** socketmap: tables. */
export const socketmapDriver: TableDriver = {
  open(type, name) {
    const colon = name.lastIndexOf(':');
    if (colon < 0) return surrogateTable(type, name, fatal('socketmap requires server:socketmap argument'), false);
    const server = name.slice(0, colon);
    const [target, reason] = connectError(server);
    const spec = `${type}:${name}`;
    return unreachable(
      type,
      name,
      false,
      () => [warning(`connect to ${target}: ${reason}`), warning(`table ${spec} lookup error: ${reason}`)],
      reason,
      serverWhat(type, name),
    );
  },
};

/** tcp: tables. */
export const tcpDriver: TableDriver = {
  open(type, name) {
    const reason = 'Connection refused';
    const attempts = Array.from({ length: 10 }, () => warning(`connect to TCP map ${name}: ${reason}`));
    return unreachable(type, name, false, () => attempts, reason, serverWhat(type, name));
  },
};
