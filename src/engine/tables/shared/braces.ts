/*
 * NAME
 *   braces - Postfix's `{ ... }` grouping in table names
 * DESCRIPTION
 *   The small string tools inline:, static:, unionmap: and pipemap: names
 *   are parsed with: balanced braces, splitting on commas and whitespace
 *   outside braces, stripping one level of braces, and `name = value`.
 *   Their error texts are Postfix's, because users see them.
 */

/** Postfix's list separators (CHARS_COMMA_SP). */
const COMMA_SP = ', \t\r\n';
const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\r\n\v\f'.includes(c);

/** balancedLength - length of the `{...}` group at the start of `s`, or 0 when unbalanced. */
export function balancedLength(s: string): number {
  if (s[0] !== '{') return 0;
  let level = 1;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '}') {
      if (--level === 0) return i + 1;
    } else if (s[i] === '{') level++;
  }
  return 0;
}

/** splitOutsideBraces - tokens separated by runs of commas/whitespace outside braces. */
export function splitOutsideBraces(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && COMMA_SP.includes(s[i]!)) i++;
    if (i >= s.length) break;
    const start = i;
    let level = 0;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '{') level++;
      else if (level > 0 && c === '}') level--;
      else if (level === 0 && COMMA_SP.includes(c)) break;
    }
    out.push(s.slice(start, i));
  }
  return out;
}

/** trimSpace - strip leading and trailing whitespace as Postfix does. */
export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a])) a++;
  while (b > a && isSpace(s[b - 1])) b--;
  return s.slice(a, b);
}

/**
 * stripBraces - the text inside one `{...}` group, trimmed; or Postfix's
 * error when `s` is not exactly one balanced group.
 */
export function stripBraces(s: string): { text: string; error?: string } {
  if (s[0] !== '{') return { text: s, error: `no '{' at start of text in "${s}"` };
  const len = balancedLength(s);
  if (len === 0) return { text: trimSpace(s.slice(1)), error: `missing '}' in "${s}"` };
  const text = trimSpace(s.slice(1, len - 1));
  if (len !== s.length) return { text, error: `syntax error after '}' in "${s}"` };
  return { text };
}

/** splitNameValue - `name = value` with an optionally quoted name; or Postfix's error. */
export function splitNameValue(s: string): { name: string; value: string } | { error: string } {
  let k = 0;
  while (k < s.length && isSpace(s[k])) k++;
  if (k >= s.length) return { error: 'no key found; expected format: key = value' };
  let end = k;
  let inQuotes = false;
  for (; end < s.length; end++) {
    const c = s[end]!;
    if (c === '\\') {
      if (++end >= s.length) break;
    } else if (isSpace(c) || c === '=') {
      if (!inQuotes) break;
    } else if (c === '"') inQuotes = !inQuotes;
  }
  if (inQuotes) return { error: `unbalanced '"'` };
  let v = end;
  while (v < s.length && isSpace(s[v])) v++;
  if (s[v] !== '=') return { error: "missing '=' after attribute name" };
  return { name: s.slice(k, Math.min(end, s.length)), value: trimSpace(s.slice(v + 1)) };
}
