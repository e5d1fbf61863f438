/*
 * NAME
 *   command-map - which trace command answers which transcript exchange
 * DESCRIPTION
 *   The trace has one `command` event per line the client sent, with
 *   that line, in order; the transcript has one exchange per line
 *   sent (after the greeting). They are paired in order by their text, so
 *   a click on a reply can open the trace of its command. When postscreen
 *   answered a line itself (its dummy SMTP engine), the line is paired
 *   with that engine's `command` step in postscreen's trace instead.
 */
import type { Exchange, PostscreenEvent, SmtpdEvent } from '../../../engine/index.ts';

/** For each exchange, the index of its command among the trace's command nodes (or -1). */
export function commandIndexes(exchanges: readonly Exchange[], trace: readonly SmtpdEvent[]): number[] {
  const commands = trace.filter((e) => e.kind === 'command');
  let j = 0;
  return exchanges.map((ex) => {
    if (ex.client === undefined) return -1;
    for (let k = j; k < commands.length; k++)
      if (commands[k]!.line === ex.client) {
        j = k + 1;
        return k;
      }
    return -1;
  });
}

/** For each exchange smtpd did not answer, postscreen's `command` step that did (or undefined). */
export function postscreenCommands(
  exchanges: readonly Exchange[],
  smtpd: readonly number[],
  trace: readonly PostscreenEvent[],
): (PostscreenEvent | undefined)[] {
  const commands: PostscreenEvent[] = [];
  const walk = (events: readonly PostscreenEvent[]): void => {
    for (const e of events) {
      if (e.kind === 'command') commands.push(e);
      walk(e.children ?? []);
    }
  };
  walk(trace);
  let j = 0;
  return exchanges.map((ex, i) => {
    if (ex.client === undefined || smtpd[i]! >= 0) return undefined;
    for (let k = j; k < commands.length; k++) {
      const c = commands[k]!;
      if (c.kind === 'command' && c.line === ex.client) {
        j = k + 1;
        return c;
      }
    }
    return undefined;
  });
}
