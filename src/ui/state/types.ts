/*
 * NAME
 *   types - a workspace as plain data
 * DESCRIPTION
 *   What is saved in the browser (IndexedDB), exported, and later put in
 *   a share link: only plain values (strings, numbers, booleans, arrays,
 *   objects, and Uint8Array for binary files), no classes, no functions.
 *   `format` is bumped when the shape changes; readers accept older ones.
 */
import type { Consumer } from '../../engine/index.ts';

export const WORKSPACE_FORMAT = 1;

/** The page's views, each one URL fragment (#smtpd, ...). */
export type View = 'smtpd' | 'resolve' | 'lookup' | 'database';

export const VIEWS: readonly { id: View; title: string; short: string }[] = [
  { id: 'smtpd', title: 'SMTP session', short: 'Session' },
  { id: 'resolve', title: 'Address resolution', short: 'Addresses' },
  { id: 'lookup', title: 'Table lookup', short: 'Lookup' },
  { id: 'database', title: 'SQLite databases', short: 'Databases' },
];

/** A file: text, or bytes for a binary file (an SQLite database). */
export interface FileData {
  path: string;
  text?: string;
  bytes?: Uint8Array;
}

/** One SMTP client: who connects, with which TLS facts, and what it types. */
export interface SessionData {
  name: string;
  dialogue: string;
  /** Empty: from `# client:` in the dialogue, else 127.0.0.1. */
  clientAddr: string;
  clientName: string;
  /** The master.cf inet service it connects to. */
  service: string;
  tls: boolean;
  ccertFingerprint: string;
  ccertPkeyFingerprint: string;
  ccertVerified: boolean;
}

export interface WorkspaceData {
  format: number;
  files: FileData[];
  /** NAME=value lines, for environ: tables. */
  environment: string;
  /** The DNS facts and the policy/verify facts files. */
  dnsPath: string;
  factsPath: string;
  sessions: SessionData[];
  /** Index of the session shown. */
  session: number;
  lookup: { spec: string; key: string; noFold: boolean; consumer: Consumer | '' };
  resolve: { sender: string; addresses: string };
  database: { path: string; query: string; script: string; target: string };
  view: View;
  /** Paths of the files open in tabs, and the one shown. */
  open: string[];
  active: string;
}

export const EMPTY_SESSION: SessionData = {
  name: 'session 1',
  dialogue: 'EHLO client.example\nMAIL FROM:<sender@example.org>\nRCPT TO:<user@example.com>\nQUIT\n',
  clientAddr: '',
  clientName: '',
  service: 'smtp',
  tls: false,
  ccertFingerprint: '',
  ccertPkeyFingerprint: '',
  ccertVerified: false,
};

/** The SQL script a new database starts from. */
export const SQL_STARTER = `-- A table for sqlite_table(5): point a .cf file's dbpath at the database
-- and its query at the table, e.g. query = SELECT dest FROM aliases WHERE src = '%s'
CREATE TABLE aliases (src TEXT PRIMARY KEY, dest TEXT NOT NULL);
INSERT INTO aliases VALUES ('info@example.com', 'alice@example.com');
`;

/** A workspace with nothing in it. */
export function emptyWorkspace(): WorkspaceData {
  return {
    format: WORKSPACE_FORMAT,
    files: [],
    environment: '',
    dnsPath: '/etc/postfix/dns',
    factsPath: '/etc/postfix/facts',
    sessions: [{ ...EMPTY_SESSION }],
    session: 0,
    lookup: { spec: '', key: '', noFold: false, consumer: '' },
    resolve: { sender: '', addresses: '' },
    database: { path: '', query: '', script: SQL_STARTER, target: '/etc/postfix/data.sqlite' },
    view: 'smtpd',
    open: [],
    active: '',
  };
}

/** Any saved or imported value as a workspace: missing fields get their defaults. */
export function normalizeWorkspace(value: unknown): WorkspaceData {
  const base = emptyWorkspace();
  if (!value || typeof value !== 'object') return base;
  const v = value as Partial<WorkspaceData>;
  const sessions = Array.isArray(v.sessions) && v.sessions.length > 0 ? v.sessions.map((s) => ({ ...EMPTY_SESSION, ...s })) : base.sessions;
  return {
    ...base,
    ...v,
    format: WORKSPACE_FORMAT,
    files: Array.isArray(v.files) ? v.files.filter((f) => f && typeof f.path === 'string') : [],
    sessions,
    session: Math.min(Math.max(0, v.session ?? 0), sessions.length - 1),
    lookup: { ...base.lookup, ...v.lookup },
    resolve: { ...base.resolve, ...v.resolve },
    database: { ...base.database, ...v.database },
    view: VIEWS.some((x) => x.id === v.view) ? v.view! : base.view,
    open: Array.isArray(v.open) ? v.open : [],
  };
}
