/*
 * NAME
 *   live-client - the page's one engine worker, fed with changed files only
 * DESCRIPTION
 *   Every view asks the same worker, on its own channel (smtpd, resolve,
 *   query, check, sqlite). The worker keeps the files and the tables
 *   opened from them, so each request carries only the files whose version
 *   changed since the last one (FileSync), and a keystroke in a 5 MB table
 *   sends that table once, not on every later request.
 *
 *   One request runs at a time. A newer request on a channel replaces the
 *   one waiting there (the older settles as "superseded"); the running one
 *   may finish, because stopping the worker would throw its tables away,
 *   unless it has run longer than RESTART_AFTER_MS (or twice as long as the
 *   channel's last answer took, when that is more): then it looks like a
 *   runaway, the worker is replaced and the newer request goes to the new
 *   one (with every file).
 *   A request that takes longer than the timeout stops the worker too. No
 *   promise ever rejects.
 */
import type { EngineRequest, EngineResponse, FileSync, ResponseFor } from './protocol.ts';

/** How one request ended. */
export type Outcome<R> = { kind: 'done'; response: R } | { kind: 'timeout'; ms: number } | { kind: 'superseded' } | { kind: 'crashed'; message: string };

/**
 * A workspace file as the client sends it: `bytes()` is called only when
 * its version was not sent yet, and the bytes are transferred (so it must
 * return a fresh array, never one the page keeps).
 */
export interface SyncFile {
  path: string;
  version: number;
  bytes: () => Uint8Array;
}

/** A running request that a newer one on its channel may interrupt after this long. */
export const RESTART_AFTER_MS = 1000;

interface Job {
  channel: string;
  request: Record<string, unknown>;
  settle: (o: Outcome<EngineResponse>) => void;
  id?: number;
  started?: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** Strip the request fields the client adds itself. */
type Body<R extends EngineRequest> = Omit<R, 'id' | 'files' | 'sync' | 'environment'>;

export class LiveClient {
  readonly timeoutMs: number;
  private worker: Worker | undefined;
  private running: Job | undefined;
  private readonly waiting = new Map<string, Job>();
  /** Versions the current worker holds, by path. */
  private readonly sent = new Map<string, number>();
  /** How long the last answer on each channel took. */
  private readonly lastMs = new Map<string, number>();
  private nextId = 1;
  private readonly files: () => readonly SyncFile[];
  private readonly environment: () => Record<string, string>;
  /** Requests sent and files transferred, for the benchmark and the tests. */
  readonly stats = { requests: 0, filesSent: 0, bytesSent: 0, restarts: 0 };

  constructor(files: () => readonly SyncFile[], environment: () => Record<string, string>, timeoutMs = 5000) {
    this.files = files;
    this.environment = environment;
    this.timeoutMs = timeoutMs;
  }

  /** Starts the worker ahead of the first request, so its code loads early. */
  warmUp(): void {
    this.worker ??= this.spawn();
  }

  /** Runs one request on `channel`. Never rejects. */
  run<R extends EngineRequest>(channel: string, body: Body<R>): Promise<Outcome<ResponseFor<R>>> {
    return new Promise((resolve) => {
      const job: Job = { channel, request: body as Record<string, unknown>, settle: resolve as (o: Outcome<EngineResponse>) => void };
      this.waiting.get(channel)?.settle({ kind: 'superseded' });
      this.waiting.set(channel, job);
      this.interruptLater(channel);
      this.pump();
    });
  }

  /**
   * A newer request waits on the running one's channel: once the running one
   * has taken longer than the channel's patience, it is a runaway; stop it.
   */
  private interruptLater(channel: string): void {
    const r = this.running;
    if (!r || r.channel !== channel) return;
    const patience = Math.max(RESTART_AFTER_MS, 2 * (this.lastMs.get(channel) ?? 0));
    const left = patience - (performance.now() - (r.started ?? 0));
    const stop = (): void => {
      if (this.running !== r || !this.waiting.has(channel)) return;
      this.restart();
      this.finish(r, { kind: 'superseded' });
    };
    if (left <= 0) stop();
    else setTimeout(stop, left);
  }

  dispose(): void {
    for (const j of this.waiting.values()) j.settle({ kind: 'superseded' });
    this.waiting.clear();
    const r = this.running;
    this.restart();
    if (r) this.finish(r, { kind: 'superseded' });
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'postfix-sim engine' });
    worker.onmessage = (event: MessageEvent<EngineResponse>) => {
      const r = this.running;
      if (!r || event.data.id !== r.id) return; // an answer nobody waits for
      this.lastMs.set(r.channel, performance.now() - (r.started ?? 0));
      this.finish(r, { kind: 'done', response: event.data });
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const r = this.running;
      this.restart();
      if (r) this.finish(r, { kind: 'crashed', message: event.message || 'the engine worker failed' });
    };
    return worker;
  }

  private restart(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.sent.clear();
    this.stats.restarts++;
  }

  private finish(job: Job, outcome: Outcome<EngineResponse>): void {
    clearTimeout(job.timer);
    if (this.running === job) this.running = undefined;
    job.settle(outcome);
    queueMicrotask(() => this.pump());
  }

  /** The changes the worker needs, marked as sent. */
  private sync(): { sync: FileSync; transfer: ArrayBuffer[] } {
    const reset = this.sent.size === 0;
    const sync: FileSync = { ...(reset && { reset }), put: [], remove: [] };
    const transfer: ArrayBuffer[] = [];
    const present = new Set<string>();
    for (const f of this.files()) {
      present.add(f.path);
      if (this.sent.get(f.path) === f.version) continue;
      const bytes = f.bytes();
      sync.put.push({ path: f.path, version: f.version, bytes });
      if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) transfer.push(bytes.buffer);
      this.sent.set(f.path, f.version);
      this.stats.filesSent++;
      this.stats.bytesSent += bytes.length;
    }
    for (const path of [...this.sent.keys()])
      if (!present.has(path)) {
        sync.remove.push(path);
        this.sent.delete(path);
      }
    return { sync, transfer };
  }

  private pump(): void {
    if (this.running || this.waiting.size === 0) return;
    const [channel, job] = this.waiting.entries().next().value as [string, Job];
    this.waiting.delete(channel);
    this.worker ??= this.spawn();
    const id = this.nextId++;
    job.id = id;
    job.started = performance.now();
    this.running = job;
    job.timer = setTimeout(() => {
      if (this.running !== job) return;
      this.restart();
      this.finish(job, { kind: 'timeout', ms: this.timeoutMs });
    }, this.timeoutMs);
    try {
      const { sync, transfer } = this.sync();
      const message = { ...job.request, id, sync, environment: this.environment() };
      this.stats.requests++;
      this.worker.postMessage(message, transfer);
    } catch (e) {
      this.restart();
      this.finish(job, { kind: 'crashed', message: (e as Error).message });
    }
  }
}
