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
 *   (#smtpd, #resolve, #lookup, #database, #tests) and every change of view
 *   is a history entry, so Back moves between views; after the view, the
 *   fragment holds the whole workspace as a link (`#smtpd&w=1.…`, see
 *   share/), rewritten with each autosave.
 *
 *   An address that asks for a workspace (a link someone sent, a scenario,
 *   prefilled files) opens it as a new workspace beside the others (never
 *   over the user's work), unless it is the workspace already open. A
 *   reload shows what is saved (the address may lag the last keystrokes
 *   by the autosave's moment). In the embed mode (`?embed`) nothing is kept in the browser:
 *   the workspace comes from the address or from the host page.
 */
import { readAddress, readHash } from '../share/address.ts';
import { decodeLink } from '../share/link.ts';
import type { ProgressData } from '../share/link.ts';
import { fromAddress, sameWorkspace } from '../share/open.ts';
import type { Opened } from '../share/open.ts';
import { Share } from '../share/share.svelte.ts';
import { FIRST_VISIT } from './examples.ts';
import { Expectations } from './expectations.svelte.ts';
import { Live } from './live.svelte.ts';
import { openStore } from './persist.ts';
import type { SavedSummary, Store, UndoEntry } from './persist.ts';
import { emptyWorkspace } from './types.ts';
import type { FileData, View, WorkspaceData } from './types.ts';
import { Workspace } from './workspace.svelte.ts';

/** What the page's address asked for when it was opened. */
export const address = readAddress(location.search, location.hash);
/** The embed mode for iframes (`?embed`): minimal chrome, nothing kept in the browser. */
export const embedded = address.embed;

export const ws = new Workspace();
export const live = new Live(ws);
export const expectations = new Expectations(live, ws);

/** The result pane's tabs in the SMTP session view. */
export type ResultsTab = 'transcript' | 'log' | 'trace' | 'mail';

class Ui {
  resultsTab: ResultsTab = $state('transcript');
  /** The connection (0-based) of a dialogue of connections that the form edits and the results show. */
  connection = $state(0);
  /** The command (index among trace command nodes) the trace should open and show. */
  traceCommand: { index: number; seq: number } | undefined = $state.raw();
  /** A step of a nested trace (postscreen's dummy-engine commands) the trace should open to and show. */
  traceFocus: { node: object; seq: number } | undefined = $state.raw();
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
  /** The scenario library dialog. */
  library = $state(false);
  /** The share dialog. */
  sharing = $state(false);
  /** The embed mode's read-only flag (`?readonly`). */
  readOnly = $state(address.readonly);
}
export const ui = new Ui();

/** Exercise progress a link brought, for the exercise it belongs to (progress.svelte.ts takes it). */
export const linked: { progress?: ProgressData; scenario?: string } = {};

/** The workspace's link, kept in the address. */
export const share = new Share(ws, () => (ui.resultsTab !== 'transcript' ? { results: ui.resultsTab } : undefined), embedded);

let seq = 0;
/** Opens the trace of the `index`th command. */
export function showCommandTrace(index: number): void {
  ui.resultsTab = 'trace';
  ui.traceCommand = { index, seq: ++seq };
}

/** "Trace of this reply" for a step nested in a trace (postscreen answered the command itself). */
export function showTraceStep(node: object): void {
  ui.resultsTab = 'trace';
  ui.traceFocus = { node, seq: ++seq };
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

  /**
   * Restores the last workspace (or the first-visit example), opens what the
   * address asks for, and starts saving changes.
   */
  async init(): Promise<void> {
    let opened: Opened | undefined;
    try {
      opened = await fromAddress(address);
    } catch (e) {
      opened = { name: 'shared', notes: [`The address could not be used: ${(e as Error).message}`] };
    }
    if (opened && opened.notes.length > 0) ui.notes = [...opened.notes];
    this.store = embedded ? undefined : await openStore();
    if (!this.store) {
      this.status = 'unavailable';
      const state = opened?.state;
      if (state?.progress && state.workspace.scenario) Object.assign(linked, { progress: state.progress, scenario: state.workspace.scenario });
      ws.load(state?.workspace ?? FIRST_VISIT.data());
    } else {
      const name = (await this.store.getMeta<string>(CURRENT)) ?? 'default';
      const data = await this.store.load(name);
      ws.name = name;
      ws.load(data ?? FIRST_VISIT.data());
      this.undo = await this.store.getMeta<UndoEntry>(UNDO);
      await this.refresh();
      this.status = 'saved';
      // A reload (or Back into the page) shows what is saved: the address may lag the last keystrokes.
      if (opened?.state && !revisited()) await this.openState(opened, data === undefined);
    }
    if (address.view) ws.view = address.view;
    const results = opened?.state?.panes?.results ?? address.results;
    if (results) ui.resultsTab = results;
    share.update();
  }

  /**
   * Opens a linked workspace: nothing to do when it is the one open (a
   * reload), else a new workspace beside the others (`first`: nothing was
   * saved yet, so it simply becomes the workspace).
   */
  async openState(opened: Opened, first = false): Promise<void> {
    const state = opened.state;
    if (!state) return;
    if (state.progress && state.workspace.scenario) Object.assign(linked, { progress: state.progress, scenario: state.workspace.scenario });
    if (sameWorkspace(ws.data(), state.workspace)) return;
    if (!this.store || first) {
      // Nothing of the user's yet: the workspace is simply this (under its own name, so its link stays the same).
      if (first) ws.name = opened.untitled ? 'default' : this.freeName(opened.name);
      ws.load(state.workspace);
      await this.flush();
      await this.refresh();
      return;
    }
    const before = ws.name;
    const fresh = this.freeName(opened.name);
    await this.create(fresh, state.workspace);
    ui.toast = {
      text: `Opened as the new workspace “${fresh}”; “${before}” and your other workspaces are in the list at the top.`,
      action: { label: 'Switch back', run: () => void this.switchTo(before) },
    };
  }

  async refresh(): Promise<void> {
    if (this.store) this.workspaces = await this.store.list();
  }

  /** Saves a moment after the last change (call from an effect that read ws.changeKey()). */
  schedule(): void {
    if (this.store) this.status = 'saving';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), 400);
  }

  /** Saves now, and writes the workspace's link into the address. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    share.update();
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

/** The page was reloaded, or reached with Back or Forward (not opened from a link). */
function revisited(): boolean {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  return nav?.type === 'reload' || nav?.type === 'back_forward';
}

/** The view the URL fragment names, if any (#smtpd, #smtpd&w=...). */
export function viewFromHash(): View | undefined {
  return readHash(location.hash).view;
}

/** Shows a view; a history entry, so Back returns to the previous view. */
export function showView(view: View): void {
  if (ws.view === view) return;
  ws.view = view;
  share.write(true);
}

/**
 * Follows Back/Forward (the view only: the workspace stays as it is now)
 * and fragments typed or pasted into the address bar, which have no
 * history state: a link there opens like a link followed from elsewhere.
 */
export function followHistory(): () => void {
  const follow = (e: Event): void => {
    const { view, link } = readHash(location.hash);
    if (e.type === 'hashchange' && history.state === null && link && link !== share.link) {
      const d = decodeLink(link);
      if (d.ok) void saved.openState({ state: d.state, name: d.state.name ?? 'shared', notes: [] }).then(() => share.update());
      else ui.notes = [`This link could not be opened: ${d.error}.`];
      return;
    }
    if (view && view !== ws.view) ws.view = view;
  };
  window.addEventListener('popstate', follow);
  window.addEventListener('hashchange', follow);
  return () => {
    window.removeEventListener('popstate', follow);
    window.removeEventListener('hashchange', follow);
  };
}
