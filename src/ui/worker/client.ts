/*
 * NAME
 *   client - the page's side of the engine worker
 * DESCRIPTION
 *   One request at a time: a newer request supersedes an older one (the
 *   older promise settles as "superseded" and a busy worker is replaced),
 *   and a request that takes longer than the timeout terminates the worker,
 *   which is recreated for the next request. The page never freezes.
 */
import type { EngineRequest, EngineResponse, LookupRequest, LookupResponse, ResponseFor } from './protocol.ts';

/** How one request ended. */
export type Outcome<R> = { kind: 'done'; response: R } | { kind: 'timeout'; ms: number } | { kind: 'superseded' } | { kind: 'crashed'; message: string };

export type LookupOutcome = Outcome<LookupResponse>;

interface Pending {
  id: number;
  settle: (outcome: Outcome<EngineResponse>) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class EngineClient {
  readonly timeoutMs: number;
  private worker: Worker | undefined;
  private pending: Pending | undefined;
  private nextId = 1;

  constructor(timeoutMs = 5000) {
    this.timeoutMs = timeoutMs;
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'postfix-sim engine' });
    worker.onmessage = (event: MessageEvent<EngineResponse>) => {
      const p = this.pending;
      if (!p || event.data.id !== p.id) return; // a stale answer
      this.finish({ kind: 'done', response: event.data });
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.restart();
      this.finish({ kind: 'crashed', message: event.message || 'the engine worker failed' });
    };
    return worker;
  }

  /** Creates the worker ahead of the first request, so its code is loaded early. */
  warmUp(): void {
    this.worker ??= this.spawn();
  }

  private restart(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  private finish(outcome: Outcome<EngineResponse>): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.settle(outcome);
  }

  /** Runs one lookup in the worker. Never rejects. */
  lookup(request: Omit<LookupRequest, 'id'>): Promise<LookupOutcome> {
    return this.run<LookupRequest>({ kind: 'lookup', ...request });
  }

  /** Runs one request of any kind in the worker. Never rejects. */
  run<R extends EngineRequest>(request: Omit<R, 'id'>): Promise<Outcome<ResponseFor<R>>> {
    if (this.pending) {
      // The worker is busy with the older request: drop it and its worker.
      this.restart();
      this.finish({ kind: 'superseded' });
    }
    const id = this.nextId++;
    return new Promise<Outcome<ResponseFor<R>>>((resolve) => {
      const settle = resolve as (outcome: Outcome<EngineResponse>) => void;
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.restart();
        this.finish({ kind: 'timeout', ms: this.timeoutMs });
      }, this.timeoutMs);
      this.pending = { id, settle, timer };
      this.worker ??= this.spawn();
      const message = { id, ...request } as unknown as EngineRequest;
      try {
        this.worker.postMessage(message);
      } catch (e) {
        this.finish({ kind: 'crashed', message: (e as Error).message });
      }
    });
  }

  dispose(): void {
    this.restart();
    this.finish({ kind: 'superseded' });
  }
}
