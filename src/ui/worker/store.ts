/*
 * NAME
 *   store - the workspace's files as the worker keeps them between requests
 * DESCRIPTION
 *   The page sends each file once and then only what changed (FileSync),
 *   with a version number per file; a request that still sends the whole
 *   file set replaces everything. Every file read records which version it
 *   saw, so opened tables can be kept until a file they read changes
 *   (table-cache.ts). The environment is versioned the same way.
 */
import type { Host } from '../../engine/index.ts';
import { loadSqlJs } from '../host.ts';
import type { FileSync } from './protocol.ts';

/** The version recorded for a file that did not exist when it was read. */
export const ABSENT = -1;

/** What a table read while it was opened: path -> version seen. */
export type Reads = Map<string, number>;

export class FileStore {
  private readonly files = new Map<string, { version: number; bytes: Uint8Array }>();
  /** Bumped by whole-set replacements, so versions from before never match again. */
  private generation = 0;
  private environmentKey = '';
  environment: Record<string, string> = {};

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
    return this.files.get(path)?.version ?? ABSENT;
  }

  read(path: string): Uint8Array | undefined {
    return this.files.get(path)?.bytes;
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
      loadSqlJs,
    };
  }

  /** True while every file in `reads` still has the version it had. */
  unchanged(reads: Reads): boolean {
    for (const [path, version] of reads) if (this.version(path) !== version) return false;
    return true;
  }
}
