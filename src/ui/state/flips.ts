/*
 * NAME
 *   flips - which expectations changed their verdict between two checks
 * DESCRIPTION
 *   An expectation is known by its file, what it checks and what it
 *   expects (not its line, which moves when lines are added above it); a
 *   repeated identity gets a count. Expectations in only one of the two
 *   sets (added, removed, edited) are not flips.
 */
import type { CheckResult } from '../../engine/index.ts';

/** One expectation whose verdict an edit changed. */
export interface Flip {
  result: CheckResult;
  /** True: it passes now (it failed before). */
  passes: boolean;
}

/** The identity of each result, in order (a repeated identity gets a count). */
export function resultKeys(results: readonly CheckResult[]): string[] {
  const seen = new Map<string, number>();
  return results.map((r) => {
    const base = `${r.file}\u0000${r.kind}\u0000${r.name}\u0000${r.expected}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return `${base}\u0000${n}`;
  });
}

/** flipsBetween - the results whose verdict differs between two sets (expectations in only one set are not flips). */
export function flipsBetween(before: readonly CheckResult[], now: readonly CheckResult[]): Flip[] {
  const was = new Map<string, boolean>();
  resultKeys(before).forEach((k, i) => was.set(k, before[i]!.pass));
  const flips: Flip[] = [];
  resultKeys(now).forEach((k, i) => {
    const r = now[i]!;
    const old = was.get(k);
    if (old !== undefined && old !== r.pass) flips.push({ result: r, passes: r.pass });
  });
  return flips;
}
