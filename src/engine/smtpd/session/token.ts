/*
 * NAME
 *   smtpd/session/token - split an SMTP command line, and extract the address of MAIL FROM, RCPT TO, VRFY
 * DESCRIPTION
 *   smtpdToken splits as smtpd_token(3) does: white space separates words,
 *   `<...>` and `"..."` are kept whole (nested quotes and brackets, backslash
 *   escapes), and `from:`/`to:` end a word so that `MAIL FROM:<a>` gives
 *   three words. An unterminated `<` or `"` marks the word as an error.
 *
 *   extractAddress turns the address word into Postfix's internal form the
 *   way smtpd's extract_addr() does with tok822_parse(): outer angle
 *   brackets and a source route are removed, the last address of the parse
 *   tree is taken (comments and phrases are ignored, and rejected under
 *   strict_rfc821_envelopes), quoted strings lose their quotes, and more
 *   than one address (two words without an operator between them count as
 *   two) is a syntax error.
 * SEE ALSO
 *   smtpd(8), RFC 5321, postconf(5) (strict_rfc821_envelopes)
 */
import { internalizeTree, parseTree } from '../../util/tok822.ts';
import type { TreeNode } from '../../util/tok822.ts';

/** One word of an SMTP command. */
export interface SmtpToken {
  text: string;
  /** An unterminated `<` or `"`. */
  error: boolean;
}

function readQuoted(line: string, start: number, open: string, close: string): { end: number; text: string; error: boolean } {
  const stack = [close];
  let text = open;
  let i = start;
  while (i < line.length) {
    const c = line[i++]!;
    text += c;
    if (c === '\\') {
      if (i >= line.length) break;
      text += line[i++];
    } else if (c === stack[stack.length - 1]) {
      if (stack.length === 1) return { end: i, text, error: false };
      stack.pop();
    } else if (c === '"') {
      stack.push('"');
    } else if (c === '<' && stack[stack.length - 1] === '>') {
      stack.push('>');
    }
  }
  return { end: i, text, error: true };
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';

/** smtpdToken - the words of one command line. */
export function smtpdToken(line: string): SmtpToken[] {
  const tokens: SmtpToken[] = [];
  let i = 0;
  for (;;) {
    let text = '';
    let error = false;
    while (i < line.length) {
      const c = line[i++]!;
      if (isSpace(c)) {
        while (i < line.length && isSpace(line[i]!)) i++;
        if (text.length > 0) break;
      } else if (c === '<' || c === '"') {
        const q = readQuoted(line, i, c, c === '<' ? '>' : '"');
        text += q.text;
        i = q.end;
        if (q.error) error = true;
      } else if (c === ':') {
        text += c;
        const lower = text.toLowerCase();
        if (lower === 'to:' || lower === 'from:') break;
      } else {
        if (c === '\\') {
          text += c;
          if (i >= line.length) break;
          text += line[i++];
          continue;
        }
        text += c;
      }
    }
    if (text.length === 0) return tokens;
    tokens.push({ text, error });
  }
}

/** The result of extract_addr(): the internal form, or why the syntax is bad. */
export interface ExtractedAddress {
  address: string;
  /** The form is unacceptable: several addresses, or junk under strict_rfc821_envelopes. */
  illegal: boolean;
}

/** extractAddress - the internal form of the address word `word` (as sent, with its brackets). */
export function extractAddress(word: string, strictRfc821: boolean): ExtractedAddress {
  let text = word.startsWith('<') && word.endsWith('>') && word.length >= 2 ? word.slice(1, -1) : word;
  // The deprecated source route is cut off.
  if (text.startsWith('@')) {
    const colon = text.indexOf(':');
    if (colon >= 0) text = text.slice(colon + 1);
  }
  let naddr = 0;
  let nonAddr = 0;
  let address: TreeNode | undefined;
  for (const node of parseTree(text)) {
    if (node.type === 'addr') {
      address = node;
      naddr++;
    } else if (node.type !== '<' && node.type !== '>') nonAddr++;
  }
  const illegal = naddr > 1 || (strictRfc821 && (nonAddr > 0 || !word.startsWith('<')));
  return { address: address ? internalizeTree(address.children ?? [], true) : '', illegal };
}
