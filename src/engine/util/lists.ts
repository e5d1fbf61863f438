/*
 * NAME
 *   lists - splitting list-valued parameters (mystrtok(3), mystrtokq, extpar)
 * DESCRIPTION
 *   List values (mynetworks, smtpd_*_restrictions, ...) are items separated
 *   by commas and/or whitespace; `{ ... }` groups an item that contains
 *   separators (`check_policy_service { inet:host:port, timeout=10s }`,
 *   `inline:{ a=1, b=2 }`). splitList() returns items with their braces, as
 *   mystrtokq() does; stripBraces() removes one outer pair and the
 *   whitespace inside it, as extpar() does for consumers that want the text.
 * SEE ALSO
 *   postconf(5), master(5)
 */
import { extpar } from './braces.ts';

/** CHARS_COMMA_SP: the separators of Postfix lists. */
export const LIST_SEPARATORS = ', \t\r\n';

/** splitList - mystrtokq(value, separators, "{}") repeatedly: the items, braces kept. */
export function splitList(value: string, separators: string = LIST_SEPARATORS): string[] {
  const items: string[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && separators.includes(value[i]!)) i++;
    if (i >= value.length) break;
    const start = i;
    let level = 0;
    for (; i < value.length; i++) {
      const c = value[i]!;
      if (c === '{') level++;
      else if (c === '}') level = Math.max(0, level - 1);
      else if (level === 0 && separators.includes(c)) break;
    }
    items.push(value.slice(start, i));
  }
  return items;
}

/**
 * stripBraces - extpar(..., "{}", EXTPAR_FLAG_STRIP): `{ text }` gives the
 * trimmed text; text without braces is returned as is; a missing `}` or
 * text after it is an error in Postfix's words.
 */
export function stripBraces(item: string): { text: string } | { error: string } {
  if (!item.startsWith('{')) return { text: item };
  const r = extpar(item);
  return r.error === undefined ? { text: r.text } : { error: r.error };
}
