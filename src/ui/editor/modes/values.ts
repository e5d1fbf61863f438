/*
 * NAME
 *   values - tokens shared by the Postfix syntaxes: `$name`, `type:name`, restriction names
 * DESCRIPTION
 *   A main.cf value, a master.cf `-o` value and a .cf setting read the same
 *   way: `$name`, `${name}`, `${name?text}`, `${name:text}` are parameter
 *   references; `type:name` names a lookup table (types from postconf -m);
 *   restriction names and access actions are keywords. Names come from the
 *   generated postconf(5) data, never typed here.
 */
import type { StringStream } from '@codemirror/language';
import { RESTRICTIONS, TABLE_TYPES } from '../postconf-docs.generated.ts';

export const TYPES = new Set(TABLE_TYPES);
export const RESTRICTION_NAMES = new Set(RESTRICTIONS.map(([n]) => n));
/** access(5) actions, as access tables and restriction classes use them. */
export const ACTIONS = new Set([
  'OK',
  'REJECT',
  'DEFER',
  'DEFER_IF_REJECT',
  'DEFER_IF_PERMIT',
  'BCC',
  'DISCARD',
  'DUNNO',
  'FILTER',
  'HOLD',
  'PREPEND',
  'REDIRECT',
  'INFO',
  'WARN',
  'RELAY',
]);

/** One token of a parameter value; undefined when the stream is at a plain character. */
export function valueToken(stream: StringStream): string | null {
  if (stream.eatSpace()) return null;
  if (stream.match(/^\$\{[A-Za-z0-9_]+/)) return 'variableName';
  if (stream.match(/^\$\(?[A-Za-z0-9_]+\)?/)) return 'variableName';
  if (stream.match(/^[{}]/)) return 'bracket';
  if (stream.match(/^[,=]/)) return 'punctuation';
  const typed = stream.match(/^([a-z0-9_]+):(?=\S)/, false) as RegExpMatchArray | null;
  if (typed && TYPES.has(typed[1]!)) {
    stream.match(/^[a-z0-9_]+:/);
    return 'typeName';
  }
  const word = stream.match(/^[^\s,{}$=]+/) as RegExpMatchArray | null;
  if (word) {
    const w = word[0];
    if (RESTRICTION_NAMES.has(w)) return 'keyword';
    if (ACTIONS.has(w.toUpperCase()) && w === w.toUpperCase()) return 'atom';
    if (/^(yes|no)$/.test(w)) return 'bool';
    if (/^\d+[smhdw]?$/.test(w)) return 'number';
    if (w.startsWith('/')) return 'string';
    return null;
  }
  stream.next();
  return null;
}
