/*
 * NAME
 *   node-host - the engine's Host under Node
 * DESCRIPTION
 *   Reads files from disk. With a configuration directory DIR (postmap -c),
 *   a path under /etc/postfix/ is read from the same name under DIR, so one
 *   directory of files runs unchanged on real Postfix (as /etc/postfix) and
 *   in the simulator. withSqlScripts() lets `NAME.sql` stand for the
 *   SQLite database NAME it builds (as the scenario library keeps them).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../engine/index.ts';

/** The directory real Postfix reads its configuration from. */
export const DEFAULT_CONFIG_DIRECTORY = '/etc/postfix';

/** resolveConfigPath - where a path Postfix would open lives on this disk. */
export function resolveConfigPath(path: string, configDirectory?: string): string {
  if (configDirectory === undefined || configDirectory === DEFAULT_CONFIG_DIRECTORY) return path;
  const prefix = DEFAULT_CONFIG_DIRECTORY + '/';
  return path.startsWith(prefix) ? join(configDirectory, path.slice(prefix.length)) : path;
}

/**
 * createNodeHost - a Host reading the real file system, optionally rooted at a
 * config directory (which then stands for /etc/postfix).
 */
export function createNodeHost(options: { configDirectory?: string; environment?: Record<string, string> } = {}): Host {
  const { configDirectory } = options;
  return {
    readFile(path: string): Uint8Array | undefined {
      try {
        return readFileSync(resolveConfigPath(path, configDirectory));
      } catch {
        return undefined;
      }
    },
    environment: postfixEnvironment(options.environment ?? process.env),
    async loadSqlJs() {
      const { default: initSqlJs } = await import('sql.js');
      return initSqlJs();
    },
  };
}

/**
 * postfixEnvironment - the environment a Postfix command sees: the caller's,
 * plus import_environment's LANG=C and the logging tag.
 */
function postfixEnvironment(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env['LANG'] = 'C';
  env['MAIL_LOGTAG'] ??= 'postfix';
  return env;
}

/**
 * withSqlScripts - `host` where /etc/postfix/NAME, when DIR has no NAME but
 * has NAME.sql, is the SQLite database that script builds (with sql.js, as
 * sqlite3 would). Scripts that fail to run are left as they are: the table
 * then fails to open, as it would without the database.
 */
export async function withSqlScripts(host: Host, dir: string): Promise<Host> {
  const scripts = readdirSync(dir).filter((f) => f.endsWith('.sql') && !existsSync(join(dir, f.slice(0, -'.sql'.length))));
  if (scripts.length === 0 || !host.loadSqlJs) return host;
  const SQL = await host.loadSqlJs();
  const databases = new Map<string, Uint8Array>();
  for (const f of scripts) {
    const db = new SQL.Database();
    try {
      db.exec(readFileSync(join(dir, f), 'utf8'));
      databases.set(`${DEFAULT_CONFIG_DIRECTORY}/${f.slice(0, -'.sql'.length)}`, db.export());
    } catch {
      // sqlite3 -bail would have stopped too: no database.
    } finally {
      db.close();
    }
  }
  return { ...host, readFile: (path) => databases.get(path)?.slice() ?? host.readFile(path) };
}
