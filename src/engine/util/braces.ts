/*
 * NAME
 *   braces - Postfix's `{ ... }` grouping in table names
 * DESCRIPTION
 *   balpar(3) and extpar(3): the length of a balanced `{...}` group, and the
 *   text inside one group (inline:, static:, unionmap: and pipemap: names,
 *   `{ ... }` items of parameter lists).
 *   Their error texts are Postfix's, because users see them.
 */

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

/** trimSpace - strip leading and trailing whitespace as Postfix does. */
export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a])) a++;
  while (b > a && isSpace(s[b - 1])) b--;
  return s.slice(a, b);
}

/**
 * extpar - the text inside one `{...}` group, trimmed; or Postfix's
 * error when `s` is not exactly one balanced group.
 */
export function extpar(s: string): { text: string; error?: string } {
  if (s[0] !== '{') return { text: s, error: `no '{' at start of text in "${s}"` };
  const len = balancedLength(s);
  if (len === 0) return { text: trimSpace(s.slice(1)), error: `missing '}' in "${s}"` };
  const text = trimSpace(s.slice(1, len - 1));
  if (len !== s.length) return { text, error: `syntax error after '}' in "${s}"` };
  return { text };
}
