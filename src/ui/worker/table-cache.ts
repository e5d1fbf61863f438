/*
 * NAME
 *   table-cache - opened tables kept between requests while their files are unchanged
 * DESCRIPTION
 *   Opening a table parses its source (a 5 MB table takes a while); a
 *   keystroke in main.cf or in the dialogue should not pay that again. Each
 *   table is kept with the versions of the files it read while opening
 *   (its source, a sqlite database, a .cf file), and reopened only when one
 *   of them changed. A table that read main.cf parameters while opening
 *   (legacy sqlite settings, proxy) is kept only for the same parameters.
 *   The engine sees the ordinary TableCache interface.
 */
import { daemonOpenOptions, openTable } from '../../engine/index.ts';
import type { ParameterView, Table, TableCache } from '../../engine/index.ts';
import type { FileStore, Reads } from './store.ts';

interface Entry {
  table: Promise<Table>;
  reads: Reads;
  environment: string;
  /** The parameters the table read while opening, if it read any. */
  params?: ParameterView;
}

/** Tables kept at most; the least recently used go first. */
const LIMIT = 300;

export class PersistentTableCache {
  private readonly entries = new Map<string, Entry>();
  private readonly store: FileStore;
  /** Opens and reuses since creation, for the benchmark's figures. */
  readonly stats = { opened: 0, reused: 0 };

  constructor(store: FileStore) {
    this.store = store;
  }

  /** The cache as the engine uses it: daemon flags, main.cf parameters from `params`. */
  forParams(params?: ParameterView): TableCache {
    // Alias databases and UTF-8 mode depend on the parameters: the signature keeps them apart.
    const { signature } = daemonOpenOptions(this.store.host(), params);
    return {
      open: (spec, flags = {}) =>
        this.get(`d\0${spec}\0${flags.noRegsub ? 1 : 0}\0${signature}`, params, (host, mainCf) => {
          const { options } = daemonOpenOptions(host, params);
          return openTable(spec, { ...options, ...(flags.noRegsub && { noRegsub: true }), ...(mainCf && { mainCf }) });
        }),
    };
  }

  /** A table as postmap opens it (`-f`: no folding, built without folding). */
  postmap(spec: string, noFold: boolean): Promise<Table> {
    return this.get(`p\0${spec}\0${noFold ? 1 : 0}`, undefined, (host) => openTable(spec, { host, foldFixed: !noFold, builtWithoutFolding: noFold }));
  }

  private get(
    key: string,
    params: ParameterView | undefined,
    open: (host: ReturnType<FileStore['host']>, mainCf?: (name: string) => string | undefined) => Promise<Table>,
  ): Promise<Table> {
    const old = this.entries.get(key);
    if (old && this.valid(old, params)) {
      this.entries.delete(key);
      this.entries.set(key, old);
      this.stats.reused++;
      return old.table;
    }
    if (old) this.drop(key, old);
    const reads: Reads = new Map();
    const entry: Entry = { reads, environment: this.store.environmentVersion, table: Promise.resolve(undefined as unknown as Table) };
    const mainCf = params
      ? (name: string): string | undefined => {
          entry.params = params;
          return params.dynamic.get(name);
        }
      : undefined;
    entry.table = open(this.store.host(reads), mainCf);
    this.entries.set(key, entry);
    this.stats.opened++;
    if (this.entries.size > LIMIT) {
      const [oldest, e] = this.entries.entries().next().value as [string, Entry];
      this.drop(oldest, e);
    }
    return entry.table;
  }

  private valid(e: Entry, params: ParameterView | undefined): boolean {
    if (e.params && e.params !== params) return false;
    return e.environment === this.store.environmentVersion && this.store.unchanged(e.reads);
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    void e.table.then((t) => t.close?.()).catch(() => undefined);
  }
}
