/*
 * NAME
 *   archive - bring a configuration in, and take the workspace out
 * DESCRIPTION
 *   In: files, a folder, or a .tar, .tar.gz/.tgz or .zip of /etc/postfix
 *   (as `tar czf x.tgz /etc/postfix` or a zip of the directory makes it).
 *   Each file gets the path it has on the server: the directory holding
 *   main.cf is /etc/postfix; `etc/...` paths keep their place; anything
 *   else lands under /etc/postfix. `postconf -n` output (recognised by its
 *   form: sorted `name = value` lines and nothing else) is taken as main.cf
 *   when there is none. SQLite databases are kept as bytes; tables postmap
 *   built (Berkeley DB .db, .lmdb, .cdb) are left out with a note, because
 *   the simulator reads the source text that postmap built them from.
 *
 *   Out: one .tar.gz (or .zip) with the files at their paths below `/`
 *   (etc/postfix/main.cf, ...), so `tar -C / -xzf` puts them in place and
 *   `tar -C DIR -xzf` shows them under DIR/etc/postfix. The indexed tables
 *   must then be built with postmap/postalias: buildCommands lists them.
 */
import { gunzipSync, gzipSync, unzipSync, zipSync } from 'fflate';
import { isTar, readTar, writeTar } from './tar.ts';
import type { FileData } from './types.ts';

export const CONFIG = '/etc/postfix';
const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** A file found in what was brought in, by its path there. */
export interface Incoming {
  name: string;
  bytes: Uint8Array;
}

/** What an import gives: the files at their server paths, and what was left out and why. */
export interface Imported {
  files: FileData[];
  notes: string[];
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const isSqlite = (b: Uint8Array): boolean => b.length >= 16 && String.fromCharCode(...b.subarray(0, 16)) === SQLITE_MAGIC;
const isGzip = (b: Uint8Array): boolean => b[0] === 0x1f && b[1] === 0x8b;
const isZip = (b: Uint8Array): boolean => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Berkeley DB, LMDB and CDB files that postmap builds (not sources). */
const BUILT_SUFFIXES = ['.db', '.lmdb', '.cdb', '.dir', '.pag'];

/** unpack - the files inside an archive, or the file itself when it is not one. */
export function unpack(item: Incoming, notes: string[]): Incoming[] {
  try {
    if (isZip(item.bytes))
      return Object.entries(unzipSync(item.bytes))
        .filter(([name]) => !name.endsWith('/'))
        .map(([name, bytes]) => ({ name, bytes }));
    if (isGzip(item.bytes)) {
      const inner = gunzipSync(item.bytes);
      if (isTar(inner)) return readTar(inner).map((e) => ({ name: e.name, bytes: e.bytes }));
      return [{ name: item.name.replace(/\.gz$/i, ''), bytes: inner }];
    }
    if (/\.tar$/i.test(item.name) || isTar(item.bytes)) return readTar(item.bytes).map((e) => ({ name: e.name, bytes: e.bytes }));
  } catch (e) {
    notes.push(`${item.name}: not a readable archive (${(e as Error).message}); taken as a file`);
  }
  return [item];
}

/** True when `text` has the form of `postconf -n` output. */
export function looksLikePostconfN(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || !lines.every((l) => /^[a-z0-9_]+ = /.test(l) || /^[a-z0-9_]+ =$/.test(l))) return false;
  const names = lines.map((l) => l.slice(0, l.indexOf(' ')));
  return names.every((n, i) => i === 0 || names[i - 1]! <= n);
}

const clean = (name: string): string =>
  name
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .split('/')
    .filter((p) => p !== '' && p !== '.' && p !== '..')
    .join('/');

/** place - where each incoming file goes on the server. */
export function place(items: readonly Incoming[]): Imported {
  const notes: string[] = [];
  const files = items.flatMap((i) => unpack(i, notes)).map((i) => ({ ...i, name: clean(i.name) }));
  const mains = files.filter((f) => f.name === 'main.cf' || f.name.endsWith('/main.cf')).sort((a, b) => a.name.length - b.name.length);
  const base = mains[0] ? mains[0].name.slice(0, -'main.cf'.length) : undefined;
  const out: FileData[] = [];
  const taken = new Set<string>();
  for (const f of files) {
    let path: string;
    if (base !== undefined && f.name.startsWith(base)) path = `${CONFIG}/${f.name.slice(base.length)}`;
    else if (f.name.startsWith('etc/')) path = `/${f.name}`;
    else if (base === undefined && /^postfix\//.test(f.name)) path = `${CONFIG}/${f.name.slice('postfix/'.length)}`;
    else path = `${CONFIG}/${f.name}`;
    if (BUILT_SUFFIXES.some((s) => path.endsWith(s)) && !isSqlite(f.bytes)) {
      notes.push(`${path}: left out, a table postmap or postalias built; the simulator reads its source`);
      continue;
    }
    if (taken.has(path)) {
      notes.push(`${path}: given twice; the first one is kept`);
      continue;
    }
    taken.add(path);
    if (isSqlite(f.bytes) || f.bytes.includes(0)) {
      out.push({ path, bytes: f.bytes });
      continue;
    }
    let text: string;
    try {
      text = decoder.decode(f.bytes);
    } catch {
      text = new TextDecoder('latin1').decode(f.bytes);
      notes.push(`${path}: not UTF-8, read as Latin-1`);
    }
    out.push({ path, text: text.replace(/\r\n/g, '\n') });
  }
  if (!out.some((f) => f.path === `${CONFIG}/main.cf`)) {
    const pc = out.find((f) => f.text !== undefined && looksLikePostconfN(f.text));
    if (pc) {
      notes.push(`${pc.path}: postconf -n output, used as ${CONFIG}/main.cf`);
      pc.path = `${CONFIG}/main.cf`;
    }
  }
  return { files: out, notes };
}

/** The commands that build what the exported sources need, as the server would run them. */
export function buildCommands(references: readonly { type: string; path?: string; parameter: string }[]): string[] {
  const cmds = new Set<string>();
  for (const r of references) {
    if (!r.path || !['hash', 'btree', 'lmdb', 'cdb', 'dbm', 'sdbm'].includes(r.type)) continue;
    cmds.add(`${r.parameter === 'alias_maps' || r.parameter === 'alias_database' ? 'postalias' : 'postmap'} ${r.type}:${r.path}`);
  }
  return [...cmds].sort();
}

/** The files as archive entries below `/`. */
function entries(files: readonly FileData[]): { name: string; bytes: Uint8Array }[] {
  return files
    .filter((f) => f.path.startsWith('/'))
    .map((f) => ({ name: f.path.slice(1), bytes: f.bytes ?? encoder.encode(f.text ?? '') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** exportTarGz - the workspace as a .tar.gz of its paths. */
export function exportTarGz(files: readonly FileData[], mtime = Math.floor(Date.now() / 1000)): Uint8Array {
  const list = entries(files);
  const dirs = new Set<string>();
  for (const e of list) {
    const parts = e.name.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') + '/');
  }
  return gzipSync(writeTar([...[...dirs].sort().map((name) => ({ name, bytes: new Uint8Array() })), ...list], mtime));
}

/** exportZip - the same as a .zip. */
export function exportZip(files: readonly FileData[]): Uint8Array {
  return zipSync(Object.fromEntries(entries(files).map((e) => [e.name, e.bytes])));
}
