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
 *   way smtpd's extract_addr() does with its RFC 822 parser: outer angle
 *   brackets and a source route are removed, comments and phrases are
 *   ignored (rejected under strict_rfc821_envelopes), quoted strings lose
 *   their quotes, and two words without an operator between them count as
 *   two addresses, which is a syntax error.
 * SEE ALSO
 *   smtpd(8), RFC 5321, postconf(5) (strict_rfc821_envelopes)
 */

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

type Tok = { kind: 'atom' | 'qstring' | 'domlit' | 'comment' | 'op'; text: string };

const OPERATORS = '()<>@,;:\\".[]';

function scan822(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      let depth = 1;
      let body = '';
      i++;
      while (i < text.length && depth > 0) {
        const d = text[i++]!;
        if (d === '\\' && i < text.length) body += d + text[i++];
        else if (d === '(') {
          depth++;
          body += d;
        } else if (d === ')') {
          if (--depth > 0) body += d;
        } else body += d;
      }
      out.push({ kind: 'comment', text: body });
    } else if (c === '[' || c === '"') {
      const close = c === '[' ? ']' : '"';
      let body = '';
      i++;
      while (i < text.length && text[i] !== close) {
        if (text[i] === '\\' && i + 1 < text.length) {
          // Quoted pairs lose their backslash in the internal form.
          body += text[i + 1];
          i += 2;
        } else body += text[i++];
      }
      i++;
      out.push({ kind: c === '[' ? 'domlit' : 'qstring', text: body });
    } else if (c !== '\\' && OPERATORS.includes(c)) {
      out.push({ kind: 'op', text: c });
      i++;
    } else {
      let body = '';
      while (i < text.length) {
        const d = text[i]!;
        if (d === ' ' || d === '\t' || d === '\r' || d === '\n') break;
        if (d === '\\') {
          body += text[i + 1] ?? '';
          i += 2;
          continue;
        }
        if (OPERATORS.includes(d)) break;
        body += d;
        i++;
      }
      out.push({ kind: 'atom', text: body });
    }
  }
  return out;
}

const isWord = (t: Tok): boolean => t.kind === 'atom' || t.kind === 'qstring' || t.kind === 'domlit';

function internal(tokens: readonly Tok[]): string {
  return tokens
    .filter((t) => t.kind !== 'comment')
    .map((t) => (t.kind === 'domlit' ? `[${t.text}]` : t.text))
    .join('');
}

/** Count the address forms in a run of tokens without angle brackets (missing commas count). */
function countAddresses(tokens: readonly Tok[]): { addresses: Tok[][] } {
  const addresses: Tok[][] = [];
  let current: Tok[] = [];
  let lastWasWord = false;
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'op' && t.text === ',') {
      if (current.length) addresses.push(current);
      current = [];
      lastWasWord = false;
      continue;
    }
    if (isWord(t) && lastWasWord) {
      addresses.push(current);
      current = [];
    }
    current.push(t);
    lastWasWord = isWord(t);
  }
  if (current.length) addresses.push(current);
  return { addresses };
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
  if (text.startsWith('@')) {
    const colon = text.indexOf(':');
    if (colon >= 0) text = text.slice(colon + 1);
  }
  const tokens = scan822(text);
  let naddr: number;
  let nonAddr = 0;
  let address: Tok[] | undefined;
  const open = tokens.findIndex((t) => t.kind === 'op' && t.text === '<');
  if (open >= 0) {
    // phrase <route-addr>: the words before `<` are a phrase, not an address.
    let close = tokens.findIndex((t, k) => k > open && t.kind === 'op' && t.text === '>');
    if (close < 0) close = tokens.length;
    const inner = tokens.slice(open + 1, close).filter((t) => t.kind !== 'comment');
    nonAddr += tokens.slice(0, open).length;
    const rest = tokens.slice(close + 1).filter((t) => t.kind !== 'comment');
    const restAddrs = countAddresses(rest).addresses;
    naddr = (inner.length ? 1 : 0) + restAddrs.length;
    nonAddr += tokens.slice(close + 1).filter((t) => t.kind === 'comment').length;
    address = inner.length ? inner : restAddrs[restAddrs.length - 1];
  } else {
    const { addresses } = countAddresses(tokens);
    naddr = addresses.length;
    nonAddr = tokens.filter((t) => t.kind === 'comment').length;
    address = addresses[addresses.length - 1];
  }
  const illegal = naddr > 1 || (strictRfc821 && (nonAddr > 0 || !word.startsWith('<')));
  return { address: address ? internal(address) : '', illegal };
}
