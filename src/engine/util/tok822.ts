/*
 * NAME
 *   tok822 - RFC 822 address tokens (tok822_scan, tok822_parse, tok822_internalize/externalize)
 * DESCRIPTION
 *   The token lists trivial-rewrite and cleanup rewrite addresses with:
 *   atoms, quoted strings, domain literals, comments, and the one-character
 *   operators of RFC 822 plus Postfix's own `%`, `!` and `|`. Whitespace
 *   separates tokens and is not kept; the text forms put a space back only
 *   between two adjacent words, as Postfix does.
 *
 *   parseAddressList() is enough of tok822_parse() for lookup results:
 *   comma-separated addresses, each optionally `phrase <address>`, with
 *   comments dropped.
 * SEE ALSO
 *   RFC 822, tok822(3)
 */

/** A token: a word kind, or the operator character itself. */
export interface Token {
  type: 'atom' | 'qstring' | 'domlit' | 'comment' | string;
  /** Atom text; quoted-string/domain-literal contents without delimiters or escapes; comment text with parentheses. */
  text: string;
}

/** Characters that are single-character operators (tok822_opchar). */
const OPCHARS = '|%!()<>@,;:\\".[]';
const SPACE = ' \t\r\n';

const isWord = (t: Token): boolean => t.type === 'atom' || t.type === 'qstring' || t.type === 'domlit' || t.type === 'comment';

/** scanTokens - tok822_scan(): the token list of `text`. */
export function scanTokens(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  // Collect until `stop` (escapes kept as the escaped character).
  const collect = (stop: (c: string) => boolean, skipLast: boolean): string => {
    let s = '';
    while (i < text.length) {
      let c = text[i]!;
      if (c === '\\' && i + 1 < text.length) {
        c = text[++i]!;
        s += c;
        i++;
        continue;
      }
      if (stop(c)) {
        if (skipLast) i++;
        break;
      }
      // Whitespace inside a word is kept as a plain space.
      s += SPACE.includes(c) ? ' ' : c;
      i++;
    }
    return s;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (SPACE.includes(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      let level = 1;
      let s = '(';
      i++;
      while (i < text.length && level > 0) {
        const d = text[i++]!;
        if (d === '\\' && i < text.length) {
          s += d + text[i++]!;
          continue;
        }
        if (d === '(') level++;
        else if (d === ')') level--;
        s += d;
      }
      out.push({ type: 'comment', text: s });
    } else if (c === '[') {
      i++;
      out.push({ type: 'domlit', text: collect((d) => d === ']', true) });
    } else if (c === '"') {
      i++;
      out.push({ type: 'qstring', text: collect((d) => d === '"', true) });
    } else if (c !== '\\' && OPCHARS.includes(c)) {
      out.push({ type: c, text: c });
      i++;
    } else {
      const s = collect((d) => SPACE.includes(d) || OPCHARS.includes(d), false);
      // tok822_quote_atom: an atom with characters that need quoting is a quoted string.
      const needsQuote = [...s].some((d) => d === ' ' || d.charCodeAt(0) < 32 || d.charCodeAt(0) === 127 || OPCHARS.includes(d));
      out.push({ type: needsQuote ? 'qstring' : 'atom', text: s });
    }
  }
  return out;
}

/** internalize - tok822_internalize(): tokens to internal (unquoted) text. */
export function internalize(tokens: readonly Token[]): string {
  let s = '';
  tokens.forEach((t, i) => {
    s += t.type === 'domlit' ? `[${t.text}]` : t.text;
    if (needSpace(t, tokens[i + 1])) s += ' ';
  });
  return s;
}

/** externalize - tok822_externalize() for one address: tokens to quoted text. */
export function externalize(tokens: readonly Token[]): string {
  let s = '';
  const escape = (text: string, set: string): string => [...text].map((c) => (set.includes(c) ? '\\' + c : c)).join('');
  tokens.forEach((t, i) => {
    if (t.type === 'qstring') s += `"${escape(t.text, '"\\\r\n')}"`;
    else if (t.type === 'domlit') s += `[${escape(t.text, '\\\r\n')}]`;
    else s += t.text;
    if (needSpace(t, tokens[i + 1])) s += ' ';
  });
  return s;
}

function needSpace(t: Token, next: Token | undefined): boolean {
  if (!next) return false;
  if (t.type === ',' || next.type === '<') return true;
  return isWord(t) && isWord(next);
}

/**
 * parseAddressList - the addresses of an address list (tok822_parse +
 * tok822_grep(TOK822_ADDR)), each as its token list without comments.
 */
export function parseAddressList(text: string): Token[][] {
  const tokens = scanTokens(text);
  const groups: Token[][] = [[]];
  let angle = 0;
  for (const t of tokens) {
    if (t.type === '<') angle++;
    else if (t.type === '>') angle = Math.max(0, angle - 1);
    if (t.type === ',' && angle === 0) groups.push([]);
    else groups[groups.length - 1]!.push(t);
  }
  const out: Token[][] = [];
  for (const g of groups) {
    const open = g.findIndex((t) => t.type === '<');
    let addr: Token[];
    if (open >= 0) {
      let close = g.findIndex((t, i) => i > open && t.type === '>');
      if (close < 0) close = g.length;
      addr = g.slice(open + 1, close);
      // A route-address <@a,@b:user@domain> keeps only user@domain.
      const colon = addr.findIndex((t) => t.type === ':');
      if (addr[0]?.type === '@' && colon >= 0) addr = addr.slice(colon + 1);
    } else {
      // A group "name: a, b;" contributes its members; the name is dropped.
      // Without the closing `;` a colon is ordinary text (`:include:/file`).
      const colon = g.findIndex((t) => t.type === ':');
      const grouped = colon > 0 && g[0]?.type !== '@' && text.includes(';');
      addr = grouped ? g.slice(colon + 1) : g;
      addr = addr.filter((t) => t.type !== ';');
    }
    addr = addr.filter((t) => t.type !== 'comment');
    if (addr.length > 0 || open >= 0) out.push(addr);
  }
  return out;
}

/** lastIndexOfType - index of the last token of `type`, or -1 (tok822_rfind_type). */
export function lastIndexOfType(tokens: readonly Token[], type: string): number {
  for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i]!.type === type) return i;
  return -1;
}

/**
 * commandLineAddress - an address as sendmail(1) takes it from its command
 * line: parsed as an RFC 822 address and turned into internal form.
 */
export function commandLineAddress(text: string): string {
  const list = parseAddressList(text);
  return list.length ? internalize(list[0]!) : '';
}
