/*
 * NAME
 *   share - the workspace's link, kept in the page's address
 * DESCRIPTION
 *   After each change (with the autosave, a moment after the last
 *   keystroke) the page encodes the workspace (share/link.ts) and replaces
 *   the address's fragment with `#VIEW&w=LINK`: one history entry is
 *   rewritten, none added (a change of view adds one, so Back moves between
 *   views). The address is then always a link to what is on the screen;
 *   a workspace too large for a link leaves `#VIEW` alone and says so in
 *   the share dialog, which offers the export file instead. Exercise
 *   progress goes into a link only when the sender asks (linkWith()).
 *   In the embed mode the address belongs to the host page: untouched.
 */
import type { Workspace } from '../state/workspace.svelte.ts';
import { addressHash, pageUrl } from './address.ts';
import { encodeLink, LINK_LIMIT, RAW_LIMIT, rawSize } from './link.ts';
import type { LinkState, ProgressData } from './link.ts';

export interface LinkOutcome {
  link?: string;
  /** Characters of the link, or (of: 'files') bytes of the files when too large to try. */
  size: number;
  of: 'link' | 'files';
  tooLarge: boolean;
}

export class Share {
  /** The workspace's link as it is now; undefined when it is too large. */
  link: string | undefined = $state();
  size = $state(0);
  tooLarge = $state(false);
  private readonly ws: Workspace;
  private readonly panes: () => LinkState['panes'];
  private readonly embedded: boolean;

  constructor(ws: Workspace, panes: () => LinkState['panes'], embedded: boolean) {
    this.ws = ws;
    this.panes = panes;
    this.embedded = embedded;
  }

  /** The link of the workspace now, with `progress` when given. */
  linkWith(progress?: ProgressData): LinkOutcome {
    const data = this.ws.data();
    const raw = rawSize(data);
    if (raw > RAW_LIMIT) return { size: raw, of: 'files', tooLarge: true };
    const link = encodeLink({
      workspace: data,
      ...(this.ws.name !== 'default' && { name: this.ws.name }),
      ...(this.panes() && { panes: this.panes() }),
      ...(progress && { progress }),
    });
    return link.length > LINK_LIMIT ? { size: link.length, of: 'link', tooLarge: true } : { link, size: link.length, of: 'link', tooLarge: false };
  }

  /** Encodes the workspace again and writes the address (replacing the current history entry). */
  update(): void {
    const r = this.linkWith();
    this.link = r.link;
    this.size = r.size;
    this.tooLarge = r.tooLarge;
    this.write();
  }

  /** The full page's address of the workspace (for "open in postfix-sim" and the share dialog). */
  url(link = this.link): string {
    return pageUrl(location.href, this.ws.view, link);
  }

  /** Replaces the address with the current view and link; `push` adds a history entry (a change of view). */
  write(push = false): void {
    if (this.embedded) return;
    const next = location.pathname + addressHash(this.ws.view, this.link);
    if (!push && location.pathname + location.search + location.hash === next) return;
    try {
      if (push) history.pushState({ view: this.ws.view }, '', next);
      else history.replaceState({ ...(history.state as object | null), view: this.ws.view }, '', next);
    } catch {
      // A document that may not rewrite its address (an opaque origin): the link is still offered.
    }
  }
}
