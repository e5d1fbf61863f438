/*
 * NAME
 *   util/escape - escape(3): bytes as Postfix logs untrusted text
 * DESCRIPTION
 *   Printable ASCII stays (a backslash doubles), \a \b \f \n \r \t \v get
 *   their C escapes, every other byte is `\ooo` octal. Input characters
 *   are bytes (latin1), as the client sent them.
 * SEE ALSO
 *   Postfix src/util/unescape.c
 */

const NAMED: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** escape - the logged form of `text`. */
export function escape(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) out += ch === '\\' ? '\\\\' : ch;
    else out += NAMED[ch] ?? '\\' + (c & 0xff).toString(8).padStart(3, '0');
  }
  return out;
}
