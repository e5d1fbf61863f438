/*
 * NAME
 *   api - the page driven by the page that frames it (postMessage)
 * SYNOPSIS
 *   frame.contentWindow.postMessage({ postfixSim: 1, id: 1, method: 'run' }, '*');
 *   addEventListener('message', (e) => { if (e.data?.postfixSim && e.data.id === 1) ... });
 * DESCRIPTION
 *   For training platforms and documentation pages: a host page loads a
 *   workspace into a framed page, runs it, and reads the verdict and the
 *   replies. Every request is { postfixSim: 1, id, method, params }; every
 *   answer { postfixSim: 1, id, ok: true, result } or { ..., ok: false,
 *   error }. Events come unasked: { postfixSim: 1, event: 'ready' } once
 *   the workspace is open, { event: 'resize', height } when the embed's
 *   height changes (embed mode). Methods (README, "The message API"):
 *
 *     load { link | workspace | scenario [, solution] | files, session, client, view }
 *                      replace the workspace; answers { files, view }
 *     setFile { path, text }      add or replace one file (relative paths: /etc/postfix)
 *     run { what? }    compute now and answer the results: smtpd (verdict, replies, log),
 *                      resolve (final recipients), expectations (pass/fail each);
 *                      what: ["smtpd", "resolve", "expect"] (default: the view's and expect)
 *     getWorkspace     the workspace as plain data, and its link
 *     getLink          the page's address for it (the full page)
 *
 *   The page answers whoever asks (the data is what the host gave it);
 *   it answers only messages from the window that frames it.
 */
import { tick } from 'svelte';
import type { SessionResult } from '../../engine/index.ts';
import type { Channel } from '../state/live.svelte.ts';
import { embedded, expectations, live, saved, share, ws } from '../state/app.svelte.ts';
import { normalizeWorkspace, VIEWS } from '../state/types.ts';
import type { View, WorkspaceData } from '../state/types.ts';
import { configPath, readAddress } from '../share/address.ts';
import { fromAddress } from '../share/open.ts';

/** What a host sends. */
interface Request {
  postfixSim: 1;
  id?: unknown;
  method: string;
  params?: Record<string, unknown>;
}

/** How an SMTP session ended for the mail in it. */
export type Verdict = 'accepted' | 'rejected' | 'deferred' | 'no mail' | 'fatal';

/** verdict - accepted when a message was accepted; else the first refusal of MAIL, RCPT or DATA; else no mail. */
export function verdictOf(session: SessionResult | undefined): Verdict {
  if (!session || session.fatal) return 'fatal';
  if (session.accepted.length > 0) return 'accepted';
  for (const ex of session.exchanges) {
    const decides = ex.message !== undefined || (ex.client !== undefined && /^(MAIL|RCPT|DATA)\b/i.test(ex.client));
    if (!decides) continue;
    const code = ex.server[ex.server.length - 1]?.slice(0, 1);
    if (code === '5') return 'rejected';
    if (code === '4') return 'deferred';
  }
  return 'no mail';
}

function smtpdResult(): Record<string, unknown> {
  const a = live.smtpd?.outcome;
  if (!a || a.kind !== 'done') return { error: a ? `the engine ${a.kind === 'timeout' ? 'took too long' : 'failed'}` : 'no answer' };
  const r = a.response;
  if (!r.ok) return { error: r.message };
  if (r.configFatal) return { verdict: 'fatal', fatal: r.configFatal.text, replies: [], log: [] };
  const s = r.session;
  return {
    verdict: verdictOf(s),
    client: r.client,
    replies: (s?.exchanges ?? []).map((e) => ({ command: e.client ?? (e.message ? '.' : ''), reply: e.server })),
    log: (s?.log ?? []).map((l) => `${l.program}: ${l.text}`),
    accepted: s?.accepted.length ?? 0,
    ...(s?.fatal && { fatal: s.fatal }),
  };
}

function resolveResult(): Record<string, unknown> {
  const a = live.resolve?.outcome;
  if (!a || a.kind !== 'done' || !a.response.ok) return { error: 'no answer' };
  const r = a.response;
  if (r.configFatal) return { fatal: r.configFatal.text, addresses: [] };
  return {
    addresses: r.addresses.map((x) => ({
      address: x.input,
      final: x.result.final.map((f) => ({ to: f.to, class: f.class, transport: f.transport, nexthop: f.nexthop, status: f.status, text: f.text })),
      ...(x.result.defer && { deferred: x.result.defer.message }),
    })),
  };
}

function expectResult(): Record<string, unknown> {
  const results = expectations.results;
  return {
    passed: results.filter((r) => r.pass).length,
    failed: results.filter((r) => !r.pass).length,
    total: results.length,
    results: results.map((r) => ({ file: r.file, line: r.line, name: r.name, pass: r.pass, expected: r.expected, got: r.got })),
    ...(expectations.fatal && { fatal: expectations.fatal }),
  };
}

/** Waits until the expectation verdicts answer the files as they are now. */
async function expectationsCurrent(): Promise<void> {
  await live.run('expect');
  await tick();
}

async function load(p: Record<string, unknown>): Promise<unknown> {
  let data: WorkspaceData | undefined;
  if (p.workspace && typeof p.workspace === 'object') data = normalizeWorkspace(p.workspace);
  else {
    const q = new URLSearchParams();
    if (typeof p.scenario === 'string') q.set('scenario', p.scenario);
    if (p.solution === true) q.set('solution', '');
    const files = Array.isArray(p.files)
      ? p.files
      : p.files && typeof p.files === 'object'
        ? Object.entries(p.files).map(([path, text]) => ({ path, text }))
        : [];
    for (const f of files as { path?: unknown; text?: unknown }[]) {
      if (typeof f.path !== 'string') continue;
      q.append('file', f.path);
      q.append('text', typeof f.text === 'string' ? f.text : '');
    }
    if (typeof p.session === 'string') q.set('session', p.session);
    if (typeof p.client === 'string') q.set('client', p.client);
    if (typeof p.addresses === 'string' || Array.isArray(p.addresses)) q.set('addresses', [p.addresses].flat().join(','));
    const opened = await fromAddress(readAddress(`?${q}`, typeof p.link === 'string' ? `#w=${p.link.replace(/^.*[#&]w=/, '')}` : ''));
    if (opened?.notes.length) throw new Error(opened.notes.join(' '));
    data = opened?.state?.workspace;
  }
  if (!data) throw new Error('nothing to load: give link, workspace, scenario or files');
  if (typeof p.view === 'string' && VIEWS.some((v) => v.id === p.view)) data = { ...data, view: p.view as View };
  if (embedded) {
    ws.load(data);
    await saved.flush();
  } else await saved.replace(data, 'Loaded a workspace from the page around this one');
  return { files: ws.files.map((f) => f.path), view: ws.view };
}

async function run(p: Record<string, unknown>): Promise<unknown> {
  const asked = Array.isArray(p.what) ? (p.what as string[]) : undefined;
  const hasExpect = ws.files.some((f) => /\.expect$/.test(f.path));
  const what = asked ?? [ws.view === 'resolve' ? 'resolve' : 'smtpd', ...(hasExpect ? ['expect'] : [])];
  const out: Record<string, unknown> = {};
  for (const w of what) {
    if (w === 'smtpd' || w === 'resolve') {
      await live.run(w as Channel);
      out[w] = w === 'smtpd' ? smtpdResult() : resolveResult();
    } else if (w === 'expect') {
      await expectationsCurrent();
      out.expectations = expectResult();
    } else throw new Error(`run: unknown "${w}" (smtpd, resolve, expect)`);
  }
  return out;
}

async function handle(req: Request): Promise<unknown> {
  const p = req.params ?? {};
  switch (req.method) {
    case 'load':
      return load(p);
    case 'setFile':
      if (typeof p.path !== 'string' || typeof p.text !== 'string') throw new Error('setFile: give path and text');
      ws.setFile(configPath(p.path), { text: p.text });
      return { path: configPath(p.path) };
    case 'run':
      return run(p);
    case 'getWorkspace': {
      const r = share.linkWith();
      return { workspace: ws.data(), ...(r.link && { link: r.link, url: share.url(r.link) }) };
    }
    case 'getLink': {
      const r = share.linkWith();
      if (!r.link) throw new Error('the workspace is too large for a link');
      return { link: r.link, url: share.url(r.link) };
    }
    default:
      throw new Error(`unknown method "${req.method}" (load, setFile, run, getWorkspace, getLink)`);
  }
}

/** Tells the framing page something (nothing when the page is not framed). */
export function tell(message: Record<string, unknown>): void {
  if (window.parent !== window) window.parent.postMessage({ postfixSim: 1, ...message }, '*');
}

/** startApi - answers the framing page's requests; returns the function that stops. */
export function startApi(): () => void {
  if (window.parent === window) return () => undefined;
  const listener = (e: MessageEvent): void => {
    const req = e.data as Request | undefined;
    if (e.source !== window.parent || !req || req.postfixSim !== 1 || typeof req.method !== 'string') return;
    void handle(req).then(
      (result) => tell({ id: req.id, ok: true, result }),
      (err: unknown) => tell({ id: req.id, ok: false, error: (err as Error).message ?? String(err) }),
    );
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
