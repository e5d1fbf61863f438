/*
 * NAME
 *   split-nameval - `name = value` (split_nameval(3), split_qnameval(3))
 * DESCRIPTION
 *   split_nameval() is what main.cf-syntax files and master.cf `-o` use;
 *   split_qnameval() also lets the name be quoted (inline: tables). Their
 *   error texts are Postfix's, because users see them.
 */
import { trimSpace } from './braces.ts';

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** splitNameval - split_nameval(): `[name, value]` or Postfix's reason. */
export function splitNameval(text: string): [string, string] | string {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  if (i === text.length || text[i] === '=') return 'missing attribute name';
  let e = i;
  while (e < text.length && !isSpace(text[e]) && text[e] !== '=') e++;
  let c = e;
  while (c < text.length && isSpace(text[c])) c++;
  if (text[c] !== '=') return "missing '=' after attribute name";
  let v = c + 1;
  while (v < text.length && isSpace(text[v])) v++;
  let end = text.length;
  while (end > v && isSpace(text[end - 1])) end--;
  return [text.slice(i, e), text.slice(v, end)];
}

/** splitQnameval - split_qnameval(): `name = value` with an optionally quoted name; or Postfix's error. */
export function splitQnameval(s: string): { name: string; value: string } | { error: string } {
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
