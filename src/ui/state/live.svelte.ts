/*
 * NAME
 *   live - answers that follow every keystroke, computed in the worker
 * DESCRIPTION
 *   Each channel (check: what Postfix says about every file; smtpd,
 *   resolve, query: the views) has a question: a key of everything its
 *   answer depends on. When the question changes the channel is stale; a
 *   moment later (DEBOUNCE_MS, longer when answers are slow) the request
 *   goes to the worker, and its answer is kept with the question it
 *   answered. The page compares that with the current question and marks
 *   the answer stale until they agree again, so an answer is never shown
 *   as if it answered a question it did not. Only the visible view's
 *   channel runs; the others catch up when shown. The expectations channel
 *   runs whenever the workspace has *.expect files (their verdicts show in
 *   every view), a little later than the view's own. Answers are kept raw
 *   ($state.raw): traces and tables can be big.
 */
import { LiveClient } from '../worker/live-client.ts';
import type { Outcome } from '../worker/live-client.ts';
import type {
  CheckRequest,
  CheckResponse,
  ExpectRequest,
  ExpectResponse,
  QueryRequest,
  QueryResponse,
  ResolveRequest,
  ResolveResponse,
  SmtpdRequest,
  SmtpdResponse,
  SqliteOp,
  SqliteRequest,
  SqliteResponse,
} from '../worker/protocol.ts';
import { parseEnvironment } from './workspace.svelte.ts';
import type { Workspace } from './workspace.svelte.ts';

/** How long after the last keystroke a channel asks, at least. */
export const DEBOUNCE_MS = 60;
/** How much later than the view's answer the expectations are checked again. */
export const EXPECT_DELAY_MS = 150;
/** The worker's time limit for one request. */
export const TIMEOUT_MS = 5000;

/** A channel's last answer and the question it answered. */
export interface Answer<R> {
  question: string;
  outcome: Outcome<R>;
  /** The request as sent (without files), to show the question it answers. */
  request: Record<string, unknown>;
}

export type Channel = 'check' | 'smtpd' | 'resolve' | 'query' | 'expect';

/** responseOf - a channel's response when its last run ended with one from the engine (ok), else undefined. */
export function responseOf<R extends { ok: boolean }>(a: Answer<R> | undefined): Extract<R, { ok: true }> | undefined {
  return a?.outcome.kind === 'done' && a.outcome.response.ok ? (a.outcome.response as Extract<R, { ok: true }>) : undefined;
}

/** An expectation file: /etc/postfix/NAME.expect or /etc/postfix/tests/NAME.expect. */
export const isExpectPath = (path: string): boolean => /^\/etc\/postfix\/(tests\/)?[^/]+\.expect$/.test(path);

export class Live {
  readonly client: LiveClient;
  private readonly ws: Workspace;
  check: Answer<CheckResponse> | undefined = $state.raw();
  smtpd: Answer<SmtpdResponse> | undefined = $state.raw();
  resolve: Answer<ResolveResponse> | undefined = $state.raw();
  query: Answer<QueryResponse> | undefined = $state.raw();
  expect: Answer<ExpectResponse> | undefined = $state.raw();
  running: Record<Channel, boolean> = $state({ check: false, smtpd: false, resolve: false, query: false, expect: false });
  /** Resolves when the first answer of any view has arrived (the page is useful; now other work may start). */
  readonly firstAnswer: Promise<void>;
  private answered: () => void = () => undefined;
  /** Channels that run whatever the view (an embed that shows panes of several views); set before start(), not reactive. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  alsoRun: ReadonlySet<Channel> = new Set();
  /** Milliseconds of the last answer per channel (worker time), for the status line and the benchmark. */
  elapsed: Record<Channel, number> = $state({ check: 0, smtpd: 0, resolve: 0, query: 0, expect: 0 });

  constructor(ws: Workspace) {
    this.ws = ws;
    this.firstAnswer = new Promise((resolve) => (this.answered = resolve));
    this.client = new LiveClient(
      () => ws.syncFiles(),
      () => parseEnvironment(ws.environment),
      TIMEOUT_MS,
    );
  }

  /** The current question of a channel (reactive). */
  question(channel: Channel): string {
    const ws = this.ws;
    const base = [ws.filesKey(), ws.environment, ws.dnsPath, ws.factsPath];
    switch (channel) {
      case 'check':
      case 'expect':
        return base.join('\u0002');
      case 'smtpd':
        return [...base, ws.session, ws.activeSession?.key()].join('\u0002');
      case 'resolve':
        return [...base, ws.resolve.sender, ws.resolve.addresses].join('\u0002');
      case 'query':
        return [...base, ws.lookup.spec, ws.lookup.key, ws.lookup.noFold, ws.lookup.consumer].join('\u0002');
    }
  }

  /** True while the shown answer does not answer the current question. */
  stale(channel: Channel): boolean {
    const a = this[channel];
    return a !== undefined && a.question !== this.question(channel);
  }

  private request(channel: Channel): Record<string, unknown> {
    const ws = this.ws;
    switch (channel) {
      case 'check':
        return { kind: 'check', dnsPath: ws.dnsPath, factsPath: ws.factsPath } satisfies Omit<CheckRequest, 'id' | 'environment'>;
      case 'expect':
        return { kind: 'expect', dnsPath: ws.dnsPath, factsPath: ws.factsPath } satisfies Omit<ExpectRequest, 'id' | 'environment'>;
      case 'smtpd': {
        const s = ws.activeSession;
        return {
          kind: 'smtpd',
          service: s.service,
          clientAddr: s.clientAddr,
          clientName: s.clientName,
          tls: s.tls,
          ccertFingerprint: s.ccertFingerprint,
          ccertPkeyFingerprint: s.ccertPkeyFingerprint,
          ccertVerified: s.ccertVerified,
          dnsPath: ws.dnsPath,
          factsPath: ws.factsPath,
          dialogue: s.dialogue.text,
        } satisfies Omit<SmtpdRequest, 'id' | 'environment'>;
      }
      case 'resolve':
        return {
          kind: 'resolve',
          sender: ws.resolve.sender,
          addresses: ws.resolve.addresses.split('\n'),
          factsPath: ws.factsPath,
        } satisfies Omit<ResolveRequest, 'id' | 'environment'>;
      case 'query':
        return {
          kind: 'query',
          spec: ws.lookup.spec,
          key: ws.lookup.key,
          noFold: ws.lookup.noFold,
          ...(ws.lookup.consumer && { consumer: ws.lookup.consumer }),
        } satisfies Omit<QueryRequest, 'id' | 'environment'>;
    }
  }

  /** Asks the worker now; the answer is kept unless a newer request superseded this one. */
  async run(channel: Channel, question = this.question(channel)): Promise<void> {
    const request = this.request(channel);
    this.running[channel] = true;
    const outcome = await this.client.run(channel, request as never);
    if (outcome.kind === 'superseded') return;
    this.running[channel] = false;
    if (outcome.kind === 'done' && outcome.response.ok) this.elapsed[channel] = outcome.response.elapsed;
    // The view's own answer; a view without a channel (databases, tests) has the check of every file.
    const own = this.ws.view === 'lookup' ? 'query' : this.ws.view;
    if (channel === own || (channel === 'check' && !['smtpd', 'resolve', 'lookup'].includes(this.ws.view))) this.answered();
    (this as unknown as Record<Channel, Answer<unknown>>)[channel] = { question, outcome, request };
  }

  /** One SQLite request (not live: the database pane asks when it needs to). */
  async sqlite(op: SqliteOp): Promise<Outcome<SqliteResponse>> {
    return this.client.run<SqliteRequest>('sqlite', { kind: 'sqlite', ...op } as never);
  }

  /** Starts following the workspace; returns the function that stops it. */
  start(): () => void {
    this.client.warmUp();
    return $effect.root(() => {
      for (const channel of ['check', 'smtpd', 'resolve', 'query', 'expect'] as const) {
        $effect(() => {
          const q = this.question(channel);
          const shown =
            channel === 'check' ||
            this.alsoRun.has(channel) ||
            this.ws.view === channel ||
            (channel === 'query' && this.ws.view === 'lookup') ||
            (channel === 'expect' && this.ws.files.some((f) => isExpectPath(f.path)));
          if (!shown || (channel === 'query' && this.ws.lookup.spec.trim() === '')) return;
          const answered = this[channel];
          if (answered?.question === q) return;
          // The first answer comes at once; later ones after the user pauses (expectations after the view's answer).
          const later = channel === 'expect' ? EXPECT_DELAY_MS : 0;
          const wait = answered === undefined ? later : Math.min(400 + later, DEBOUNCE_MS + later + this.elapsed[channel]);
          const timer = setTimeout(() => void this.run(channel, q), wait);
          return () => clearTimeout(timer);
        });
      }
      return () => this.client.dispose();
    });
  }
}
