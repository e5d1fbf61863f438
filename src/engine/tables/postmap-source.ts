/*
 * NAME
 *   postmap-source - the postmap(1) input format, shared by indexed tables and texthash
 * DESCRIPTION
 *   Each logical line is `key whitespace value`. The key ends at the first
 *   whitespace outside double quotes; a backslash protects the next
 *   character. The key is kept in its quoted form (postmap stores `"a b"`
 *   with the quotes). Leading and trailing whitespace of the value is
 *   trimmed. Lines postmap rejects are reported and skipped.
 * SEE ALSO
 *   postmap(1) INPUT FILE FORMAT
 */
import type { Diagnostic } from '../trace/types.ts';
import { readLogicalLines } from '../util/readlline.ts';
import { warning } from './driver.ts';

/** One entry as postmap would store it, before case folding. */
export interface SourceEntry {
  key: string;
  value: string;
  line: number;
}

/** ISSPACE in the C locale, on a UTF-16 code unit (NaN past the end is not a space). */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** How the two readers of this format word their warnings differently. */
export interface SourceDialect {
  /** texthash appends " -- ignoring this line" to the missing-value warning; postmap does not. */
  expectedFormatSuffix: string;
}

/** parsePostmapSource - the entries of a postmap source file, in file order, with postmap's warnings. */
export function parsePostmapSource(text: string, path: string, dialect: SourceDialect, diagnostics: Diagnostic[]): SourceEntry[] {
  const entries: SourceEntry[] = [];
  for (const { text: line, line: lineno } of readLogicalLines(text, path, diagnostics)) {
    let inQuotes = false;
    let end = 0;
    for (; end < line.length; end++) {
      const c = line.charCodeAt(end);
      if (c === 92 /* \\ */) {
        if (++end >= line.length) break;
      } else if (isSpace(c)) {
        if (!inQuotes) break;
      } else if (c === 34 /* " */) {
        inQuotes = !inQuotes;
      }
    }
    if (inQuotes) {
      diagnostics.push(warning(`${path}, line ${lineno}: unbalanced '"' in '${line}' -- ignoring this line`, path, lineno));
      continue;
    }
    const key = line.slice(0, Math.min(end, line.length));
    let start = end + 1;
    while (start < line.length && isSpace(line.charCodeAt(start))) start++;
    let stop = line.length;
    while (stop > start && isSpace(line.charCodeAt(stop - 1))) stop--;
    const value = start < stop ? line.slice(start, stop) : '';
    if (key === '' || value === '') {
      diagnostics.push(warning(`${path}, line ${lineno}: expected format: key whitespace value${dialect.expectedFormatSuffix}`, path, lineno));
      continue;
    }
    if (key.endsWith(':')) diagnostics.push(warning(`${path}, line ${lineno}: record is in "key: value" format; is this an alias file?`, path, lineno));
    entries.push({ key, value, line: lineno });
  }
  return entries;
}
