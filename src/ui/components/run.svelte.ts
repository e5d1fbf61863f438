/*
 * NAME
 *   run - what the views share about running a request
 * DESCRIPTION
 *   The page's callbacks, the live re-run after edits, and the status
 *   word of a run (running, idle, or how the last one ended), so that
 *   each view only says what a finished answer means to it.
 */
import type { Outcome } from '../worker/client.ts';

export const MAIN_CF = '/etc/postfix/main.cf';
export const MASTER_CF = '/etc/postfix/master.cf';

/** How long after the last edit a live view re-runs. */
export const DEBOUNCE_MS = 250;

/** The page's callbacks: show a file at a line; create a file unless it exists. */
export interface FileCallbacks {
  onlocate: (file: string, line: number) => void;
  onensure: (path: string, text?: string) => void;
}

/** An engine answer: the view's own, or the engine's failure. */
type Answer = { ok: true } | { ok: false; message: string };

/** Re-runs shortly after anything `request` reads changes (call while a component initializes). */
export function rerunOnChange<Q>(request: () => Q, run: (request: Q) => unknown): void {
  $effect(() => {
    const q = request();
    const timer = setTimeout(() => void run(q), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  });
}

/** The answer of a run that finished without an engine failure. */
export function okAnswer<R extends Answer>(outcome: Outcome<R> | undefined): Extract<R, { ok: true }> | undefined {
  return outcome?.kind === 'done' && outcome.response.ok ? (outcome.response as Extract<R, { ok: true }>) : undefined;
}

/** The status word of a view; `done` names what a finished answer means. */
export function runStatus<R extends Answer>(running: boolean, outcome: Outcome<R> | undefined, done: (answer: Extract<R, { ok: true }>) => string): string {
  if (running) return 'running';
  if (!outcome) return 'idle';
  if (outcome.kind !== 'done') return outcome.kind;
  if (!outcome.response.ok) return 'crashed';
  return done(outcome.response as Extract<R, { ok: true }>);
}
