/*
 * NAME
 *   open - the workspace an address asks for
 * DESCRIPTION
 *   From the fragment's link (share/link.ts) and the query's parameters
 *   (share/address.ts): a bundled scenario (loaded on demand with the
 *   library's chunk), then prefilled files, session, addresses and lookup
 *   laid over it (or over the link's workspace, or an empty one), then the
 *   view. What cannot be used is said in `notes`, in words.
 */
import { emptyWorkspace, EMPTY_SESSION } from '../state/types.ts';
import type { WorkspaceData } from '../state/types.ts';
import { prefills } from './address.ts';
import type { AddressRequest } from './address.ts';
import { decodeLink, encodeLink } from './link.ts';
import type { LinkState } from './link.ts';

/** What the address opens: a state (when it asks for one) and notes about what it could not use. */
export interface Opened {
  state?: LinkState;
  /** The name a new workspace for it gets. */
  name: string;
  /** Nobody named it (a link made from a workspace called "default", prefilled files). */
  untitled?: boolean;
  notes: string[];
}

/** Same content (files, sessions, inputs, view): the same canonical link. */
export const sameWorkspace = (a: WorkspaceData, b: WorkspaceData): boolean => encodeLink({ workspace: a }) === encodeLink({ workspace: b });

function applyPrefills(base: WorkspaceData, a: AddressRequest): WorkspaceData {
  const w: WorkspaceData = { ...base, files: [...base.files], sessions: [...base.sessions] };
  for (const f of a.files) {
    const i = w.files.findIndex((x) => x.path === f.path);
    if (i >= 0) w.files[i] = { path: f.path, text: f.text };
    else w.files.push({ path: f.path, text: f.text });
  }
  if (a.files.length > 0) {
    const paths = a.files.map((f) => f.path);
    w.open = [...new Set([...paths, ...w.open.filter((p) => !paths.includes(p))])];
    w.active = paths[0]!;
  }
  if (a.session !== undefined || a.client !== undefined || a.service !== undefined) {
    const s = { ...(w.sessions[w.session] ?? EMPTY_SESSION) };
    if (a.session !== undefined) {
      s.dialogue = a.session;
      s.name = 'session 1';
    }
    if (a.client) {
      s.clientAddr = a.client.addr;
      s.clientName = a.client.name ?? '';
    }
    if (a.service) s.service = a.service;
    if (a.session !== undefined) {
      w.sessions = [s];
      w.session = 0;
    } else w.sessions[w.session] = s;
    w.view = 'smtpd';
  }
  if (a.addresses || a.sender !== undefined) {
    w.resolve = { sender: a.sender ?? w.resolve.sender, addresses: a.addresses ? a.addresses.map((x) => `${x}\n`).join('') : w.resolve.addresses };
    if (a.addresses) w.view = 'resolve';
  }
  if (a.lookup) {
    w.lookup = { ...w.lookup, spec: a.lookup.spec || w.lookup.spec, key: a.lookup.key };
    w.view = 'lookup';
  }
  return w;
}

/** fromAddress - what the address opens, or undefined when it asks for nothing. */
export async function fromAddress(a: AddressRequest): Promise<Opened | undefined> {
  const notes = [...a.problems];
  let state: LinkState | undefined;
  let name = 'shared';
  let untitled = true;
  if (a.link) {
    const d = decodeLink(a.link);
    if (d.ok) {
      state = d.state;
      if (d.state.name) [name, untitled] = [d.state.name, false];
    } else notes.push(`This link could not be opened: ${d.error}.`);
  }
  if (prefills(a)) {
    let base = state?.workspace ?? emptyWorkspace();
    if (a.scenario !== undefined) {
      const { SCENARIOS, scenarioNamed } = await import('../library/scenarios.ts');
      const { scenarioWorkspace } = await import('../library/workspace.ts');
      const s = scenarioNamed(a.scenario);
      if (s) {
        base = scenarioWorkspace(s, { solution: a.solution && s.exercise });
        [name, untitled] = [s.name, false];
      } else notes.push(`There is no scenario “${a.scenario}” in the library; its scenarios are ${SCENARIOS.map((x) => x.name).join(', ')}.`);
    } else if (!state) name = 'from a link';
    state = { ...state, workspace: applyPrefills(base, a) };
  }
  if (state && a.view) state.workspace = { ...state.workspace, view: a.view };
  if (state && a.results) state.panes = { ...state.panes, results: a.results };
  if (!state && notes.length === 0) return undefined;
  return { ...(state && { state }), name, ...(untitled && { untitled }), notes };
}
