/*
 * NAME
 *   render-trace - an smtpd or postscreen trace as indented text
 * DESCRIPTION
 *   One line per event: `title -> result`, with the file and line it
 *   came from in brackets; then the detail on the following lines; children
 *   indented under their parent. The words are the engine's
 *   (smtpdEventText, postscreenEventText), the same the page shows.
 */
import { postscreenEventText, smtpdEventText, sourceText } from '../engine/index.ts';
import type { PostscreenEvent, SmtpdEvent, SmtpdEventText, SourceLine } from '../engine/index.ts';

interface Node {
  kind: string;
  source?: SourceLine;
  children?: readonly Node[];
}

/** render - one line per event (a command's title marked `> `), details indented below it. */
function render<E extends Node>(events: readonly E[], words: (e: E) => SmtpdEventText, depth: number): string {
  let out = '';
  const pad = '  '.repeat(depth);
  for (const e of events) {
    const { title, result, detail } = words(e);
    const source = e.source ? ` [${sourceText(e.source)}]` : '';
    out += `${pad}${e.kind === 'command' ? '> ' : ''}${title}${result ? ` -> ${result}` : ''}${source}\n`;
    if (detail) for (const line of detail.split('\n')) out += `${pad}    ${line}\n`;
    if (e.children) out += render(e.children as readonly E[], words, depth + 1);
  }
  return out;
}

/** renderTrace - the text form of an smtpd trace. */
export function renderTrace(events: readonly SmtpdEvent[], depth = 0): string {
  return render(events, smtpdEventText, depth);
}

/** renderPostscreenTrace - postscreen's part of a connection, in the same form. */
export function renderPostscreenTrace(events: readonly PostscreenEvent[], depth = 0): string {
  return render(events, postscreenEventText, depth);
}
