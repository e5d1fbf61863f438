/*
 * NAME
 *   expectations - the verdicts of the workspace's *.expect files, and what an edit flipped
 * DESCRIPTION
 *   The worker checks every expectation file after each edit (live.svelte.ts,
 *   channel `expect`). Here the page keeps the verdicts of the last answer
 *   that answers the current files, and compares each new set with the one
 *   before: when an edit makes some expectations pass or fail that did not
 *   before, `flips` lists them ("this edit makes 3 of your 40 expectations
 *   behave differently"), until the next edit that changes an outcome, or
 *   until dismissed. A workspace replaced as a whole (a scenario, a link, an
 *   undo) starts a new comparison, so opening something new flips nothing.
 *
 *   An expectation is known by its file, what it checks and what it
 *   expects (not its line, which moves when lines are added above it).
 */
import type { CheckResult } from '../../engine/index.ts';
import { flipsBetween } from './flips.ts';
import type { Flip } from './flips.ts';
import type { ExpectFileAnswer } from '../worker/protocol.ts';
import type { Live } from './live.svelte.ts';
import type { Workspace } from './workspace.svelte.ts';

export class Expectations {
  private readonly live: Live;
  private readonly ws: Workspace;
  /** Each file's verdicts in the last current answer. */
  files: ExpectFileAnswer[] = $state.raw([]);
  fatal: string | undefined = $state();
  /** What the last edit that changed an outcome flipped. */
  flips: Flip[] = $state.raw([]);
  /** The number of expectations when the flips were found. */
  flipTotal = $state(0);
  private previous: CheckResult[] | undefined;
  private generation = -1;

  constructor(live: Live, ws: Workspace) {
    this.live = live;
    this.ws = ws;
  }

  get results(): CheckResult[] {
    return this.files.flatMap((f) => f.results);
  }
  get passed(): number {
    return this.results.filter((r) => r.pass).length;
  }
  get total(): number {
    return this.results.length;
  }

  /** True while the verdicts shown do not answer the files as they are now. */
  get stale(): boolean {
    return this.live.expect === undefined || this.live.stale('expect');
  }

  dismiss(): void {
    this.flips = [];
  }

  /** Takes each new answer that answers the current files; returns the function that stops. */
  start(): () => void {
    return $effect.root(() => {
      $effect(() => {
        const a = this.live.expect;
        const current = a !== undefined && !this.live.stale('expect');
        const hasFiles = this.ws.files.some((f) => /\.expect$/.test(f.path));
        if (!hasFiles) {
          this.files = [];
          this.flips = [];
          this.previous = undefined;
          return;
        }
        if (!current || a.outcome.kind !== 'done' || !a.outcome.response.ok) return;
        const files = a.outcome.response.files;
        const results = files.flatMap((f) => f.results);
        if (this.ws.generation !== this.generation) {
          this.generation = this.ws.generation;
          this.previous = undefined;
          this.flips = [];
        }
        if (this.previous) {
          const flips = flipsBetween(this.previous, results);
          if (flips.length > 0) {
            this.flips = flips;
            this.flipTotal = results.length;
          }
        }
        this.previous = results;
        this.files = files;
        this.fatal = a.outcome.response.fatal;
      });
    });
  }
}
