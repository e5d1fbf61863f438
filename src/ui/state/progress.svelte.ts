/*
 * NAME
 *   progress - how far the user got in each exercise, kept in the browser
 * DESCRIPTION
 *   Per exercise (by scenario name): how many hints were revealed, and
 *   whether its goals were all met once. Kept in the browser's store (the
 *   same IndexedDB as the workspaces, one meta record), never in the
 *   address; a share link carries it only when the sender asks
 *   (share/share.svelte.ts linkWith). Without a store (a sandboxed embed)
 *   it lives as long as the page. An exercise is marked solved when the
 *   workspace opened from it has expectations and every one of them passes.
 */
import type { ProgressData } from '../share/link.ts';
import { expectations, linked, saved, ws } from './app.svelte.ts';

const KEY = 'progress';

class ProgressStore {
  all: Record<string, ProgressData> = $state({});
  private loaded: Promise<void> | undefined;
  /** Names of the library's exercises, once the library has loaded. */
  exercises: ReadonlySet<string> = $state.raw(new Set());

  /** Reads what the store holds (once), and takes progress a link brought. */
  load(): Promise<void> {
    return (this.loaded ??= (async () => {
      const kept = (await saved.store?.getMeta<Record<string, ProgressData>>(KEY)) ?? {};
      this.all = { ...kept, ...this.all };
      const { SCENARIOS } = await import('../library/scenarios.ts');
      this.exercises = new Set(SCENARIOS.filter((s) => s.exercise).map((s) => s.name));
    })());
  }

  of(name: string): ProgressData {
    return this.all[name] ?? { hints: 0, solved: false };
  }

  private async set(name: string, p: ProgressData): Promise<void> {
    this.all = { ...this.all, [name]: p };
    await saved.store?.setMeta(KEY, $state.snapshot(this.all));
  }

  revealHint(name: string, count: number): void {
    const p = this.of(name);
    if (p.hints < count) void this.set(name, { ...p, hints: p.hints + 1 });
  }

  markSolved(name: string): void {
    const p = this.of(name);
    if (!p.solved) void this.set(name, { ...p, solved: true });
  }

  /** Progress a link brought: what the user had shown or solved stays. */
  adopt(name: string, p: ProgressData): void {
    const mine = this.of(name);
    void this.set(name, { hints: Math.max(mine.hints, p.hints), solved: mine.solved || p.solved });
  }
}

export const progress = new ProgressStore();

// The goals of an open exercise all met: solved. Progress a link brought: adopted once.
$effect.root(() => {
  $effect(() => {
    const name = ws.scenario;
    if (!name) return;
    void progress.load();
    if (linked.progress && linked.scenario === name) {
      const p = linked.progress;
      linked.progress = undefined;
      progress.adopt(name, p);
    }
    if (!progress.exercises.has(name)) return;
    const results = expectations.results;
    if (results.length > 0 && results.every((r) => r.pass) && !expectations.stale) progress.markSolved(name);
  });
});
