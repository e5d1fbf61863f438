/*
 * NAME
 *   readlline-ranges - Postfix logical lines as ranges of the source text
 * DESCRIPTION
 *   The same logical lines and warnings as readLogicalLines(), without a
 *   string or an object per line, for drivers that open 100k-line tables
 *   (cidr). A candidate to merge into readlline.ts.
 */
import type { Diagnostic } from '../../trace/types.ts';

/** ISSPACE in the C locale. */
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * forEachLogicalLine - readLogicalLines() (readlline.ts) without a string or
 * object per line: calls each(src, start, end, line) for the logical line
 * src[start, end), where src is `text` itself unless the line was continued.
 * Its warnings go to `diagnostics` as they would there.
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
      const all = src.slice(s, e);
      const shown = all.slice(0, 30) + (all.length > 30 ? '...' : '');
      diagnostics.push({ severity: 'warning', message: `${path}: logical line must not start with whitespace: "${shown}"`, file: path, line });
    } else each(src, s, e, line);
  };
  let n = 0;
  for (let pos = 0; pos < text.length; ) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    n++;
    let q = pos;
    while (q < nl && isSpaceCode(text.charCodeAt(q))) q++;
    // Empty, blank and comment lines are ignored, also inside a continued entry.
    if (q < nl && text.charCodeAt(q) !== 35) {
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
