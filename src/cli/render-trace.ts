/*
 * NAME
 *   render-trace - a trace tree as indented text
 * DESCRIPTION
 *   One line per step: `title -> result`, then the detail on the next line;
 *   children indented under their parent. The CLI renders the same trace
 *   data the UI draws.
 */
import type { TraceNode } from '../engine/index.ts';

/** renderTrace - the text form of a trace. */
export function renderTrace(nodes: readonly TraceNode[], depth = 0): string {
  let out = '';
  const pad = '  '.repeat(depth);
  for (const n of nodes) {
    out += `${pad}${n.kind === 'command' ? '> ' : ''}${n.title}${n.result ? ` -> ${n.result}` : ''}\n`;
    if (n.detail) out += `${pad}    ${n.detail}\n`;
    if (n.children) out += renderTrace(n.children, depth + 1);
  }
  return out;
}
