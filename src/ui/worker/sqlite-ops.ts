/*
 * NAME
 *   sqlite-ops - the database pane's requests: tables, pages of rows, statements, build from SQL
 * DESCRIPTION
 *   A database is a workspace file (the bytes of a .sqlite/.db file). It is
 *   opened in sql.js once per file version and kept while the version
 *   stays. Rows come a page at a time (LIMIT/OFFSET), so a table of 100,000
 *   rows costs one page. A statement that changes the database (rows or
 *   schema) returns the new bytes, which become the file's next version; a
 *   script builds a new database the same way. SQLite's own error message
 *   is returned as is.
 */
import type { Database, SqlValue } from 'sql.js';
import { loadSqlJs } from '../host.ts';
import type { FileStore } from './store.ts';
import type { Rows, SqliteRequest, SqliteResponse } from './protocol.ts';

type Answer = Omit<Extract<SqliteResponse, { ok: true }>, 'id' | 'ok' | 'elapsed'>;

/** Rows a statement returns to the page at most. */
export const QUERY_LIMIT = 1000;

let open: { path: string; version: number; db: Database } | undefined;

async function database(store: FileStore, path: string): Promise<Database | string> {
  const version = store.version(path);
  if (open && open.path === path && open.version === version) return open.db;
  open?.db.close();
  open = undefined;
  const bytes = store.read(path);
  if (!bytes) return `${path}: No such file or directory`;
  const SQL = await loadSqlJs();
  const db = new SQL.Database(bytes);
  try {
    db.exec('SELECT count(*) FROM sqlite_master');
  } catch (e) {
    db.close();
    return (e as Error).message;
  }
  open = { path, version, db };
  return db;
}

const cell = (v: SqlValue): string | null => (v === null ? null : v instanceof Uint8Array ? `<blob, ${v.length} bytes>` : String(v));
const quoteId = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function schema(db: Database): Answer['tables'] {
  const r = db.exec("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  return (r[0]?.values ?? []).map(([name, sql]) => ({
    name: String(name),
    sql: String(sql ?? ''),
    rows: Number(db.exec(`SELECT count(*) FROM ${quoteId(String(name))}`)[0]?.values[0]?.[0] ?? 0),
  }));
}

function rowsOf(result: { columns: string[]; values: SqlValue[][] } | undefined, total: number): Rows {
  return { columns: result?.columns ?? [], rows: (result?.values ?? []).slice(0, QUERY_LIMIT).map((r) => r.map(cell)), total };
}

/** The database's shape: tables and their statements, to see whether a statement changed it. */
const fingerprint = (db: Database): string => JSON.stringify([db.exec('SELECT total_changes()'), db.exec('SELECT group_concat(sql) FROM sqlite_master')]);

/** runSqlite - one database request. */
export async function runSqlite(store: FileStore, req: SqliteRequest): Promise<Answer> {
  if (req.op === 'build') {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    try {
      db.exec(req.sql);
      return { tables: schema(db), bytes: db.export() };
    } catch (e) {
      return { error: (e as Error).message };
    } finally {
      db.close();
    }
  }
  const db = await database(store, req.path);
  if (typeof db === 'string') return { error: db };
  try {
    if (req.op === 'schema') return { tables: schema(db) };
    if (req.op === 'rows') {
      const total = Number(db.exec(`SELECT count(*) FROM ${quoteId(req.table)}`)[0]?.values[0]?.[0] ?? 0);
      const r = db.exec(`SELECT * FROM ${quoteId(req.table)} LIMIT ${Math.max(1, Math.min(req.limit, QUERY_LIMIT))} OFFSET ${Math.max(0, req.offset)}`);
      const rows = rowsOf(r[0], total);
      if (!r[0]) rows.columns = (db.exec(`PRAGMA table_info(${quoteId(req.table)})`)[0]?.values ?? []).map((c) => String(c[1]));
      return { rows };
    }
    const before = fingerprint(db);
    const results = db.exec(req.sql);
    const last = results[results.length - 1];
    const out: Answer = { rows: rowsOf(last, last?.values.length ?? 0) };
    if (fingerprint(db) !== before) {
      out.changed = db.getRowsModified();
      out.bytes = db.export();
      out.tables = schema(db);
      // The open copy is now ahead of the file; the next request opens the new version.
      db.close();
      open = undefined;
    }
    return out;
  } catch (e) {
    return { error: (e as Error).message };
  }
}
