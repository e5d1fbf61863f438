/*
 * NAME
 *   host - the engine's Host in the browser
 * DESCRIPTION
 *   Files are kept in memory (path -> bytes), the environment is whatever
 *   the page gives (a browser has none of its own), and SQLite (sql.js) is
 *   loaded on demand: its JS glue and its wasm are fetched only the first
 *   time a sqlite table is opened, then cached for the life of the worker.
 */
import type { Host } from '../engine/index.ts';
import type { SqlJsStatic } from 'sql.js';

let sqlJs: Promise<SqlJsStatic> | undefined;

/** loadSqlJs - sql.js with its wasm, loaded once on first use. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (async () => {
    const [{ default: initSqlJs }, { default: wasmUrl }] = await Promise.all([import('sql.js'), import('sql.js/dist/sql-wasm-browser.wasm?url')]);
    // useOldExtensionFunctions is not in @types/sql.js (stack-notes §3).
    const config = { locateFile: () => wasmUrl, useOldExtensionFunctions: false };
    return initSqlJs(config as Parameters<typeof initSqlJs>[0]);
  })();
  // A failed load (e.g. network) may be retried by the next request.
  sqlJs.catch(() => (sqlJs = undefined));
  return sqlJs;
}

/** createHost - a Host reading from an in-memory file set. */
export function createHost(files: ReadonlyMap<string, Uint8Array>, environment: Readonly<Record<string, string>> = {}): Host {
  return {
    readFile: (path) => files.get(path),
    environment,
    loadSqlJs,
  };
}

/** parseEnvironment - `NAME=value` lines (blank lines and `#` comments ignored). */
export function parseEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    env[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return env;
}
