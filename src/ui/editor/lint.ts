/*
 * NAME
 *   lint - the engine's diagnostics as editor diagnostics
 * DESCRIPTION
 *   Only converts: a Diagnostic at (file, line) becomes a CodeMirror
 *   diagnostic spanning that line, with Postfix's wording as the message
 *   and the page's actions (such as "Create /etc/postfix/access") as
 *   buttons. Diagnostics without a line are listed by the page, not here.
 */
import type { Diagnostic as CmDiagnostic } from '@codemirror/lint';
import type { Text } from '@codemirror/state';
import type { Diagnostic } from '../../engine/index.ts';

/** A button shown with a diagnostic. */
export interface DiagnosticAction {
  name: string;
  apply: () => void;
}

export function toCm(doc: Text, items: readonly Diagnostic[], actions?: (d: Diagnostic) => DiagnosticAction[]): CmDiagnostic[] {
  const out: CmDiagnostic[] = [];
  for (const d of items) {
    if (d.line === undefined || d.line < 1 || d.line > doc.lines) continue;
    const l = doc.line(d.line);
    const extra = actions?.(d) ?? [];
    out.push({
      from: l.from,
      to: l.to,
      severity: d.severity === 'fatal' || d.severity === 'error' ? 'error' : d.severity === 'info' ? 'info' : 'warning',
      message: `${d.severity}: ${d.message}`,
      ...(extra.length > 0 && { actions: extra.map((a) => ({ name: a.name, apply: () => a.apply() })) }),
    });
  }
  return out;
}
