/*
 * NAME
 *   tablist - arrow keys in a row of tabs
 * DESCRIPTION
 *   The WAI-ARIA tabs pattern with manual activation as the panes use it:
 *   Left and Right (and, in a list that reads downwards too, Up and Down)
 *   choose the previous or next tab and move the focus to it; at the ends
 *   they stop, or go round when the row wraps. Only the tab with the focus
 *   is in the tab order (roving tabindex), so the keys are the way along.
 * SEE ALSO
 *   https://www.w3.org/WAI/ARIA/apg/patterns/tabs/
 */

export interface TabRow {
  /** How many tabs. */
  count: number;
  /** Chooses tab `n`. */
  select: (n: number) => void;
  /** The element id of tab `n`, to move the focus there. */
  id: (n: number) => string;
  /** Past the last tab comes the first, and the other way. */
  wrap?: boolean;
  /** Up and Down move too. */
  vertical?: boolean;
}

/** tabKey - the keydown handler of tab `i`: chooses and focuses the tab an arrow key leads to. */
export function tabKey(e: KeyboardEvent, i: number, row: TabRow): void {
  const step = e.key === 'ArrowRight' || (row.vertical && e.key === 'ArrowDown') ? 1 : e.key === 'ArrowLeft' || (row.vertical && e.key === 'ArrowUp') ? -1 : 0;
  if (step === 0) return;
  const n = row.wrap ? (i + step + row.count) % row.count : i + step;
  if (n < 0 || n >= row.count) return;
  e.preventDefault();
  row.select(n);
  document.getElementById(row.id(n))?.focus();
}
