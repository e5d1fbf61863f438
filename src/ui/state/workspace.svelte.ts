/*
 * NAME
 *   workspace - the page's state: files, sessions, the inputs of each view
 * DESCRIPTION
 *   One workspace is what a postmaster has on a server: /etc/postfix with
 *   its tables, DNS and other facts, plus the sessions, addresses and
 *   lookups they try against it. Everything here turns into plain data
 *   (data(), types.ts) for saving, exporting and sharing, and back
 *   (load()). Files and dialogues are Docs: the editors write into them
 *   without making strings. `reveal()` asks the editors to show a line.
 *   Answers live elsewhere (live.svelte.ts); this holds only what the user made.
 */
import { Doc } from './doc.svelte.ts';
import { EMPTY_SESSION, emptyWorkspace, normalizeWorkspace } from './types.ts';
import type { FileData, SessionData, View, WorkspaceData } from './types.ts';
import type { Consumer } from '../../engine/index.ts';
import type { SyncFile } from '../worker/live-client.ts';

const encoder = new TextEncoder();

/** A file of the workspace at its server path. */
export class FileEntry {
  readonly doc: Doc;
  path = $state('');
  /** Set for binary files (SQLite databases); their text is empty. */
  bytes: Uint8Array | undefined = $state.raw();

  constructor(path: string, content: { text?: string; bytes?: Uint8Array }) {
    this.path = path;
    this.doc = new Doc(content.bytes ? '' : (content.text ?? ''));
    this.bytes = content.bytes;
  }

  get uid(): number {
    return this.doc.uid;
  }
  get version(): number {
    return this.doc.version;
  }
  get text(): string {
    return this.doc.text;
  }

  /** Replaces the content (text or bytes). */
  replace(content: { text?: string; bytes?: Uint8Array }): void {
    this.bytes = content.bytes;
    if (content.bytes) {
      this.doc.text = '';
      this.doc.touch();
    } else this.doc.text = content.text ?? '';
  }

  data(): FileData {
    return this.bytes ? { path: this.path, bytes: this.bytes } : { path: this.path, text: this.doc.text };
  }
}

/** One named SMTP client and its dialogue. */
export class Session {
  name = $state('');
  dialogue: Doc;
  clientAddr = $state('');
  clientName = $state('');
  service = $state('smtp');
  tls = $state(false);
  ccertFingerprint = $state('');
  ccertPkeyFingerprint = $state('');
  ccertVerified = $state(false);

  constructor(d: SessionData) {
    this.dialogue = new Doc(d.dialogue);
    this.name = d.name;
    this.clientAddr = d.clientAddr;
    this.clientName = d.clientName;
    this.service = d.service;
    this.tls = d.tls;
    this.ccertFingerprint = d.ccertFingerprint;
    this.ccertPkeyFingerprint = d.ccertPkeyFingerprint;
    this.ccertVerified = d.ccertVerified;
  }

  data(): SessionData {
    return {
      name: this.name,
      dialogue: this.dialogue.text,
      clientAddr: this.clientAddr,
      clientName: this.clientName,
      service: this.service,
      tls: this.tls,
      ccertFingerprint: this.ccertFingerprint,
      ccertPkeyFingerprint: this.ccertPkeyFingerprint,
      ccertVerified: this.ccertVerified,
    };
  }

  /** Everything the session's answer depends on besides the files (reactive). */
  key(): string {
    return [
      this.dialogue.version,
      this.clientAddr,
      this.clientName,
      this.service,
      this.tls,
      this.ccertFingerprint,
      this.ccertPkeyFingerprint,
      this.ccertVerified,
    ].join('\u0000');
  }
}

/** A request to show a line in its file's editor; `seq` makes each request new. */
export interface Reveal {
  path: string;
  line: number;
  seq: number;
}

let seq = 0;

export class Workspace {
  /** The name it is saved under. */
  name = $state('default');
  files: FileEntry[] = $state([]);
  environment = $state('');
  dnsPath = $state('/etc/postfix/dns');
  factsPath = $state('/etc/postfix/facts');
  sessions: Session[] = $state([]);
  session = $state(0);
  lookup = $state({ spec: '', key: '', noFold: false, consumer: '' as Consumer | '' });
  resolve = $state({ sender: '', addresses: '' });
  database = $state({ path: '', query: '', script: '', target: '' });
  view: View = $state('smtpd');
  open: string[] = $state([]);
  active = $state('');
  reveal: Reveal | undefined = $state.raw();

  constructor(data: WorkspaceData = emptyWorkspace()) {
    this.load(data);
  }

  get activeSession(): Session {
    return this.sessions[this.session] ?? this.sessions[0]!;
  }

  file(path: string): FileEntry | undefined {
    return this.files.find((f) => f.path === path);
  }

  /** Creates a file, or replaces the content of the file at `path`; opens it in a tab. */
  setFile(path: string, content: { text?: string; bytes?: Uint8Array }, open = true): FileEntry {
    let f = this.file(path);
    if (f) f.replace(content);
    else {
      f = new FileEntry(path, content);
      this.files.push(f);
    }
    if (open) this.openFile(path);
    return f;
  }

  removeFile(path: string): void {
    this.files = this.files.filter((f) => f.path !== path);
    this.closeTab(path);
  }

  /** Renames in place; false when `to` is taken or not an absolute path. */
  renameFile(from: string, to: string): boolean {
    const f = this.file(from);
    if (!f || !to.startsWith('/') || (to !== from && this.file(to))) return false;
    f.path = to;
    this.open = this.open.map((p) => (p === from ? to : p));
    if (this.active === from) this.active = to;
    return true;
  }

  openFile(path: string): void {
    if (!this.open.includes(path)) this.open.push(path);
    this.active = path;
  }

  closeTab(path: string): void {
    const i = this.open.indexOf(path);
    if (i < 0) return;
    this.open.splice(i, 1);
    if (this.active === path) this.active = this.open[Math.min(i, this.open.length - 1)] ?? '';
  }

  /** Shows `line` of `path` in its editor, opening the file. */
  show(path: string, line: number): void {
    if (!this.file(path)) return;
    this.openFile(path);
    this.reveal = { path, line, seq: ++seq };
  }

  addSession(name?: string): void {
    const n = this.sessions.length + 1;
    const copy = this.activeSession?.data();
    this.sessions.push(new Session({ ...EMPTY_SESSION, ...(copy && { ...copy, dialogue: copy.dialogue }), name: name ?? `session ${n}` }));
    this.session = this.sessions.length - 1;
  }

  removeSession(i: number): void {
    if (this.sessions.length <= 1) return;
    this.sessions.splice(i, 1);
    this.session = Math.min(this.session, this.sessions.length - 1);
  }

  /** Replaces everything with `data` (the name stays). */
  load(input: WorkspaceData): void {
    const data = normalizeWorkspace(input);
    this.files = data.files.map((f) => new FileEntry(f.path, f));
    this.environment = data.environment;
    this.dnsPath = data.dnsPath;
    this.factsPath = data.factsPath;
    this.sessions = data.sessions.map((s) => new Session(s));
    this.session = data.session;
    this.lookup = { ...data.lookup };
    this.resolve = { ...data.resolve };
    this.database = { ...data.database };
    this.view = data.view;
    const paths = data.files.map((f) => f.path);
    this.open = data.open.filter((p) => paths.includes(p));
    this.active = paths.includes(data.active) ? data.active : (this.open[0] ?? '');
    if (this.open.length === 0 && this.files[0]) this.openFile(this.files[0].path);
  }

  /** The workspace as plain data. */
  data(): WorkspaceData {
    return {
      format: 1,
      files: this.files.map((f) => f.data()),
      environment: this.environment,
      dnsPath: this.dnsPath,
      factsPath: this.factsPath,
      sessions: this.sessions.map((s) => s.data()),
      session: this.session,
      lookup: { ...this.lookup },
      resolve: { ...this.resolve },
      database: { ...this.database },
      view: this.view,
      open: [...this.open],
      active: this.active,
    };
  }

  /** The files as the worker client sends them (fresh bytes: they are transferred). */
  syncFiles(): SyncFile[] {
    return this.files.map((f) => ({ path: f.path, version: f.version, bytes: () => (f.bytes ? f.bytes.slice() : encoder.encode(f.text)) }));
  }

  /** Changes whenever any file changes (reactive). */
  filesKey(): string {
    return this.files.map((f) => `${f.path}\u0000${f.version}`).join('\u0001');
  }

  /** Changes whenever anything saved changes (reactive; cheap: versions, not texts). */
  changeKey(): string {
    return JSON.stringify([
      this.filesKey(),
      this.environment,
      this.dnsPath,
      this.factsPath,
      this.sessions.map((s) => [s.name, s.key()]),
      this.session,
      this.lookup,
      this.resolve,
      this.database,
      this.view,
      this.open,
      this.active,
    ]);
  }
}

/** The environment as NAME=value pairs (blank lines and `#` comments ignored). */
export function parseEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    const eq = l.indexOf('=');
    if (eq > 0) env[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return env;
}
