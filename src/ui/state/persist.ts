/*
 * NAME
 *   persist - workspaces kept in the browser (IndexedDB)
 * DESCRIPTION
 *   Each named workspace is one record (plain data, see types.ts); a small
 *   meta store remembers which one was open and the last state that an
 *   example or a clear replaced (for "undo", also after a reload). Nothing
 *   leaves the browser. Where IndexedDB is not available (some private
 *   modes, sandboxed frames) openStore answers undefined and the page
 *   works without saving, and says so.
 */
import { normalizeWorkspace } from './types.ts';
import type { WorkspaceData } from './types.ts';

const DB_NAME = 'postfix-sim';
const DB_VERSION = 1;

export interface SavedSummary {
  name: string;
  savedAt: number;
  files: number;
}

interface Record_ {
  name: string;
  savedAt: number;
  data: WorkspaceData;
}

/** What an example or a clear replaced, to undo it. */
export interface UndoEntry {
  workspace: string;
  label: string;
  data: WorkspaceData;
}

const promised = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

export class Store {
  private readonly db: IDBDatabase;
  constructor(db: IDBDatabase) {
    this.db = db;
  }

  private store(name: 'workspaces' | 'meta', mode: IDBTransactionMode): IDBObjectStore {
    return this.db.transaction(name, mode).objectStore(name);
  }

  async list(): Promise<SavedSummary[]> {
    const all = (await promised(this.store('workspaces', 'readonly').getAll())) as Record_[];
    return all.map((r) => ({ name: r.name, savedAt: r.savedAt, files: r.data.files.length })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async load(name: string): Promise<WorkspaceData | undefined> {
    const r = (await promised(this.store('workspaces', 'readonly').get(name))) as Record_ | undefined;
    return r && normalizeWorkspace(r.data);
  }

  async save(name: string, data: WorkspaceData): Promise<void> {
    await promised(this.store('workspaces', 'readwrite').put({ name, savedAt: Date.now(), data } satisfies Record_));
  }

  async remove(name: string): Promise<void> {
    await promised(this.store('workspaces', 'readwrite').delete(name));
  }

  async getMeta<T>(key: string): Promise<T | undefined> {
    return (await promised(this.store('meta', 'readonly').get(key))) as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const s = this.store('meta', 'readwrite');
    if (value === undefined) await promised(s.delete(key));
    else await promised(s.put(value, key));
  }
}

/** openStore - the browser's store, or undefined when there is none. */
export async function openStore(): Promise<Store | undefined> {
  if (typeof indexedDB === 'undefined') return undefined;
  try {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('workspaces')) db.createObjectStore('workspaces', { keyPath: 'name' });
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
    };
    return new Store(await promised(request));
  } catch {
    return undefined;
  }
}
