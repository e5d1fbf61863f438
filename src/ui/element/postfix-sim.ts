/*
 * NAME
 *   <postfix-sim> - a documentation page's own blocks as a live simulation
 * SYNOPSIS
 *   <script src="https://HOST/PATH/postfix-sim.js"></script>
 *   <postfix-sim panes="files,transcript,trace">
 *     <pre data-file="main.cf">smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination</pre>
 *     <table data-file="access"><tr><td>203.0.113.5</td><td>REJECT</td></tr></table>
 *     <pre data-session data-client="203.0.113.5">EHLO mail.example.org ...</pre>
 *   </postfix-sim>
 * DESCRIPTION
 *   One script, no code on the host page. Each <postfix-sim> element reads
 *   the blocks inside it (or, with blocks="SELECTOR", those the selector
 *   finds in the page) and shows the simulation in an iframe of the app's
 *   embed mode, with the workspace in the iframe's address (share link
 *   format 1, element/encode.ts): the host's styles and scripts and the
 *   simulator's stay apart, and the engine runs in the iframe's worker.
 *
 *   Blocks (any element; its text is taken as written):
 *     data-file="PATH"        a file; PATH relative to /etc/postfix unless absolute;
 *                             a <table>'s rows become "key value" lines
 *     data-dns, data-facts    the DNS facts, the policy/verify facts
 *     data-session            an SMTP dialogue, as typed into telnet;
 *                             data-client="ADDR[,NAME]", data-service, data-name
 *     data-addresses          addresses to resolve, one a line; data-sender
 *     data-lookup="TYPE:NAME" a table lookup; the block's text is the key
 *   Attributes of the element:
 *     view                    smtpd, resolve, lookup or tests (default: from the blocks)
 *     panes                   which panes (the embed mode's panes=, README "Embedding")
 *     readonly                read-only editors
 *     sandbox                 the iframe gets sandbox="allow-scripts allow-popups"
 *     height                  a fixed height (CSS); default: the simulation's own
 *     keep-source             show the blocks above the simulation (default: hidden,
 *                             the simulation's editors show them)
 *     blocks="SELECTOR"       take the blocks from the page instead of the element
 *     src="URL"               where the app is (default: beside this script)
 *   The element's call(method, params) sends the message API's requests
 *   (src/ui/embed/api.ts) and answers with their result.
 */
import { elementLink } from './encode.ts';
import type { ElementWorkspace } from './encode.ts';

/** Where this script was loaded from: the app is beside it. */
const SCRIPT_URL =
  (document.currentScript as HTMLScriptElement | null)?.src ??
  [...document.querySelectorAll<HTMLScriptElement>('script[src]')].find((s) => /postfix-sim(\.[\w-]+)?\.js(\?|#|$)/.test(s.src))?.src ??
  location.href;

const configPath = (p: string): string => (p.startsWith('/') ? p : `/etc/postfix/${p.replace(/^\.\//, '')}`);
const withNewline = (t: string): string => (t === '' || t.endsWith('\n') ? t : `${t}\n`);

/** A table's rows as `key value` lines (header rows and empty rows left out). */
function tableText(table: HTMLTableElement): string {
  const lines: string[] = [];
  for (const row of table.rows) {
    if (row.parentElement?.tagName === 'THEAD' || [...row.cells].every((c) => c.tagName === 'TH')) continue;
    const cells = [...row.cells].map((c) => (c.textContent ?? '').trim());
    if (cells.every((c) => c === '')) continue;
    lines.push(cells.join(' '));
  }
  return withNewline(lines.join('\n'));
}

/** readBlocks - the workspace the blocks describe. */
export function readBlocks(blocks: readonly Element[], view?: string): ElementWorkspace {
  const w: ElementWorkspace = { files: [] };
  const put = (path: string, text: string): void => {
    const i = w.files.findIndex((f) => f.path === path);
    if (i >= 0) w.files[i] = { path, text };
    else w.files.push({ path, text });
  };
  for (const el of blocks) {
    const d = (el as HTMLElement).dataset;
    const text = el instanceof HTMLTableElement ? tableText(el) : withNewline(el.textContent ?? '');
    if (d.file !== undefined && d.file.trim() !== '') put(configPath(d.file.trim()), text);
    else if (d.dns !== undefined) put('/etc/postfix/dns', text);
    else if (d.facts !== undefined) put('/etc/postfix/facts', text);
    else if (d.session !== undefined) {
      const [addr = '', name = ''] = (d.client ?? '').split(',', 2).map((s) => s.trim());
      (w.sessions ??= []).push({
        name: d.name || d.session || `session ${(w.sessions?.length ?? 0) + 1}`,
        dialogue: text,
        clientAddr: addr,
        clientName: name,
        service: d.service || 'smtp',
      });
    } else if (d.addresses !== undefined) w.resolve = { sender: d.sender ?? '', addresses: text };
    else if (d.lookup !== undefined) w.lookup = { spec: d.lookup, key: text.trim() };
  }
  w.view = view || (w.sessions ? 'smtpd' : w.resolve ? 'resolve' : w.lookup ? 'lookup' : w.files.some((f) => f.path.endsWith('.expect')) ? 'tests' : 'smtpd');
  return w;
}

const BLOCK = '[data-file],[data-dns],[data-facts],[data-session],[data-addresses],[data-lookup]';
let calls = 0;

export class PostfixSimElement extends HTMLElement {
  static observedAttributes = ['view', 'panes', 'readonly', 'height', 'sandbox', 'keep-source', 'src', 'blocks'];
  /** The iframe of the embed mode, once rendered. */
  frame: HTMLIFrameElement | undefined;
  private readonly waiting = new Map<number, (m: { ok: boolean; result?: unknown; error?: string }) => void>();
  private rendering = 0;
  private started!: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.resetReady();
    window.addEventListener('message', (e) => this.onMessage(e));
  }

  /** Resolves once the simulation in the iframe has opened its workspace (its `ready` event). */
  get ready(): Promise<void> {
    return this.started;
  }

  private resetReady(): void {
    this.started = new Promise((resolve) => (this.markReady = resolve));
  }

  connectedCallback(): void {
    // The element's blocks are parsed after it: wait for the document when it is still loading.
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void this.render(), { once: true });
    else void this.render();
  }

  attributeChangedCallback(): void {
    if (this.frame) void this.render();
  }

  /** The address of the embed for the blocks as they are now. */
  async embedUrl(): Promise<string> {
    const selector = this.getAttribute('blocks');
    const blocks = selector ? [...document.querySelectorAll(selector)] : [...this.querySelectorAll(BLOCK)];
    const link = await elementLink(readBlocks(blocks, this.getAttribute('view') ?? undefined));
    const app = new URL(this.getAttribute('src') || 'index.html', SCRIPT_URL);
    const q = [
      'embed',
      ...(this.hasAttribute('readonly') ? ['readonly'] : []),
      ...(this.getAttribute('panes') ? [`panes=${encodeURIComponent(this.getAttribute('panes')!)}`] : []),
    ];
    app.search = `?${q.join('&')}`;
    app.hash = `w=${link}`;
    return app.href;
  }

  private async render(): Promise<void> {
    const n = ++this.rendering;
    const url = await this.embedUrl();
    if (n !== this.rendering) return;
    const root = this.shadowRoot!;
    const fixed = this.getAttribute('height');
    const frame = document.createElement('iframe');
    frame.src = url;
    frame.title = this.getAttribute('title') || 'postfix-sim: a live Postfix simulation';
    frame.loading = 'lazy';
    if (this.hasAttribute('sandbox')) frame.setAttribute('sandbox', 'allow-scripts allow-popups allow-popups-to-escape-sandbox');
    frame.style.cssText = `display:block;width:100%;border:1px solid #c8ced6;border-radius:6px;height:${fixed || '28rem'}`;
    const style = document.createElement('style');
    style.textContent = ':host{display:block;margin:1rem 0}';
    this.resetReady();
    root.replaceChildren(style, ...(this.hasAttribute('keep-source') ? [document.createElement('slot')] : []), frame);
    this.frame = frame;
  }

  private onMessage(e: MessageEvent): void {
    const m = e.data as { postfixSim?: number; event?: string; height?: number; id?: number; ok?: boolean; result?: unknown; error?: string } | null;
    if (!this.frame || e.source !== this.frame.contentWindow || !m || m.postfixSim !== 1) return;
    if (m.event === 'resize' && typeof m.height === 'number' && !this.getAttribute('height')) this.frame.style.height = `${Math.max(120, m.height + 2)}px`;
    if (m.event === 'ready') {
      this.markReady();
      this.dispatchEvent(new CustomEvent('ready', { detail: m }));
    }
    if (typeof m.id === 'number' && this.waiting.has(m.id)) {
      this.waiting.get(m.id)!({ ok: m.ok === true, result: m.result, ...(m.error !== undefined && { error: m.error }) });
      this.waiting.delete(m.id);
    }
  }

  /** call - one request of the message API (once the simulation is ready); resolves with its result, rejects with its error. */
  async call(method: string, params?: Record<string, unknown>): Promise<unknown> {
    await this.started;
    const frame = this.frame;
    if (!frame?.contentWindow) throw new Error('the simulation is not there');
    const id = ++calls;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error ?? 'failed'))));
      frame.contentWindow!.postMessage({ postfixSim: 1, id, method, ...(params && { params }) }, '*');
    });
  }
}

if (!customElements.get('postfix-sim')) customElements.define('postfix-sim', PostfixSimElement);
