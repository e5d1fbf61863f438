/*
 * NAME
 *   host - what the engine's Host needs from the browser: SQLite on demand
 * DESCRIPTION
 *   SQLite (sql.js) is loaded on demand: its JS glue and its wasm are
 *   fetched only the first time a sqlite table or database is opened, then
 *   kept for the life of the worker. Files and the environment come from
 *   the worker's store (worker/store.ts).
 */
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
