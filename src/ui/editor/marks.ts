/*
 * NAME
 *   marks - the lines of a file that took part in the current answer
 */
import { RangeSetBuilder, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView } from '@codemirror/view';
import type { DecorationSet } from '@codemirror/view';

/** Replaces the marked lines (1-based). */
export const setMarks = StateEffect.define<readonly number[]>();

const line = Decoration.line({ class: 'cm-took-part', attributes: { 'data-took-part': 'true' } });

export const marks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    let out = value.map(tr.changes);
    for (const e of tr.effects) {
      if (!e.is(setMarks)) continue;
      const b = new RangeSetBuilder<Decoration>();
      for (const n of [...new Set(e.value)].sort((a, c) => a - c))
        if (n >= 1 && n <= tr.state.doc.lines) b.add(tr.state.doc.line(n).from, tr.state.doc.line(n).from, line);
      out = b.finish();
    }
    return out;
  },
  provide: (f) => EditorView.decorations.from(f),
});
