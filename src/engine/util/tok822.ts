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
      if (c === '\\') {
        // The escaped character is kept as itself; a backslash that ends the text, as a backslash.
        if (i + 1 < text.length) c = text[++i]!;
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

/** A node of tok822_parse()'s tree: a token, or an address (`addr`) or group start (`startgrp`) with its members. */
export interface TreeNode {
  type: string;
  text: string;
  /** The members of an `addr` node. */
  children?: TreeNode[];
}

/** A token in tok822's doubly linked lists. */
interface Link {
  type: string;
  text: string;
  prev?: Link;
  next?: Link;
  owner?: Link;
  head?: Link;
  tail?: Link;
}

/** Set the owner of `t` and of everything after it. */
function own(t: Link, owner: Link | undefined): Link {
  let last = t;
  t.owner = owner;
  while (last.next) (last = last.next).owner = owner;
  return last;
}

/** append - put the list `t2` after `t1` (tok822_append); its last member. */
function append(t1: Link, t2: Link): Link {
  const next = t1.next;
  t1.next = t2;
  t2.prev = t1;
  const last = own(t2, t1.owner);
  last.next = next;
  if (next) next.prev = last;
  return last;
}

/** prepend - put the list `t2` before `t1` (tok822_prepend); its first member. */
function prepend(t1: Link, t2: Link): Link {
  const prev = t1.prev;
  if (prev) prev.next = t2;
  t2.prev = prev;
  const last = own(t2, t1.owner);
  last.next = t1;
  t1.prev = last;
  return t2;
}

function cutBefore(tp: Link): void {
  const prev = tp.prev;
  if (prev) {
    prev.next = undefined;
    tp.prev = undefined;
  }
}

function unlink(tp: Link): Link | undefined {
  const { prev, next } = tp;
  if (prev) prev.next = next;
  if (next) next.prev = prev;
  tp.prev = tp.next = undefined;
  return prev;
}

/** group - make the tokens strictly between `left` and `right` one address node (tok822_group), with a `,` after it when asked. */
function group(left: Link, right: Link, comma: boolean): Link {
  const first = left.next;
  if (left !== right && first && first !== right) {
    cutBefore(right);
    cutBefore(first);
    const node: Link = { type: 'addr', text: '' };
    node.head = first;
    node.tail = own(first, node);
    append(left, node);
    append(node, right);
    if (comma) append(left, { type: ',', text: ',' });
  }
  return left;
}

const isWordType = (type: string): boolean => type === 'atom' || type === 'qstring' || type === 'domlit';

/**
 * parseTree - tok822_parse(): the tokens of `text` grouped into addresses
 * the way Postfix does it, from right to left: `<...>` and `;`-ended
 * groups are addresses, two words without an operator between them get a
 * comma between them, and comments move to the right of what they follow.
 */
export function parseTree(text: string): TreeNode[] {
  const tokens = scanTokens(text);
  const head: Link = { type: '', text: '' };
  const tail: Link = { type: '', text: '' };
  let last = head;
  for (const t of tokens) {
    const l: Link = { type: t.type, text: t.text, prev: last };
    last.next = l;
    last = l;
  }
  last.next = tail;
  tail.prev = last;
  const DO_WORD = 1;
  const DO_GROUP = 2;
  let state = DO_WORD;
  let right: Link = tail;
  let tp: Link = tail.prev!;
  const moveComment = (): void => {
    const prev = unlink(tp)!;
    right = prepend(right, tp);
    tp = prev;
  };
  while (tp.type) {
    if (tp.type === 'comment') {
      moveComment();
      continue;
    } else if (tp.type === ';') {
      right = group(tp, right, true);
      state = DO_GROUP | DO_WORD;
    } else if (tp.type === ':' && state & DO_GROUP) {
      tp.type = 'startgrp';
      group(tp, right, false);
      while (tp.type && tp.type !== ',') tp = tp.prev!;
      right = tp;
      continue;
    } else if (tp.type === '>') {
      right = group(tp, right, true);
      while (tp.type && tp.type !== '<') {
        if (tp.type === 'comment') {
          moveComment();
          continue;
        }
        tp = tp.prev!;
      }
      group(tp, right, false);
      while (tp.type && !'>;,:'.includes(tp.type)) tp = tp.prev!;
      right = tp;
      state |= DO_WORD;
      continue;
    } else if (isWordType(tp.type)) {
      if ((state & DO_WORD) === 0) right = group(tp, right, true).next!;
      state &= ~DO_WORD;
    } else if (tp.type === ',') {
      right = group(tp, right, false);
      state |= DO_WORD;
    } else {
      state |= DO_WORD;
    }
    tp = tp.prev!;
  }
  group(tp, right, false);
  const tree = (l: Link | undefined, stop?: Link): TreeNode[] => {
    const out: TreeNode[] = [];
    for (let n = l; n && n !== stop; n = n.next) {
      if (!n.type) continue;
      out.push({ type: n.type, text: n.text, ...(n.head && { children: tree(n.head) }) });
    }
    return out;
  };
  return tree(head.next, tail);
}

/** internalizeTree - tok822_internalize() of a parse tree: members of an address are joined without spaces. */
export function internalizeTree(nodes: readonly TreeNode[], owned = false): string {
  let s = '';
  nodes.forEach((n, i) => {
    if (n.type === 'addr') s += internalizeTree(n.children ?? [], true);
    else if (n.type === 'domlit') s += `[${n.text}]`;
    else if (n.type === 'startgrp') s += ':';
    else s += n.text;
    const next = nodes[i + 1];
    if (!owned && next) {
      const word = (t: TreeNode): boolean => isWordType(t.type) || t.type === 'comment' || t.type === 'addr';
      if (n.type === ',' || n.type === 'startgrp' || next.type === '<' || (word(n) && word(next))) s += ' ';
    }
  });
  return s;
}
