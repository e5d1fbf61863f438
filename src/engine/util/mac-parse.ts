/*
 * NAME
 *   mac-parse - split text into literals and `$name` references (mac_parse(3))
 * DESCRIPTION
 *   The one scanner behind main.cf's `$name` expansion (config/expand.ts)
 *   and the `$1`, `${name}` results of pattern tables: `$$` is a literal
 *   `$`; `$name`, `${name}` and `$(name)` are references (braces nest and
 *   the text inside is handed over whole). Each piece goes to `action`,
 *   whose status bits are or-ed into the result; a syntax error warns in
 *   Postfix's words and stops the scan with MAC_PARSE_ERROR.
 */

export const MAC_PARSE_ERROR = 1;
export const MAC_PARSE_UNDEF = 2;

/** The kind of a piece handed to the action. */
export type MacPiece = 'literal' | 'expr';

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);

/** macParse - scan `value`, calling `action` per piece; returns the or-ed status bits. */
export function macParse(value: string, action: (type: MacPiece, text: string) => number, warn: (message: string) => void): number {
  let status = 0;
  let buf = '';
  let vp = 0;
  while (vp < value.length) {
    const c = value[vp]!;
    if (c !== '$') {
      buf += c;
      vp++;
    } else if (value[vp + 1] === '$') {
      buf += '$';
      vp += 2;
    } else {
      if (buf.length > 0) status |= action('literal', buf);
      buf = '';
      vp++;
      const open = value[vp];
      if (open === '(' || open === '{') {
        const close = open === '(' ? ')' : '}';
        let level = 1;
        let ep = vp + 1;
        for (; level > 0; ep++) {
          if (ep >= value.length) {
            warn(`truncated macro reference: "${value}"`);
            status |= MAC_PARSE_ERROR;
            break;
          }
          if (value[ep] === open) level++;
          if (value[ep] === close) level--;
        }
        if (status & MAC_PARSE_ERROR) break;
        buf = value.slice(vp + 1, ep - 1);
        vp = ep;
      } else {
        let ep = vp;
        while (ep < value.length && (isAlnum(value[ep]) || value[ep] === '_')) ep++;
        buf = value.slice(vp, ep);
        vp = ep;
      }
      if (buf.length === 0) {
        status |= MAC_PARSE_ERROR;
        warn(`empty macro name: "${value}"`);
        break;
      }
      status |= action('expr', buf);
      buf = '';
    }
  }
  if (buf.length > 0 && (status & MAC_PARSE_ERROR) === 0) status |= action('literal', buf);
  return status;
}
