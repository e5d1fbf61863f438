/*
 * NAME
 *   render-trace - an smtpd trace as indented text
 * DESCRIPTION
 *   One line per event: `title -> result`, with the file and line it
 *   came from in brackets; then the detail on the next line; children
 *   indented under their parent. The words are the engine's
 *   (smtpdEventText), the same the page shows.
 */
import { smtpdEventText, sourceText } from '../engine/index.ts';
import type { PostscreenStep, SmtpdEvent } from '../engine/index.ts';

/** renderTrace - the text form of a trace. */
export function renderTrace(events: readonly SmtpdEvent[], depth = 0): string {
  let out = '';
  const pad = '  '.repeat(depth);
  for (const e of events) {
    const { title, result, detail } = smtpdEventText(e);
    const source = 'source' in e && e.source ? ` [${sourceText(e.source)}]` : '';
    out += `${pad}${e.kind === 'command' ? '> ' : ''}${title}${result ? ` -> ${result}` : ''}${source}\n`;
    if (detail) out += `${pad}    ${detail}\n`;
    if (e.children) out += renderTrace(e.children, depth + 1);
  }
  return out;
}

/** renderPostscreenSteps - postscreen's part of a connection, in the same form. */
export function renderPostscreenSteps(steps: readonly PostscreenStep[], depth = 0): string {
  let out = '';
  const pad = '  '.repeat(depth);
  for (const n of steps) {
    out += `${pad}${n.title}${n.result ? ` -> ${n.result}` : ''}\n`;
    if (n.detail) out += `${pad}    ${n.detail}\n`;
    if (n.children) out += renderPostscreenSteps(n.children, depth + 1);
  }
  return out;
}
