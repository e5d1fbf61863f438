/*
 * NAME
 *   readlline - split table source text into Postfix logical lines
 * DESCRIPTION
 *   As readlline(3): empty, all-whitespace and `#` comment lines are ignored,
 *   also in the middle of a multi-line entry; a line that starts with
 *   whitespace continues the previous logical line (the newline is dropped,
 *   the leading whitespace kept). Text that continues nothing is reported
 *   and skipped, as Postfix does.
 */
import type { Diagnostic } from '../../trace/types.ts';

/** One logical line with the physical line it starts on (1-based). */
export interface LogicalLine {
  text: string;
  line: number;
}

/** ISSPACE in the C locale: space, \t \n \v \f \r. */
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isSpace = (c: string): boolean => isSpaceCode(c.charCodeAt(0));

/** True when a physical line is empty, all whitespace, or a comment. */
function isIgnorable(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (!isSpaceCode(c)) return c === 35; /* # */
  }
  return true;
}

/**
 * readLogicalLines - the logical lines of `text`; `path` names the file in
 * the "logical line must not start with whitespace" warning.
 */
export function readLogicalLines(
  text: string,
  path: string,
  diagnostics: Diagnostic[],
): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = text.split('\n');
  // A final newline ends the last line; it does not start another.
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  let current: LogicalLine | undefined;
  const flush = (): void => {
    if (!current) return;
    if (isSpace(current.text[0]!)) {
      const text = current.text.split('\0')[0]!;
      const shown = text.slice(0, 30) + (text.length > 30 ? '...' : '');
      diagnostics.push({
        severity: 'warning',
        message: `${path}: logical line must not start with whitespace: "${shown}"`,
        file: path,
        line: current.line,
      });
    } else {
      // Postfix handles the line as a C string: it ends at a NUL byte.
      const nul = current.text.indexOf('\0');
      out.push(nul < 0 ? current : { text: current.text.slice(0, nul), line: current.line });
    }
    current = undefined;
  };
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!;
    if (isIgnorable(raw)) continue;
    if (current && isSpace(raw[0]!)) {
      current.text += raw;
      continue;
    }
    flush();
    current = { text: raw, line: i + 1 };
  }
  flush();
  return out;
}

/** decodeText - table files are bytes; Postfix reads them as such, we decode UTF-8 leniently. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
