/*
 * NAME
 *   link - a whole workspace in a URL fragment, and back
 * SYNOPSIS
 *   const text = encodeLink({ workspace, name });        // "1.<base64url>"
 *   const back = decodeLink(text);                        // { ok: true, state } | { ok: false, error }
 * DESCRIPTION
 *   A share link holds everything the workspace holds (files, SQLite
 *   databases as their bytes, DNS and other facts, sessions, the inputs of
 *   each view, which view and tabs are open), so nothing is uploaded and no
 *   server is needed: the fragment never leaves the browser.
 *
 *   The text is VERSION "." DATA. Version 1: DATA is base64url (RFC 4648
 *   section 5, no padding) of raw DEFLATE (RFC 1951) of a frame: the UTF-8
 *   JSON of a LinkState, then, when files have bytes, a NUL byte and the
 *   bytes of those files one after the other. In the JSON such a file is
 *   { "path": ..., "blob": [offset, length] } into that tail. (JSON text
 *   never contains a NUL byte, so the first NUL ends it.) The custom
 *   element (element/postfix-sim.ts) writes the same format with the
 *   browser's CompressionStream.
 *
 *   Links keep opening after the format changes: a new format gets a new
 *   version number and its own decoder beside the old ones (DECODERS), and
 *   the workspace inside goes through normalizeWorkspace, which accepts
 *   every older shape. tests/unit/share-link.test.ts decodes a committed
 *   version-1 link.
 */
import { deflateSync, inflateSync } from 'fflate';
import { normalizeWorkspace } from '../state/types.ts';
import type { FileData, WorkspaceData } from '../state/types.ts';

/** The version encodeLink writes. */
export const LINK_VERSION = 1;

/**
 * The longest link text the page offers (characters after `w=`). Browsers
 * take far longer addresses, but mail and chat programs cut long lines and
 * some servers log the whole address; about 75 KB of compressed workspace.
 */
export const LINK_LIMIT = 100_000;

/**
 * Above this many bytes of files the page does not even try: it would not
 * fit (tables compress about 5-7 times), and encoding runs on the page's
 * thread at each autosave (about 40 ms for this much).
 */
export const RAW_LIMIT = 600_000;

/** Which result tabs were open (the SMTP session's results). */
export type ResultsTabName = 'transcript' | 'log' | 'trace' | 'mail';

/** An exercise's progress, carried only when the sender asks for it. */
export interface ProgressData {
  hints: number;
  solved: boolean;
}

/** What a link carries. */
export interface LinkState {
  workspace: WorkspaceData;
  /** The workspace's name where it was made. */
  name?: string;
  /** Open tabs of the panes beyond the workspace's own (the SMTP results tab). */
  panes?: { results?: ResultsTabName };
  /** Exercise progress (hints shown, solved), only when the sender included it. */
  progress?: ProgressData;
}

export type Decoded = { ok: true; version: number; state: LinkState } | { ok: false; error: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/* base64url without padding, for bytes of any length. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  const out: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    chunk += ALPHABET[a >> 2]! + ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    if (b !== undefined) chunk += ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    if (c !== undefined) chunk += ALPHABET[c & 63]!;
    if (chunk.length > 8192) {
      out.push(chunk);
      chunk = '';
    }
  }
  out.push(chunk);
  return out.join('');
}

/** The bytes of a base64url text (padding and standard base64's + and / accepted); undefined when it is not base64. */
export function fromBase64Url(text: string): Uint8Array | undefined {
  const s = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (s.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const v = [0, 1, 2, 3].map((k) => (i + k < s.length ? (VALUES[s.charCodeAt(i + k)] ?? -1) : 0));
    if (v.some((x, k) => i + k < s.length && x < 0)) return undefined;
    const n = (v[0]! << 18) | (v[1]! << 12) | (v[2]! << 6) | v[3]!;
    out[o++] = (n >> 16) & 255;
    if (i + 2 < s.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < s.length) out[o++] = n & 255;
  }
  return out.subarray(0, o);
}

/** The files' size in bytes, without encoding anything. */
export function rawSize(workspace: WorkspaceData): number {
  let n = 0;
  for (const f of workspace.files) n += f.bytes ? f.bytes.length : (f.text?.length ?? 0);
  for (const s of workspace.sessions) n += s.dialogue.length;
  return n;
}

/** The frame of version 1: JSON, then (when any file has bytes) NUL and the bytes. */
function frameV1(state: LinkState): Uint8Array {
  const blobs: Uint8Array[] = [];
  let offset = 0;
  // Canonical: the same state always gives the same bytes (keys in one order, defaults filled).
  const workspace = normalizeWorkspace(state.workspace);
  const files = workspace.files.map((f): FileData | { path: string; blob: [number, number] } => {
    if (!f.bytes) return { path: f.path, text: f.text ?? '' };
    const at = offset;
    blobs.push(f.bytes);
    offset += f.bytes.length;
    return { path: f.path, blob: [at, f.bytes.length] };
  });
  const payload = {
    workspace: { ...workspace, files },
    ...(state.name !== undefined && { name: state.name }),
    ...(state.panes !== undefined && { panes: state.panes }),
    ...(state.progress !== undefined && { progress: { hints: state.progress.hints, solved: state.progress.solved } }),
  };
  const json = encoder.encode(JSON.stringify(payload));
  if (blobs.length === 0) return json;
  const frame = new Uint8Array(json.length + 1 + offset);
  frame.set(json, 0);
  frame[json.length] = 0;
  let at = json.length + 1;
  for (const b of blobs) {
    frame.set(b, at);
    at += b.length;
  }
  return frame;
}

/** encodeLink - the link text of a state (deterministic: the same state gives the same text). */
export function encodeLink(state: LinkState): string {
  return `${LINK_VERSION}.${toBase64Url(deflateSync(frameV1(state), { level: 6 }))}`;
}

function decodeV1(data: string): Decoded {
  const packed = fromBase64Url(data);
  if (!packed) return { ok: false, error: 'the link is cut or changed (it is not base64url)' };
  let frame: Uint8Array;
  try {
    frame = inflateSync(packed);
  } catch {
    return { ok: false, error: 'the link is cut or changed (its data does not decompress)' };
  }
  const nul = frame.indexOf(0);
  const jsonBytes = nul < 0 ? frame : frame.subarray(0, nul);
  const tail = nul < 0 ? new Uint8Array(0) : frame.subarray(nul + 1);
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(jsonBytes));
  } catch {
    return { ok: false, error: 'the link is cut or changed (its data is not JSON)' };
  }
  if (!raw || typeof raw !== 'object' || !('workspace' in raw)) return { ok: false, error: 'the link holds no workspace' };
  const r = raw as { workspace: { files?: unknown }; name?: unknown; panes?: unknown; progress?: unknown };
  const files: FileData[] = [];
  for (const f of Array.isArray(r.workspace.files) ? r.workspace.files : []) {
    if (!f || typeof f !== 'object' || typeof (f as { path?: unknown }).path !== 'string') continue;
    const { path, text, blob } = f as { path: string; text?: unknown; blob?: unknown };
    if (Array.isArray(blob)) {
      const [at, length] = blob as number[];
      if (typeof at !== 'number' || typeof length !== 'number' || at < 0 || at + length > tail.length)
        return { ok: false, error: `the link is cut (the bytes of ${path} are missing)` };
      files.push({ path, bytes: tail.slice(at, at + length) });
    } else files.push({ path, text: typeof text === 'string' ? text : '' });
  }
  const state: LinkState = { workspace: normalizeWorkspace({ ...r.workspace, files }) };
  if (typeof r.name === 'string' && r.name.trim() !== '') state.name = r.name;
  const results = (r.panes as { results?: unknown } | undefined)?.results;
  if (results === 'transcript' || results === 'log' || results === 'trace' || results === 'mail') state.panes = { results };
  const p = r.progress as Partial<ProgressData> | undefined;
  if (p && typeof p === 'object') state.progress = { hints: Math.max(0, Number(p.hints) || 0), solved: p.solved === true };
  return { ok: true, version: 1, state };
}

/** Every version ever written, so old links keep opening. */
const DECODERS: Record<number, (data: string) => Decoded> = { 1: decodeV1 };

/** decodeLink - the state in a link text (`1.DATA`); never throws. */
export function decodeLink(text: string): Decoded {
  const m = /^(\d+)\.(.*)$/s.exec(text.trim());
  if (!m) return { ok: false, error: 'the link has no version (it should start with a number and a dot)' };
  const decode = DECODERS[Number(m[1])];
  if (!decode) return { ok: false, error: `the link was made by a newer postfix-sim (link format ${m[1]}; this page reads up to ${LINK_VERSION})` };
  return decode(m[2]!);
}
