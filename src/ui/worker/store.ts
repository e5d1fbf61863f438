/*
 * NAME
 *   store - the workspace's files as the worker keeps them between requests
 * DESCRIPTION
 *   The page sends each file once and then only what changed (FileSync),
 *   with a version number per file; a request that still sends the whole
 *   file set replaces everything. Every file read records which version it
 *   saw, so opened tables can be kept until a file they read changes
 *   (table-cache.ts). The environment is versioned the same way.
 *
 *   As `postfix-sim test` does, /etc/postfix/NAME.sql stands for the SQLite
 *   database NAME when there is no file NAME: buildSqlScripts() runs the
 *   script with sql.js (only when there is such a script) and keeps the
 *   database until the script changes. A script that fails gives no
 *   database, as `sqlite3 -bail` would not.
 */
import type { SqlJsStatic } from 'sql.js';
import type { Host } from '../../engine/index.ts';
import { loadSqlJs } from '../host.ts';
import type { FileSync } from './protocol.ts';

/** The version recorded for a file that did not exist when it was read. */
export const ABSENT = -1;

/** What a table read while it was opened: path -> version seen. */
export type Reads = Map<string, number>;

/** Where NAME.sql stands for the database NAME. */
const SQL_SCRIPT = /^\/etc\/postfix\/[^/]+\.sql$/;
let builds = 0;

export class FileStore {
  private readonly files = new Map<string, { version: number; bytes: Uint8Array }>();
  /** Databases built from NAME.sql, by NAME: the script's version, the build's own version, the bytes (none when the script failed). */
  private readonly built = new Map<string, { from: number; version: number; bytes?: Uint8Array }>();
  /** Bumped by whole-set replacements, so versions from before never match again. */
  private generation = 0;
  private environmentKey = '';
  environment: Record<string, string> = {};
  private readonly sqlJs: () => Promise<SqlJsStatic>;

  /** `sqlJs` loads sql.js (the browser's lazily loaded copy unless a test gives another). */
  constructor(sqlJs: () => Promise<SqlJsStatic> = loadSqlJs) {
    this.sqlJs = sqlJs;
  }

  /** Applies a request's files: the whole set, or the changes. */
  apply(request: { files?: [string, Uint8Array][]; sync?: FileSync; environment: Record<string, string> }): void {
    if (request.files) {
      this.files.clear();
      this.generation++;
      for (const [path, bytes] of request.files) this.files.set(path, { version: -2 - this.generation, bytes });
    }
    const sync = request.sync;
    if (sync) {
      if (sync.reset) this.files.clear();
      for (const path of sync.remove) this.files.delete(path);
      for (const f of sync.put) this.files.set(f.path, { version: f.version, bytes: f.bytes });
    }
    const key = JSON.stringify(request.environment);
    if (key !== this.environmentKey) {
      this.environmentKey = key;
      this.environment = request.environment;
    }
  }

  /** The version of a file now (ABSENT when it does not exist). */
  version(path: string): number {
    return this.files.get(path)?.version ?? this.built.get(path)?.version ?? ABSENT;
  }

  read(path: string): Uint8Array | undefined {
    return this.files.get(path)?.bytes ?? this.built.get(path)?.bytes;
  }

  /** Builds the databases that NAME.sql scripts stand for (see above); loads sql.js only when there is one to build. */
  async buildSqlScripts(): Promise<void> {
    const wanted = new Set<string>();
    for (const [path, f] of this.files) {
      if (!SQL_SCRIPT.test(path)) continue;
      const target = path.slice(0, -'.sql'.length);
      if (this.files.has(target)) continue;
      wanted.add(target);
      if (this.built.get(target)?.from === f.version) continue;
      const SQL = await this.sqlJs();
      const db = new SQL.Database();
      let bytes: Uint8Array | undefined;
      try {
        db.exec(new TextDecoder().decode(f.bytes));
        bytes = db.export();
      } catch {
        bytes = undefined;
      } finally {
        db.close();
      }
      this.built.set(target, { from: f.version, version: -1e9 - ++builds, ...(bytes && { bytes }) });
    }
    for (const target of [...this.built.keys()]) if (!wanted.has(target)) this.built.delete(target);
  }

  /** The environment as a string that changes when it does. */
  get environmentVersion(): string {
    return this.environmentKey;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  /** A Host over the files; `reads` (when given) records every file asked for, with its version. */
  host(reads?: Reads): Host {
    return {
      readFile: (path) => {
        reads?.set(path, this.version(path));
        return this.read(path);
      },
      environment: this.environment,
      loadSqlJs: this.sqlJs,
    };
  }

  /** True while every file in `reads` still has the version it had. */
  unchanged(reads: Reads): boolean {
    for (const [path, version] of reads) if (this.version(path) !== version) return false;
    return true;
  }
}
