/*
 * NAME
 *   address - what the page's address asks for: a link's workspace, a scenario, prefilled files, a view, embedding
 * SYNOPSIS
 *   const asked = readAddress(location.search, location.hash);
 *   history.replaceState(null, '', addressHash('smtpd', link));    // "#smtpd&w=1.…"
 * DESCRIPTION
 *   The fragment (never sent to a server) holds the view and, once the
 *   user has worked, the whole workspace: `#VIEW&w=LINK` (share/link.ts).
 *   A fragment with only a view (`#resolve`) opens the workspace saved in
 *   the browser on that view.
 *
 *   The query holds what documentation authors write by hand (README,
 *   "URL parameters"):
 *     scenario=NAME            a bundled scenario (tests/golden/scenarios/NAME)
 *     solution                 with it, an exercise's reference answer laid over it
 *     view=VIEW                smtpd, resolve, lookup, database or tests
 *     file=PATH&text=TEXT      a file (PATH relative to /etc/postfix unless absolute);
 *                              repeat the pair for more files; a file=PATH without text is empty
 *     session=DIALOGUE         the SMTP dialogue, as typed into telnet (newlines as %0A)
 *     client=ADDR[,NAME]       who connects; service=NAME: the master.cf service
 *     addresses=A,B            addresses for the resolution view (commas or newlines); sender=S
 *     lookup=TYPE:NAME&key=K   the lookup box
 *     results=TAB              transcript, log, trace or mail
 *     embed                    the embed mode for iframes; readonly; panes=P,Q (embed/panes.ts)
 *   Unknown parameters are reported, not silently dropped.
 */
import { VIEWS } from '../state/types.ts';
import type { View } from '../state/types.ts';
import type { ResultsTabName } from './link.ts';

export interface AddressRequest {
  /** From the fragment: a share link (`1.…`). */
  link?: string;
  /** From the fragment or ?view=. */
  view?: View;
  scenario?: string;
  solution: boolean;
  files: { path: string; text: string }[];
  session?: string;
  client?: { addr: string; name?: string };
  service?: string;
  addresses?: string[];
  sender?: string;
  lookup?: { spec: string; key: string };
  results?: ResultsTabName;
  embed: boolean;
  readonly: boolean;
  panes?: string[];
  /** Parameters the page does not know, and values it cannot use, in words. */
  problems: string[];
}

const RESULTS: readonly ResultsTabName[] = ['transcript', 'log', 'trace', 'mail'];
const isView = (v: string | null): v is View => v !== null && VIEWS.some((x) => x.id === v);

/** A file path as authors may write it: relative paths are under /etc/postfix. */
export const configPath = (p: string): string => (p.startsWith('/') ? p : `/etc/postfix/${p.replace(/^\.\//, '')}`);

/** The fragment's parts: `#smtpd&w=1.abc` -> view smtpd, link 1.abc. */
export function readHash(hash: string): { view?: View; link?: string } {
  const out: { view?: View; link?: string } = {};
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? ['', part] : [part.slice(0, eq), part.slice(eq + 1)];
    if ((k === '' || k === 'view') && isView(v)) out.view = v;
    else if (k === 'w' && v !== '') out.link = v;
  }
  return out;
}

/** readAddress - everything the address asks for; never throws. */
export function readAddress(search: string, hash: string): AddressRequest {
  const q = new URLSearchParams(search);
  const out: AddressRequest = { ...readHash(hash), solution: false, files: [], embed: false, readonly: false, problems: [] };
  let pending: string | undefined;
  const flush = (): void => {
    if (pending !== undefined) out.files.push({ path: pending, text: '' });
    pending = undefined;
  };
  for (const [k, v] of q) {
    switch (k) {
      case 'file':
        flush();
        if (v.trim() === '' || v.endsWith('/')) out.problems.push(`file=${v}: give a file's path, e.g. file=main.cf`);
        else pending = configPath(v.trim());
        break;
      case 'text':
        if (pending === undefined) out.problems.push('text= without a file= before it');
        else {
          out.files.push({ path: pending, text: v });
          pending = undefined;
        }
        break;
      case 'scenario':
        out.scenario = v.trim();
        break;
      case 'solution':
        out.solution = v !== '0' && v !== 'false';
        break;
      case 'view':
        if (isView(v)) out.view = v;
        else out.problems.push(`view=${v}: the views are ${VIEWS.map((x) => x.id).join(', ')}`);
        break;
      case 'session':
        out.session = v.endsWith('\n') || v === '' ? v : `${v}\n`;
        break;
      case 'client': {
        const [addr = '', name] = v.split(',', 2).map((s) => s.trim());
        out.client = { addr, ...(name && { name }) };
        break;
      }
      case 'service':
        out.service = v.trim();
        break;
      case 'addresses':
        out.addresses = v
          .split(/[,\n]/)
          .map((s) => s.trim())
          .filter((s) => s !== '');
        break;
      case 'sender':
        out.sender = v.trim();
        break;
      case 'lookup':
        out.lookup = { spec: v.trim(), key: out.lookup?.key ?? '' };
        break;
      case 'key':
        out.lookup = { spec: out.lookup?.spec ?? '', key: v };
        break;
      case 'results':
        if ((RESULTS as readonly string[]).includes(v)) out.results = v as ResultsTabName;
        else out.problems.push(`results=${v}: one of ${RESULTS.join(', ')}`);
        break;
      case 'embed':
        out.embed = v !== '0' && v !== 'false';
        break;
      case 'readonly':
        out.readonly = v !== '0' && v !== 'false';
        break;
      case 'panes':
        out.panes = v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        break;
      default:
        out.problems.push(`unknown parameter ${k}= (see the README, "URL parameters")`);
    }
  }
  flush();
  return out;
}

/** True when the query prefills anything (the page then builds a workspace from it). */
export const prefills = (a: AddressRequest): boolean =>
  a.scenario !== undefined ||
  a.files.length > 0 ||
  a.session !== undefined ||
  a.client !== undefined ||
  a.service !== undefined ||
  a.addresses !== undefined ||
  a.sender !== undefined ||
  a.lookup !== undefined;

/** addressHash - the fragment for a view and (when it fits) the workspace's link. */
export const addressHash = (view: View, link?: string): string => `#${view}${link ? `&w=${link}` : ''}`;

/** The full page's address for a view and link, from the page's own address (no query: the link says everything). */
export const pageUrl = (here: string, view: View, link?: string): string => {
  const u = new URL(here);
  return `${u.origin === 'null' ? '' : u.origin}${u.pathname}${addressHash(view, link)}`;
};
