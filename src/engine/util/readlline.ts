/*
 * NAME
 *   readlline - Postfix logical lines (readlline(3))
 * DESCRIPTION
 *   Empty, all-whitespace and `#` comment lines are ignored, also in the
 *   middle of a multi-line entry; a line that starts with whitespace
 *   continues the previous logical line (the newline is dropped, the
 *   leading whitespace kept). Text that continues nothing is reported and
 *   skipped, as Postfix does. Postfix handles a line as a C string, so it
 *   ends at a NUL byte.
 *
 *   forEachLogicalLine() is the reader; it makes no string or object per
 *   line, for drivers that open 100k-line tables (cidr). readLogicalLines()
 *   collects its lines for everyone else.
 */
import type { Diagnostic } from '../trace/types.ts';

/** One logical line with the physical line it starts on (1-based). */
export interface LogicalLine {
  text: string;
  line: number;
}

/** ISSPACE in the C locale: space, \t \n \v \f \r. */
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * forEachLogicalLine - calls each(src, start, end, line) for the logical
 * line src[start, end), where src is `text` itself unless the line was
 * continued; `path` names the file in the "logical line must not start
 * with whitespace" warning, which goes to `diagnostics`.
 */
export function forEachLogicalLine(
  text: string,
  path: string,
  diagnostics: Diagnostic[],
  each: (src: string, start: number, end: number, line: number) => void,
): void {
  let start = -1;
  let end = 0;
  let line = 0;
  let joined: string | undefined; // a continued line, built only when there is one
  const flush = (): void => {
    if (start < 0) return;
    const src = joined ?? text;
    const s = joined === undefined ? start : 0;
    const e = joined === undefined ? end : joined.length;
    if (isSpaceCode(src.charCodeAt(s))) {
      const all = src.slice(s, e).split('\0')[0]!;
      const shown = all.slice(0, 30) + (all.length > 30 ? '...' : '');
      diagnostics.push({ severity: 'warning', message: `${path}: logical line must not start with whitespace: "${shown}"`, file: path, line });
    } else each(src, s, e, line);
  };
  let n = 0;
  for (let pos = 0; pos < text.length;) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    n++;
    let q = pos;
    while (q < nl && isSpaceCode(text.charCodeAt(q))) q++;
    if (q < nl && text.charCodeAt(q) !== 35 /* # */) {
      if (start >= 0 && q > pos) joined = (joined ?? text.slice(start, end)) + text.slice(pos, nl);
      else {
        flush();
        start = pos;
        end = nl;
        line = n;
        joined = undefined;
      }
    }
    pos = nl + 1;
  }
  flush();
}

/** readLogicalLines - the logical lines of `text`, each cut at its first NUL. */
export function readLogicalLines(text: string, path: string, diagnostics: Diagnostic[]): LogicalLine[] {
  const out: LogicalLine[] = [];
  forEachLogicalLine(text, path, diagnostics, (src, s, e, line) => {
    // Search this line only: searching on to the end of the text made a file of n lines cost n².
    const l = src.slice(s, e);
    const nul = l.indexOf('\0');
    out.push({ text: nul >= 0 ? l.slice(0, nul) : l, line });
  });
  return out;
}

/** decodeText - table files are bytes; Postfix reads them as such, we decode UTF-8 leniently. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
