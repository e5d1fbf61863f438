/*
 * NAME
 *   app - the page's one workspace, its answers, and keeping work safe
 * DESCRIPTION
 *   `ws` (what the user made), `live` (the answers) and `ui` (which pane
 *   shows what) are shared by every component. `saved` keeps the workspace
 *   in IndexedDB: it comes back after a reload or a crash, several named
 *   workspaces sit side by side, and replacing the files (an example, a
 *   clear, an import into the current workspace) keeps the previous state
 *   for one undo, also across a reload. The view is in the URL fragment
 *   (#smtpd, #resolve, #lookup, #database) and every change of view is a
 *   history entry, so Back moves between views.
 */
import { FIRST_VISIT } from './examples.ts';
import { Live } from './live.svelte.ts';
import { openStore } from './persist.ts';
import type { SavedSummary, Store, UndoEntry } from './persist.ts';
import { emptyWorkspace, VIEWS } from './types.ts';
import type { FileData, View, WorkspaceData } from './types.ts';
import { Workspace } from './workspace.svelte.ts';

export const ws = new Workspace();
export const live = new Live(ws);

/** The result pane's tabs in the SMTP session view. */
export type ResultsTab = 'transcript' | 'log' | 'trace' | 'mail';

class Ui {
  resultsTab: ResultsTab = $state('transcript');
  /** The command (index among trace command nodes) the trace should open and show. */
  traceCommand: { index: number; seq: number } | undefined = $state.raw();
  /** A short message with an optional action (undo). */
  toast: { text: string; action?: { label: string; run: () => void } } | undefined = $state.raw();
  /** Import notes (what was left out and why). */
  notes: string[] = $state([]);
  /** Files brought in, waiting for the user to say where they go. */
  importing: { files: FileData[]; notes: string[] } | undefined = $state.raw();
  /** The "add file" dialog, with the path to start from. */
  adding: { path: string } | undefined = $state.raw();
  /** A question before replacing the workspace (an example, a clear). */
  confirming: { title: string; text: string; yes: string; run: () => void; alt?: { label: string; run: () => void } } | undefined = $state.raw();
}
export const ui = new Ui();

let seq = 0;
/** Opens the trace of the `index`th command. */
export function showCommandTrace(index: number): void {
  ui.resultsTab = 'trace';
  ui.traceCommand = { index, seq: ++seq };
}

const CURRENT = 'current';
const UNDO = 'undo';

class Saved {
  store: Store | undefined = $state.raw();
  /** idle: nothing to save; saving; saved; unavailable: no IndexedDB (work is not kept). */
  status: 'loading' | 'saved' | 'saving' | 'unavailable' = $state('loading');
  workspaces: SavedSummary[] = $state([]);
  undo: UndoEntry | undefined = $state.raw();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Restores the last workspace (or the first-visit example) and starts saving changes. */
  async init(): Promise<void> {
    this.store = await openStore();
    const hashView = viewFromHash();
    if (!this.store) {
      this.status = 'unavailable';
      ws.load(FIRST_VISIT.data());
    } else {
      const name = (await this.store.getMeta<string>(CURRENT)) ?? 'default';
      const data = await this.store.load(name);
      ws.name = name;
      ws.load(data ?? FIRST_VISIT.data());
      this.undo = await this.store.getMeta<UndoEntry>(UNDO);
      await this.refresh();
      this.status = 'saved';
    }
    if (hashView) ws.view = hashView;
    history.replaceState({ view: ws.view }, '', `#${ws.view}`);
  }

  async refresh(): Promise<void> {
    if (this.store) this.workspaces = await this.store.list();
  }

  /** Saves a moment after the last change (call from an effect that read ws.changeKey()). */
  schedule(): void {
    if (!this.store) return;
    this.status = 'saving';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), 400);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.store) return;
    const name = ws.name;
    await this.store.save(name, ws.data());
    await this.store.setMeta(CURRENT, name);
    if (!this.workspaces.some((w) => w.name === name)) await this.refresh();
    this.status = 'saved';
  }

  /** Replaces the current workspace's content, keeping the old one for undo. */
  async replace(data: WorkspaceData, label: string): Promise<void> {
    const before: UndoEntry = { workspace: ws.name, label, data: ws.data() };
    this.undo = before;
    ws.load(data);
    await this.store?.setMeta(UNDO, before);
    await this.flush();
    ui.toast = { text: `${label}.`, action: { label: 'Undo', run: () => void this.restoreUndo() } };
  }

  async restoreUndo(): Promise<void> {
    const u = this.undo;
    if (!u) return;
    if (u.workspace !== ws.name) await this.switchTo(u.workspace);
    ws.load(u.data);
    this.undo = undefined;
    await this.store?.setMeta(UNDO, undefined);
    await this.flush();
    ui.toast = { text: `Undone: ${u.label.toLowerCase()}.` };
  }

  /** Opens another saved workspace (the current one is saved first). */
  async switchTo(name: string): Promise<void> {
    await this.flush();
    const data = (await this.store?.load(name)) ?? emptyWorkspace();
    ws.name = name;
    ws.load(data);
    await this.flush();
  }

  /** A new workspace beside the others: empty, a copy of the current one, or given data. */
  async create(name: string, data: WorkspaceData): Promise<void> {
    await this.flush();
    ws.name = name;
    ws.load(data);
    await this.flush();
    await this.refresh();
  }

  async rename(to: string): Promise<void> {
    const from = ws.name;
    ws.name = to;
    await this.flush();
    if (from !== to) await this.store?.remove(from);
    await this.refresh();
  }

  async remove(name: string): Promise<void> {
    await this.store?.remove(name);
    await this.refresh();
    if (name === ws.name) {
      const next = this.workspaces[0]?.name;
      if (next) await this.switchTo(next);
      else await this.create('default', FIRST_VISIT.data());
    }
  }

  /** A name not taken yet: `base`, `base 2`, ... */
  freeName(base: string): string {
    const taken = [ws.name, ...this.workspaces.map((w) => w.name)];
    if (!taken.includes(base)) return base;
    for (let n = 2; ; n++) if (!taken.includes(`${base} ${n}`)) return `${base} ${n}`;
  }
}
export const saved = new Saved();

/** The view the URL fragment names, if any (#smtpd ...). */
export function viewFromHash(): View | undefined {
  return VIEWS.find((v) => `#${v.id}` === location.hash)?.id;
}

/** Shows a view; a history entry, so Back returns to the previous view. */
export function showView(view: View): void {
  if (ws.view === view) return;
  ws.view = view;
  history.pushState({ view }, '', `#${view}`);
}

/** Follows Back/Forward and links that change the fragment. */
export function followHistory(): () => void {
  const follow = (): void => {
    const v = viewFromHash();
    if (v && v !== ws.view) ws.view = v;
  };
  window.addEventListener('popstate', follow);
  window.addEventListener('hashchange', follow);
  return () => {
    window.removeEventListener('popstate', follow);
    window.removeEventListener('hashchange', follow);
  };
}
