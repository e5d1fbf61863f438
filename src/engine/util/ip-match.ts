/*
 * NAME
 *   util/ip-match - IPv4 address patterns with ranges and lists (ip_match(3))
 * SYNOPSIS
 *   parseIpMatch(pattern) -> { match(addr) } | { error }
 * DESCRIPTION
 *   The reply filters of DNS lists (`127.0.0.2`, `127.0.0.[2..11]`,
 *   `127.0.[0;1].[1;3..5]`): four fields separated by ".", each a decimal
 *   octet or a `[...]` holding `;`-separated octets and `low..high` ranges;
 *   `[...]` around the whole pattern is allowed. A malformed pattern gives
 *   Postfix's own message with its `at "done>here<rest"` context.
 * SEE ALSO
 *   postconf(5) postscreen_dnsbl_sites, Postfix src/util/ip_match.c
 */

/** One field: the octets it accepts, as ranges. */
type Field = readonly (readonly [number, number])[];

export interface IpMatch {
  /** The pattern as written. */
  readonly pattern: string;
  /** Whether an IPv4 address (dotted quad) matches; anything else does not. */
  match(addr: string): boolean;
}

const EOF = '';
type Token = { kind: 'octet'; value: number } | { kind: 'bad' } | { kind: 'char'; ch: string };

/** parseIpMatch - compile a pattern, or Postfix's error text for it. */
export function parseIpMatch(pattern: string): IpMatch | { error: string } {
  let text = pattern;
  if (text.startsWith('[')) {
    // Strip [] around the whole pattern (only when the first "[" closes at the very end).
    let level = 0;
    let close = -1;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '[') level++;
      if (text[i] !== ']') continue;
      if (--level === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) return { error: 'missing "]" character' };
    if (close === text.length - 1) text = text.slice(1, -1);
  }
  if (text === '') return { error: 'empty address pattern' };

  let pos = 0;
  let saved = 0;
  const next = (): Token => {
    saved = pos;
    const ch = text[pos];
    if (ch !== undefined && ch >= '0' && ch <= '9') {
      let value = 0;
      let bad = false;
      while (pos < text.length && text[pos]! >= '0' && text[pos]! <= '9') {
        value = value * 10 + Number(text[pos]);
        if (value > 255) bad = true;
        pos++;
      }
      return bad ? { kind: 'bad' } : { kind: 'octet', value };
    }
    if (ch === undefined) return { kind: 'char', ch: EOF };
    pos++;
    return { kind: 'char', ch };
  };
  const fail = (what: string): { error: string } => ({ error: `${what} at "${text.slice(0, saved)}>${text.slice(saved, pos)}<${text.slice(pos)}"` });
  const isChar = (t: Token, ch: string): boolean => t.kind === 'char' && t.ch === ch;

  const fields: Field[] = [];
  for (;;) {
    const t = next();
    if (t.kind === 'octet') fields.push([[t.value, t.value]]);
    else if (isChar(t, '[')) {
      const ranges: [number, number][] = [];
      for (;;) {
        const first = next();
        if (first.kind !== 'octet') return fail('need decimal number 0..255');
        let look = next();
        if (isChar(look, '.')) {
          const dot = next();
          const high = dot.kind === 'char' && dot.ch === '.' ? next() : dot;
          if (!isChar(dot, '.') || high.kind !== 'octet' || first.value > high.value) return fail('numeric range error');
          ranges.push([first.value, high.value]);
          look = next();
        } else ranges.push([first.value, first.value]);
        if (isChar(look, ';')) continue;
        if (isChar(look, ']')) break;
        return fail('need ";" or "]"');
      }
      fields.push(ranges);
    } else return fail('need decimal number 0..255 or "["');
    if (fields.length === 4) {
      if (pos < text.length) {
        next();
        return fail('garbage after pattern');
      }
      break;
    }
    if (!isChar(next(), '.')) return fail('need "."');
  }
  return {
    pattern,
    match(addr: string): boolean {
      const octets = addr.split('.');
      if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return false;
      return fields.every((f, i) => f.some(([lo, hi]) => Number(octets[i]) >= lo && Number(octets[i]) <= hi));
    },
  };
}
