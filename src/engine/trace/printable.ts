/*
 * NAME
 *   printable - a log line as Postfix writes it
 * DESCRIPTION
 *   Postfix replaces every byte of a log message that is not printable
 *   ASCII with `?`; with SMTPUTF8 support on (smtputf8_enable), valid
 *   UTF-8 characters are kept. So a tab in a warning shows as `?`, and
 *   so does each byte of a non-ASCII character when UTF-8 is off.
 */

const utf8Length = (codePoint: number): number => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);

/** printable - `text` with what Postfix would not log replaced by `?` (or `replacement`). */
export function printable(text: string, utf8: boolean, replacement = '?'): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp <= 0x7e) out += ch;
    // A byte that is not UTF-8 (util/bytes.ts keeps it as a lone surrogate) is one byte.
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += replacement;
    else if (cp >= 0x80 && utf8) out += ch;
    else out += replacement.repeat(utf8Length(cp));
  }
  return out;
}
